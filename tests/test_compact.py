"""Compaction (pipeline/lake/compact.py) of a lake the real graph landed from the simulator."""

import pathlib
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.lake import compact, schema
from pipeline.lake.lake import Lake
from pipeline.nba import endpoints
from pipeline.report.season import compaction_feed, validate_season
from tests.runner import lake_files
from tests.sim_lake import ADDED, SEASON, sim_lake  # noqa: F401  (pytest fixture)


@pytest.fixture
def lake(sim_lake, tmp_path) -> Lake:  # noqa: F811
    """A private copy of the landed lake, compacted once."""
    shutil.copytree(sim_lake, tmp_path / "lake")
    lake = Lake(str(tmp_path / "lake"))
    compact.compact_season(lake, SEASON)
    return lake


def per_game_files(lake: Lake, table: str) -> list[pathlib.Path]:
    """The table's files for the season (all of them for a lake-wide table: players)."""
    prefix = lake.layout.table_prefix(table, schema.partition_season(table, SEASON))
    return sorted(pathlib.Path(prefix).rglob("*.parquet"))


def landed_tables(lake: Lake) -> list[str]:
    return [t for t in schema.tables() if per_game_files(lake, t)]


def expected_rows(lake: Lake, table: str) -> list[dict]:
    """The per-game files' rows, file by file in key order, then sorted by game date and
    game id (Python's sort is stable: a game's rows keep their order)."""
    files = sorted(per_game_files(lake, table), key=lambda p: (len(p.stem), p.stem))
    rows = [row for path in files for row in pq.read_table(path).to_pylist()]
    if "game_date" in schema.table_schema(table).names:
        rows.sort(key=lambda r: (r["game_date"], r["game_id"]))
    return rows


def compacted_files(lake: Lake, table: str) -> list[str]:
    """The table's compacted files of the season: one per month (here, October's)."""
    return compact.compacted_of(lake, table, SEASON, compact.compacted_files(lake))


def compacted_path(lake: Lake, table: str) -> str:
    (path,) = compacted_files(lake, table)  # the landed games are of one month
    return path


def validate(lake: Lake) -> dict:
    """The validation report for the games the lake holds (the index also lists the
    simulator's "today", whose games are not final yet)."""
    games = [p.stem for p in per_game_files(lake, "box_traditional_players")]
    return validate_season(lake, SEASON, games=games)


def test_every_landed_file_has_its_tables_schema(lake):
    """Columns null for a whole game (teamWins, SORT_SEQUENCE, empty LastFiveMeetings...)
    keep their types; the added column is recorded where it appears."""
    tables = landed_tables(lake)
    default_game_tables = [t for e in endpoints.endpoints_for(2024) for t in e.tables.values()]
    assert set(tables) >= {*default_game_tables, "players", "teams", "rosters", "coaches"}
    for table in tables:
        for path in per_game_files(lake, table):
            stored = pq.read_schema(path)
            added = schema.added_columns(stored.metadata)
            assert stored.remove_metadata() == schema.expected_schema(table, added), path
            if table != "players":
                assert added == {}, path
    line_score = pq.read_table(per_game_files(lake, "summary_line_score")[0])
    assert line_score.column("teamWins").null_count == line_score.num_rows
    assert line_score.schema.field("teamWins").type == pa.int64()


def test_every_table_has_its_compacted_file_with_the_same_rows(lake):
    for table in landed_tables(lake):
        path = compacted_path(lake, table)
        compacted = pq.read_table(path)
        assert compacted.to_pylist() == [
            {name: row.get(name) for name in compacted.column_names}
            for row in expected_rows(lake, table)
        ], table
        metadata = compact.compacted_metadata(lake, path)
        assert metadata[compact.INPUTS_KEY] == str(len(per_game_files(lake, table)))
        assert metadata[schema.TABLE_SCHEMA_KEY] == schema.table_version(table)
        assert pq.ParquetFile(path).metadata.row_group(0).num_rows <= compact.ROW_GROUP_ROWS
    pbp = pq.read_table(compacted_path(lake, "play_by_play"))
    keys = list(zip(pbp["game_date"].to_pylist(), pbp["game_id"].to_pylist(), strict=True))
    assert keys == sorted(keys) and len(set(pbp["game_id"].to_pylist())) > 5


def test_a_column_the_api_added_is_one_nullable_column_of_the_compacted_table(lake):
    players = pq.read_table(compacted_path(lake, "players"))
    declared = schema.table_schema("players")
    assert players.schema.names == [*declared.names, ADDED[0]]
    assert players.schema.field(ADDED[0]).type == pa.float64()
    values = players.column(ADDED[0]).to_pylist()
    # Players first seen on the first day were landed before the API sent it.
    assert 0 < values.count(None) < len(values) and set(values) == {None, ADDED[1]}
    recorded = compact.compacted_metadata(lake, compacted_path(lake, "players"))
    assert schema.added_columns({k.encode(): v.encode() for k, v in recorded.items()}) == {
        ADDED[0]: "double"
    }
    # The report says so, and does not count it as a problem.
    report = validate(lake)
    assert report["problems"] == []
    assert report["tables"]["players"]["files_not_in_schema"] == 0
    added = report["tables"]["players"]["added_columns"]
    assert added[ADDED[0]]["type"] == "double"
    assert added[ADDED[0]]["files"] == values.count(ADDED[1])


def test_a_rerun_with_nothing_new_writes_nothing(lake):
    assert compact.behind(lake, SEASON) == []
    before = lake_files(lake.root)
    result = compact.compact_season(lake, SEASON)
    assert result.written == []
    assert {c.status for c in result.tables.values()} == {"current", "empty"}
    assert lake_files(lake.root) == before


def test_a_replaced_game_file_triggers_recompaction(lake):
    path = per_game_files(lake, "box_traditional_players")[3]
    game_id = path.stem
    table = pq.read_table(path)
    points = table.column("points").to_pylist()
    points[0] += 3  # a corrected box score, landed again under the same name
    table = table.set_column(table.schema.get_field_index("points"), "points", pa.array(points))
    lake.write_table(str(path), table, {})
    state = compact.freshness(lake, "box_traditional_players", SEASON)
    assert state.state == "behind"
    assert [s.table for s in compact.behind(lake, SEASON)] == ["box_traditional_players"]
    report = validate(lake)
    assert report["compaction"]["box_traditional_players"]["state"] == "behind"
    assert report["compaction"]["box_traditional_teams"]["state"] == "current"

    result = compact.compact_season(lake, SEASON)
    assert result.written == ["box_traditional_players"]
    assert result.tables["box_traditional_players"].files_read == 1  # only the changed game
    compacted = pq.read_table(compacted_path(lake, "box_traditional_players"))
    rows = [r for r in compacted.to_pylist() if r["game_id"] == game_id]
    assert rows[0]["points"] == points[0]
    assert compacted.to_pylist() == expected_rows(lake, "box_traditional_players")
    assert compact.freshness(lake, "box_traditional_players", SEASON).state == "current"


def test_a_new_game_and_a_removed_table_follow(lake):
    path = per_game_files(lake, "summary_arena")[4]
    moved = path.with_suffix(".bak")
    path.rename(moved)  # as if this game had not landed yet
    assert compact.compact_season(lake, SEASON).written == ["summary_arena"]
    assert pq.read_metadata(compacted_path(lake, "summary_arena")).num_rows == len(
        per_game_files(lake, "summary_arena")
    )
    moved.rename(path)  # it lands
    result = compact.compact_season(lake, SEASON)
    assert result.written == ["summary_arena"] and result.tables["summary_arena"].files_read == 1
    compacted = pq.read_table(compacted_path(lake, "summary_arena"))
    assert compacted.to_pylist() == expected_rows(lake, "summary_arena")
    assert compact.freshness(lake, "summary_arena", SEASON).state == "current"
    shutil.rmtree(pathlib.Path(lake.layout.table_prefix("summary_arena", SEASON)))  # a rebuild
    assert compact.compact_season(lake, SEASON).written == ["summary_arena"]
    assert compacted_files(lake, "summary_arena") == []


def test_a_day_rewrites_its_months_file_and_no_other(lake):
    """A file per month: a season in progress touches the current month's file only. The
    last five games are moved to a month of their own (the daily run's new month)."""
    table = "play_by_play"
    games = per_game_files(lake, table)
    later = sorted(games, key=lambda p: (len(p.stem), p.stem))[-5:]
    for path in later:
        (path.parent.parent / "month=11").mkdir(exist_ok=True)
        path.rename(path.parent.parent / "month=11" / path.name)
    assert compact.compact_season(lake, SEASON).written == [table]
    october, november = compacted_files(lake, table)
    assert [pathlib.Path(p).name for p in (october, november)] == [
        f"{table}-10.parquet",
        f"{table}-11.parquet",
    ]
    assert set(pq.read_table(november)["game_id"].to_pylist()) == {p.stem for p in later}
    both = pa.concat_tables([pq.read_table(october), pq.read_table(november)])
    assert sorted(both.to_pylist(), key=lambda r: (r["game_date"], r["game_id"])) == (
        expected_rows(lake, table)
    )
    assert compact.freshness(lake, table, SEASON).state == "current"
    # A correction in November: its file is made again from the one file, October's kept.
    october_made = pathlib.Path(october).stat().st_mtime_ns
    rewritten = per_game_files(lake, table)[-1]
    assert rewritten.parent.name == "month=11"
    lake.write_table(str(rewritten), pq.read_table(rewritten), {})
    assert compact.freshness(lake, table, SEASON).state == "behind"
    result = compact.compact_season(lake, SEASON)
    assert result.written == [table] and result.tables[table].files_read == 1
    assert pathlib.Path(october).stat().st_mtime_ns == october_made
    assert compact.freshness(lake, table, SEASON).state == "current"


def test_a_season_compacted_whole_is_replaced_by_its_months(lake):
    """A lake compacted before files were made per month: its one file per season would
    double every row for a reader of the folder, so it goes once the months are written."""
    table = "box_traditional_players"
    month = compacted_path(lake, table)
    whole = lake.layout.compact_file(table, SEASON)
    pathlib.Path(month).rename(whole)
    state = compact.freshness(lake, table, SEASON)
    assert state.state == "behind" and "no files now" in state.detail, state
    assert compact.compact_season(lake, SEASON).written == [table]
    assert compacted_files(lake, table) == [month] and not pathlib.Path(whole).exists()
    assert pq.read_table(month).to_pylist() == expected_rows(lake, table)


def in_memory(lake: Lake, table: str) -> pa.Table:
    """The straightforward compaction: every file read at once, concatenated, sorted."""
    files = sorted(per_game_files(lake, table), key=lambda p: (len(p.stem), p.stem))
    data, _ = compact.combine(table, [(str(p), pq.read_table(p)) for p in files])
    return data


def assert_same_as_in_memory(lake: Lake, table: str) -> None:
    path = compacted_path(lake, table)
    streamed, expected = pq.read_table(path), in_memory(lake, table)
    assert streamed.schema.remove_metadata() == expected.schema, table
    assert streamed.to_pylist() == expected.to_pylist(), table
    groups = [
        g.num_rows
        for g in (
            pq.ParquetFile(path).metadata.row_group(i)
            for i in range(pq.ParquetFile(path).metadata.num_row_groups)
        )
    ]
    full, last = divmod(expected.num_rows, compact.ROW_GROUP_ROWS)
    assert groups == [compact.ROW_GROUP_ROWS] * full + ([last] if last or not full else [])


def test_streamed_compaction_is_the_in_memory_one_row_groups_and_all(lake, monkeypatch):
    """Small row groups and read chunks, so that every table spans several of each: a
    first compaction, then an update that merges changed games into the previous copy."""
    monkeypatch.setattr(compact, "ROW_GROUP_ROWS", 40)
    monkeypatch.setattr(compact, "READ_CHUNK", 3)
    monkeypatch.setattr(compact, "READ_BATCH_ROWS", 7)  # games cut across batches
    monkeypatch.setattr(compact, "HELD_PIECES", 2)  # pieces copied into one as they come
    for path in pathlib.Path(lake.root, "compact").rglob("*.parquet"):
        path.unlink()
    compact.compact_season(lake, SEASON)
    for table in landed_tables(lake):
        assert_same_as_in_memory(lake, table)
    for index in (0, 7):  # the first game of the season and a later one, rewritten
        path = per_game_files(lake, "play_by_play")[index]
        lake.write_table(str(path), pq.read_table(path), {})
    result = compact.compact_season(lake, SEASON)
    assert result.written == ["play_by_play"] and result.tables["play_by_play"].files_read == 2
    assert_same_as_in_memory(lake, "play_by_play")


def test_a_file_whose_rows_disagree_with_the_index_still_comes_out_sorted(lake):
    path = per_game_files(lake, "summary_arena")[2]
    table = pq.read_table(path)
    dates = pa.array(["2024-10-01"] * table.num_rows)  # earlier than the index says
    table = table.set_column(table.schema.get_field_index("game_date"), "game_date", dates)
    lake.write_table(str(path), table, {})
    assert compact.compact_season(lake, SEASON).written == ["summary_arena"]
    compacted = pq.read_table(compacted_path(lake, "summary_arena"))
    assert compacted.to_pylist() == expected_rows(lake, "summary_arena")
    assert compacted.column("game_date")[0].as_py() == "2024-10-01"


def test_the_report_after_compaction_takes_it_as_the_listing_would(lake):
    """A season run hands its compaction to its report, which then lists no table again:
    the section must say what freshness, from the listings, says."""
    path = per_game_files(lake, "box_traditional_players")[3]
    pathlib.Path(path).unlink()  # a game to compact again, so one table is written
    made = compact.compact_season(lake, SEASON)
    assert made.written == ["box_traditional_players"]
    games = [p.stem for p in per_game_files(lake, "box_traditional_teams")]
    listed = validate_season(lake, SEASON, games=games)["compaction"]
    taken = validate_season(lake, SEASON, games=games, compacted=made)["compaction"]
    assert taken == listed and listed["box_traditional_players"]["state"] == "current"
    assert len(taken) > 10


def test_tables_compacted_in_processes_are_as_compacted_in_one(lake, monkeypatch):
    """A local lake compacts a table per process: the same files, rows and validation scan
    state (kept by the process that read the files) as one process makes, and a report
    that takes them the same way."""
    monkeypatch.setattr(compact, "PROCESSES_FROM_FILES", 0)  # a small lake: processes anyway
    made = {}
    for processes in (1, 2):
        for folder in ("compact", "backfill-state/validation-scan"):
            shutil.rmtree(pathlib.Path(lake.root, folder), ignore_errors=True)
        monkeypatch.setattr(lake.store, "processes", processes)
        result = compact.compact_season(lake, SEASON, reader=compaction_feed(lake))
        files = {
            str(p.relative_to(lake.root)): pq.read_table(p)
            for p in sorted(pathlib.Path(lake.root).rglob("*.parquet"))
            if p.relative_to(lake.root).parts[0] == "compact" or "validation-scan" in str(p)
        }
        report = validate(lake)
        made[processes] = (result.tables, files, report["problems"], report["tables"])
    (one_tables, one_files, *one_report), (many_tables, many_files, *many_report) = made.values()
    assert many_tables == one_tables and len(one_tables) == len(schema.tables())
    assert list(many_files) == list(one_files)
    assert any("validation-scan" in f for f in one_files) and len(one_files) > 20
    for name, table in one_files.items():
        assert many_files[name].equals(table), name
    assert many_report == one_report
