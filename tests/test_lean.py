"""Passes that read what changed: after one game's box score changes, the game-log check and
validation read that game alone, and answer as a full pass would."""

import datetime as dt
import json
import pathlib
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.lake.lake import Lake
from pipeline.lake.layout import Layout
from pipeline.lake.schema import partition_season
from pipeline.model.work import Scope, SeasonWork
from pipeline.nba import endpoints
from pipeline.report import rules, scan
from pipeline.report.season import (
    MONTH_CHECKS,
    compaction_feed,
    scan_columns,
    validate_season,
)
from tests.sim_lake import FIRST_DAY, LAST_DAY, SEASON, sim_lake  # noqa: F401  (fixture)

TABLE = "box_traditional_players"


@pytest.fixture
def lake(sim_lake, tmp_path) -> Lake:  # noqa: F811
    shutil.copytree(sim_lake, tmp_path / "lake")
    return Lake(str(tmp_path / "lake"))


def work_of(lake: Lake) -> SeasonWork:
    day = dt.date.fromisoformat
    return SeasonWork(lake, Scope(SEASON, start=day(FIRST_DAY), end=day(LAST_DAY)))


def box_files(lake: Lake) -> list[pathlib.Path]:
    return sorted(pathlib.Path(lake.layout.table_prefix(TABLE, SEASON)).rglob("*.parquet"))


def correct_points(lake: Lake, path: pathlib.Path) -> None:
    """A stat correction: three more points for the game's first player, same file name."""
    table = pq.read_table(path)
    points = table.column("points").to_pylist()
    points[0] += 3
    index = table.schema.get_field_index("points")
    lake.write_table(str(path), table.set_column(index, "points", pa.array(points)), {})


def test_the_game_log_check_compares_only_the_game_whose_box_score_changed(lake):
    work = work_of(lake)
    assert work.compare_with_logs() == [] and work.compared_games == set()  # as the run left it
    path = box_files(lake)[3]
    correct_points(lake, path)
    found = work_of(lake)
    differences = found.compare_with_logs()
    assert found.compared_games == {path.stem}
    assert {(d.game_id, d.side, d.stat) for d in differences} == {(path.stem, "player", "PTS")}

    lake.delete(work._checked_path())  # no state: a full pass
    full = work_of(lake)
    assert sorted(map(repr, full.compare_with_logs())) == sorted(map(repr, differences))
    assert full.compared_games == {p.stem for p in box_files(lake)}
    again = work_of(lake)  # a game that differs is compared again, until it agrees
    assert again.compare_with_logs() == differences and again.compared_games == {path.stem}


def test_a_corrected_game_log_row_compares_its_game_alone(lake):
    """The log side: one row of the season's player log corrected, and the log's rows sent
    in another order -> only that row's game is compared again."""
    work_of(lake).compare_with_logs()
    (path,) = [
        p
        for p in pathlib.Path(lake.layout.table_prefix("game_log_players", SEASON)).glob("*")
        if pq.read_table(p).num_rows
    ]
    log = pq.read_table(path)
    points = log.column("PTS").to_pylist()
    points[7] += 2
    game = log.column("GAME_ID")[7].as_py()
    log = log.set_column(log.schema.get_field_index("PTS"), "PTS", pa.array(points))
    lake.write_table(str(path), log.take(list(reversed(range(log.num_rows)))), {})
    work = work_of(lake)
    differences = work.compare_with_logs()
    assert work.compared_games == {game}
    assert {(d.game_id, d.side, d.stat) for d in differences} == {(game, "player", "PTS")}


def without_times(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("generated_at", "elapsed_seconds")}


def test_validation_reopens_only_the_changed_file_and_reports_as_a_full_pass(lake):
    games = [p.stem for p in box_files(lake)]
    paths = [str(p) for p in box_files(lake)]
    identity = rules.identity_columns(endpoints.BOX_TRADITIONAL).get(TABLE)
    columns = rules.read_columns(TABLE, identity)
    before = validate_season(lake, SEASON, games=games)
    assert all(f.reused for f in scan.open_table(lake, SEASON, TABLE, paths, columns))

    correct_points(lake, box_files(lake)[3])
    infos = scan.open_table(lake, SEASON, TABLE, paths, columns)
    assert [f.path for f in infos if not f.reused] == [paths[3]]
    assert [f.path for f in infos] == paths
    incremental = validate_season(lake, SEASON, games=games)
    assert incremental["problems"] != before["problems"]  # the changed value was read

    forget_validation(lake)
    full = validate_season(lake, SEASON, games=games)
    assert without_times(full) == without_times(incremental)


def forget_validation(lake: Lake) -> None:
    """No state of earlier reports: the next one reads and checks everything."""
    for kind in (scan.SCAN_STATE, MONTH_CHECKS):
        shutil.rmtree(pathlib.Path(lake.layout.state_file(kind, SEASON, "x")).parent)


def test_a_report_takes_the_checks_of_a_month_whose_files_did_not_change(lake):
    """The per-game checks are kept by month of games, with what they were made from: the
    next report takes them as kept (here, with a problem planted in them) until a file of
    the month changes, and then reports as a full pass does."""
    games = [p.stem for p in box_files(lake)]
    first = validate_season(lake, SEASON, games=games)
    folder = pathlib.Path(lake.layout.state_file(MONTH_CHECKS, SEASON, "x")).parent
    (kept,) = folder.glob("month-*.json")  # the landed games are of one month
    state = json.loads(kept.read_text())
    planted = {"game_id": games[0], "dataset": TABLE, "rule": "box.range", "detail": "planted"}
    state["checks"]["problems"].append(planted)
    kept.write_text(json.dumps(state))
    taken = validate_season(lake, SEASON, games=games)
    assert [p for p in taken["problems"] if p not in first["problems"]] == [planted]

    correct_points(lake, box_files(lake)[3])
    checked = validate_season(lake, SEASON, games=games)
    assert planted not in checked["problems"] and checked["problems"] != first["problems"]
    forget_validation(lake)
    assert without_times(validate_season(lake, SEASON, games=games)) == without_times(checked)


def test_a_changed_game_rewrites_the_scan_state_of_its_month_only(lake):
    """What validation read is kept per month, as compaction's files: a day of a season in
    progress rewrites the current month's state, not the season's."""
    for path in box_files(lake)[-3:]:  # as if the last games were played in November
        (path.parent.parent / "month=11").mkdir(exist_ok=True)
        path.rename(path.parent.parent / "month=11" / path.name)
    paths = [str(p) for p in box_files(lake)]
    columns = scan_columns(TABLE)
    state = pathlib.Path(lake.layout.state_file(scan.SCAN_STATE, SEASON, "x")).parent
    shutil.rmtree(state)
    state.mkdir(parents=True)
    (state / f"{TABLE}.parquet").write_bytes(b"a season's one state, as kept before")
    assert not any(f.reused for f in scan.open_table(lake, SEASON, TABLE, paths, columns))
    assert not (state / f"{TABLE}.parquet").exists()  # read by nothing now: gone
    october, november = state / f"{TABLE}-10.parquet", state / f"{TABLE}-11.parquet"
    made = {p: p.stat().st_mtime_ns for p in (october, november)}
    correct_points(lake, box_files(lake)[-1])  # a November game
    infos = scan.open_table(lake, SEASON, TABLE, paths, columns)
    assert [f.path for f in infos if not f.reused] == [paths[-1]]
    assert october.stat().st_mtime_ns == made[october]
    assert november.stat().st_mtime_ns != made[november]
    again = scan.open_table(lake, SEASON, TABLE, paths, columns)
    assert all(f.reused for f in again)
    assert [f.data.to_pylist() for f in again] == [f.data.to_pylist() for f in infos]


def test_validation_takes_what_compaction_read_and_reports_as_a_full_pass(lake):
    """A first run: compaction reads every file of the season, and the report after it
    opens none of them again (one read, not two), yet reports what a full scan reports
    (the lake's day two has a column the API added, recorded in its files' metadata)."""
    games = [p.stem for p in box_files(lake)]
    state = pathlib.Path(lake.layout.state_file(scan.SCAN_STATE, SEASON, "x")).parent
    shutil.rmtree(state)
    shutil.rmtree(pathlib.Path(lake.layout.compact_file(TABLE, SEASON)).parents[2])
    work_of(lake).compact(reader=compaction_feed(lake))
    kept = sorted(p.name for p in state.iterdir())
    assert f"{TABLE}-10.parquet" in kept and len(kept) > 10  # a month's state file each
    tables = {name.removesuffix(".parquet").split("-")[0] for name in kept}
    for table in sorted(tables):
        prefix = pathlib.Path(lake.layout.table_prefix(table, partition_season(table, SEASON)))
        paths = sorted(str(p) for p in prefix.rglob("*.parquet"))
        infos = scan.open_table(lake, SEASON, table, paths, scan_columns(table))
        assert infos and all(f.reused for f in infos), table
    fed = validate_season(lake, SEASON, games=games)

    shutil.rmtree(state)
    full = validate_season(lake, SEASON, games=games)
    assert without_times(full) == without_times(fed)


def test_player_ids_kept_by_game_give_what_a_full_read_gives(lake):
    work = work_of(lake)
    games = work.player_source_games()
    expected = sorted(
        {p for f in box_files(lake) for p in pq.read_table(f)["personId"].to_pylist() if p}
    )
    assert work.player_ids() == expected  # as the runs (day one, then both days) left it
    correct_points(lake, box_files(lake)[3])  # rewritten: its players are read again
    lake.delete(work.players_path(games))
    work.collect_player_ids(games)
    assert work.player_ids() == expected


@pytest.mark.parametrize(
    "root, season, month",
    [("/data/lake", "2024-25", 11), ("s3://bucket/lake", "1946-47", None), ("/l", None, None)],
)
def test_table_files_are_the_names_table_file_and_table_prefix_give(root, season, month):
    """The one-go names a season's state is made from are the lake's names, table by table."""
    layout = Layout(root)
    tables = ("box_traditional_players", "box_traditional_teams", "play_by_play")
    made = layout.table_files(tables, season, month, "0022400123")
    assert made == tuple(
        (layout.table_file(t, season, month, "0022400123"), layout.table_prefix(t, season))
        for t in tables
    )
    assert all(f.endswith("/0022400123.parquet") and f.startswith(p + "/") for f, p in made)


def test_validation_after_compaction_takes_its_listing_and_keeps_the_same_checks(lake):
    """Validation takes the file versions compaction has just listed (no second stat of a
    season's files): the month checks it keeps are those a fresh listing finds current,
    and the report is a full pass's."""
    games = [p.stem for p in box_files(lake)]
    forget_validation(lake)
    compacted = work_of(lake).compact()
    assert compacted.tables[TABLE].listed  # what validation takes
    taken = validate_season(lake, SEASON, games=games, compacted=compacted)
    folder = pathlib.Path(lake.layout.state_file(MONTH_CHECKS, SEASON, "x")).parent
    written = {p: p.stat().st_mtime_ns for p in folder.glob("month-*.json")}
    assert written
    listed_again = validate_season(lake, SEASON, games=games)
    assert {p: p.stat().st_mtime_ns for p in folder.glob("month-*.json")} == written
    forget_validation(lake)
    full = validate_season(lake, SEASON, games=games)
    assert without_times(taken) == without_times(listed_again) == without_times(full)
