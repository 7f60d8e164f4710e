"""Season validation (issue #6) on a week the real graph lands from the simulator.

The week is backfilled once per session (SeasonBackfill over HTTP from pipeline.sim, in a
subprocess so the process-wide API client and Luigi's instance cache stay out of it); every
test that corrupts the lake works on its own copy. Should the graph fail, the week is landed
from the simulator's bodies directly (same parser, same ingest.land), with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import shutil
import subprocess
import sys
import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.core import seasons
from pipeline.lake.lake import Lake
from pipeline.lake.parquet import to_parquet_bytes
from pipeline.model.ingest import Item, game_item, land
from pipeline.nba import endpoints, parse
from pipeline.nba.games import INDEX_SCHEMA, games_from_index, index_from_finder, select_games
from pipeline.report.season import validate_season, write_report
from tests.runner import why
from tests.s3_server import s3_bucket, s3_endpoint  # noqa: F401  (pytest fixtures)

REPO = pathlib.Path(__file__).resolve().parents[1]
SEASON = "2024-25"
START, END = "2024-10-22", "2024-10-28"
# The simulator's "today": games on it are live, so the day after the week.
TODAY = "2024-10-29"
GAME_TABLES = [t for e in endpoints.endpoints_for(2024) for t in e.tables.values()]


def run_luigi(args, *, lake, tmp, base_url, timeout=300) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "LAKE_ROOT": str(lake),
        "NBA_API_BASE_URL": base_url,
        "NBA_RATE_LIMIT_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "luigi",
        *args,
        "--local-scheduler",
        "--nba-limiter-state-path",
        str(pathlib.Path(tmp) / "limiter.sqlite"),
    ]
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )


def land_direct(
    root,
    *,
    seed: int,
    today: str,
    start: str | None = None,
    end: str | None = None,
    players: bool = True,
) -> Lake:
    """A lake from the simulator's bodies without HTTP or Luigi: discovery, every game
    endpoint of the selected games, and (optionally) a bio for every box-score player."""
    from pipeline.sim.bodies import Responder
    from pipeline.sim.league import League

    responder = Responder(League(seed=seed, today=dt.date.fromisoformat(today)))
    lake = Lake(str(root))

    def body(api_name: str, params: dict) -> str:
        reply = responder.answer(api_name, params)
        assert reply.status == 200, (api_name, params, reply.body)
        return json.dumps(reply.body)

    rows = []
    for season_type in seasons.SEASON_TYPES:
        found = parse.parse(
            endpoints.GAME_FINDER,
            body(
                "leaguegamefinder",
                {
                    "PlayerOrTeam": "T",
                    "LeagueID": "00",
                    "Season": SEASON,
                    "SeasonType": season_type,
                },
            ),
        )
        rows.extend(found["game_finder"].to_pylist())
    index = index_from_finder(SEASON, rows)
    lake.write_bytes(lake.layout.game_index(SEASON), to_parquet_bytes(index, {}))
    games = select_games(
        games_from_index(index),
        season_types=seasons.SEASON_TYPES,
        start=start and dt.date.fromisoformat(start),
        end=end and dt.date.fromisoformat(end),
    )
    people = set()
    for game in games:
        for endpoint in endpoints.endpoints_for(int(SEASON[:4])):
            text = body(endpoint.api_name, {"GameID": game.game_id})
            land(lake, endpoint, game_item(game), text)
            if endpoint.key == "box_traditional":
                people.update(
                    p["personId"]
                    for side in ("homeTeam", "awayTeam")
                    for p in json.loads(text)["boxScoreTraditional"][side]["players"]
                )
    if players:
        for person in sorted(people):
            item = Item(season=SEASON, key=str(person), month=None, lineage={"season": SEASON})
            land(
                lake,
                endpoints.PLAYER_INFO,
                item,
                body("commonplayerinfo", {"PlayerID": str(person), "LeagueID": "00"}),
            )
    return lake


@pytest.fixture(scope="session")
def week_lake(tmp_path_factory) -> pathlib.Path:
    from pipeline.sim.server import SimServer

    tmp = tmp_path_factory.mktemp("validate-week")
    # today = the week's last day: the game index holds exactly the week's games.
    with SimServer(port=0, seed=11, today=TODAY) as sim:
        result = run_luigi(
            [
                "--module",
                "pipeline",
                "SeasonBackfill",
                "--season",
                SEASON,
                "--start-date",
                START,
                "--end-date",
                END,
                "--workers",
                "2",
            ],
            lake=tmp / "lake",
            tmp=tmp,
            base_url=sim.base_url,
        )
    if result.returncode != 0:
        warnings.warn(
            "SeasonBackfill failed, landing the week directly instead: " + result.stderr[-1500:],
            stacklevel=1,
        )
        shutil.rmtree(tmp / "lake", ignore_errors=True)
        land_direct(tmp / "lake", seed=11, today=TODAY, start=START, end=END)
    return tmp / "lake"


@pytest.fixture
def lake(week_lake, tmp_path) -> Lake:
    """A private copy of the week, free to corrupt."""
    shutil.copytree(week_lake, tmp_path / "lake")
    return Lake(str(tmp_path / "lake"))


def game_ids(lake: Lake) -> list[str]:
    """The week's final games (the index also lists the games live on the simulator's today)."""
    index = pq.read_table(lake.layout.game_index(SEASON)).to_pylist()
    return [g["game_id"] for g in index if g["status"] == "final"]


def table_path(lake: Lake, table: str, game_id: str) -> pathlib.Path:
    index = pq.read_table(lake.layout.game_index(SEASON)).to_pylist()
    month = next(g["month"] for g in index if g["game_id"] == game_id)
    return pathlib.Path(lake.layout.table_file(table, SEASON, month, game_id))


def rewrite(path: pathlib.Path, change) -> None:
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def add_to_first(table: pa.Table, column: str, amount: int) -> pa.Table:
    """The table with `amount` added to the first row's value of an int64 column."""
    values = table.column(column).to_pylist()
    values[0] += amount
    return table.set_column(
        table.schema.get_field_index(column), column, pa.array(values, pa.int64())
    )


def flagged(report: dict) -> set[tuple[str, str, str]]:
    return {(p["game_id"], p["dataset"], p["rule"]) for p in report["problems"]}


# --- the clean week ---------------------------------------------------------------------


def test_clean_week_scores_one(lake):
    report = validate_season(lake, SEASON)
    summary = report["summary"]
    ids = game_ids(lake)
    assert len(ids) > 30
    assert report["problems"] == []
    assert summary["expected_games"] == summary["complete_games"] == len(ids)
    assert summary["quality_score"] == 1.0 and summary["error_rate"] == 0.0
    assert summary["flags"] == [] and summary["passed"]
    assert set(report["games"]) == set(ids) and set(report["games"].values()) == {1.0}
    cells = report["completeness"]["by_month_dataset"]
    assert {c["dataset"] for c in cells} == set(GAME_TABLES)
    assert all(c["present"] == c["expected"] for c in cells)
    assert sum(c["expected"] for c in cells) == len(ids) * len(GAME_TABLES)
    assert report["entity_checks"]["players"]["status"] == "ran"


def test_player_check_skips_without_players(lake):
    shutil.rmtree(pathlib.Path(lake.layout.table_prefix("players", SEASON)).parent)
    report = validate_season(lake, SEASON)
    assert report["entity_checks"]["players"]["status"] == "skipped"
    assert "no players" in report["entity_checks"]["players"]["reason"]
    assert report["summary"]["quality_score"] == 1.0


# --- each corruption flags the exact game and rule ---------------------------------------


def delete_file(lake, game_id):
    table_path(lake, "box_advanced_players", game_id).unlink()
    return {(game_id, "box_advanced_players", "completeness.missing")}


def change_points(lake, game_id):
    rewrite(
        table_path(lake, "box_traditional_players", game_id), lambda t: add_to_first(t, "points", 3)
    )
    return {(game_id, "box_traditional_players", "reconcile.team_points")}


def drop_column(lake, game_id):
    rewrite(
        table_path(lake, "box_traditional_teams", game_id),
        lambda t: t.drop_columns(["fieldGoalsAttempted"]),
    )
    return {
        (game_id, "box_traditional_teams", "schema.columns"),
        (game_id, "box_traditional_teams", "schema.drift"),
    }


def duplicate_row(lake, game_id):
    rewrite(
        table_path(lake, "box_traditional_players", game_id),
        lambda t: pa.concat_tables([t, t.slice(2, 1)]),
    )
    return {(game_id, "box_traditional_players", "unique.player")}


def truncate_pbp(lake, game_id):
    rewrite(table_path(lake, "play_by_play", game_id), lambda t: t.slice(0, t.num_rows * 2 // 3))
    return {
        (game_id, "play_by_play", "reconcile.pbp_score"),
        (game_id, "play_by_play", "pbp.final_action"),
    }


@pytest.mark.parametrize(
    "corrupt", [delete_file, change_points, drop_column, duplicate_row, truncate_pbp]
)
def test_corruption_flags_exact_game_and_rule(lake, corrupt):
    victim = game_ids(lake)[5]
    expected = corrupt(lake, victim)
    report = validate_season(lake, SEASON)
    found = flagged(report)
    assert expected <= found, found
    assert {g for g, _, _ in found} == {victim}  # nothing else is blamed
    assert report["games"][victim] < 1.0
    assert all(s == 1.0 for g, s in report["games"].items() if g != victim)
    assert 0 < report["summary"]["quality_score"] < 1.0


def test_drop_column_other_checks_still_run(lake):
    """A dropped column reads as nulls: schema flags it, value checks do not crash."""
    victim = game_ids(lake)[0]
    rewrite(
        table_path(lake, "box_traditional_players", victim), lambda t: t.drop_columns(["points"])
    )
    found = flagged(validate_season(lake, SEASON))
    assert (victim, "box_traditional_players", "schema.columns") in found
    assert {g for g, _, _ in found} == {victim}


def test_out_of_range_values_are_flagged(lake):
    victim = game_ids(lake)[1]

    def spoil(table):
        rows = table.to_pylist()
        rows[0]["minutes"] = "75:00"
        rows[0]["fieldGoalsPercentage"] = 1.5
        rows[0]["freeThrowsMade"] = rows[0]["freeThrowsAttempted"] + 1
        rows[1]["steals"] = -1
        rows[2]["teamId"] = 1610612700
        return pa.Table.from_pylist(rows, schema=table.schema)

    rewrite(table_path(lake, "box_traditional_players", victim), spoil)
    rules = {r for g, d, r in flagged(validate_season(lake, SEASON)) if g == victim}
    assert {
        "range.minutes",
        "range.percentage",
        "range.made_attempted",
        "range.negative_count",
        "reconcile.player_team",
    } <= rules


def test_pbp_gap_and_line_score(lake):
    first, second = game_ids(lake)[2:4]
    rewrite(
        table_path(lake, "play_by_play", first),
        lambda t: pa.concat_tables([t.slice(0, 10), t.slice(11)]),
    )

    rewrite(table_path(lake, "summary_line_score", second), lambda t: add_to_first(t, "score", 1))
    found = flagged(validate_season(lake, SEASON))
    assert (first, "play_by_play", "pbp.sequence") in found
    assert (second, "summary_line_score", "reconcile.line_score") in found


# --- completeness: dead letters, unplayed games, selections, thresholds -------------------


def test_dead_letter_is_listed_with_its_reason(lake):
    victim = game_ids(lake)[4]
    for table in endpoints.PLAY_BY_PLAY.tables.values():
        table_path(lake, table, victim).unlink()
    lake.write_json(
        lake.layout.dead_letter(SEASON, "play_by_play", victim),
        {
            "game_id": victim,
            "endpoint": "play_by_play",
            "error_type": "NotFoundError",
            "error": "HTTP 404 no such game",
            "attempts": 2,
            "first_attempt": "x",
            "last_attempt": "y",
        },
    )
    report = validate_season(lake, SEASON)
    problems = [p for p in report["problems"] if p["game_id"] == victim]
    assert [(p["dataset"], p["rule"]) for p in problems] == [
        ("play_by_play", "completeness.dead_letter")
    ]
    assert "NotFoundError: HTTP 404 no such game" in problems[0]["detail"]
    assert report["summary"]["dead_lettered"] == 1 and report["summary"]["missing"] == 0


def test_unplayed_games_are_not_missing(lake):
    index = pq.read_table(lake.layout.game_index(SEASON)).to_pylist()
    last = max(i for i, g in enumerate(index) if g["status"] == "final")
    index[last]["status"] = "scheduled"
    for table in GAME_TABLES:
        table_path(lake, table, index[last]["game_id"]).unlink()
    pq.write_table(pa.Table.from_pylist(index, schema=INDEX_SCHEMA), lake.layout.game_index(SEASON))
    report = validate_season(lake, SEASON)
    not_final = sum(g["status"] != "final" for g in index)  # the one above, and today's live
    assert report["summary"]["not_yet_played"] == not_final
    assert report["summary"]["quality_score"] == 1.0 and report["problems"] == []
    assert index[last]["game_id"] in report["completeness"]["not_yet_played"]


def test_selected_games_only(lake):
    chosen = game_ids(lake)[:3]
    table_path(lake, "play_by_play", game_ids(lake)[10]).unlink()  # outside the selection
    report = validate_season(lake, SEASON, games=chosen)
    assert report["summary"]["expected_games"] == 3 and set(report["games"]) == set(chosen)
    assert report["problems"] == [] and report["scope"]["games"] == "selected"


def test_many_missing_games_raise_the_flags(lake):
    for game_id in game_ids(lake)[:6]:
        table_path(lake, "summary_game", game_id).unlink()
    summary = validate_season(lake, SEASON)["summary"]
    assert summary["missing"] == 6 and summary["error_rate"] > 0.05
    assert not summary["passed"] and any("error rate" in f for f in summary["flags"])


def test_missing_player_bio_is_flagged(lake):
    victim = game_ids(lake)[7]
    table = pq.read_table(table_path(lake, "box_traditional_players", victim))
    absent = table.column("personId")[0].as_py()
    pathlib.Path(lake.layout.table_file("players", None, None, str(absent))).unlink()  # lake-wide
    report = validate_season(lake, SEASON)
    assert report["entity_checks"]["players"]["status"] == "ran"
    bio = [p for p in report["problems"] if p["rule"] == "players.bio_missing"]
    assert victim in {p["game_id"] for p in bio}
    assert all(str(absent) in p["detail"] for p in bio)
    assert {p["rule"] for p in report["problems"]} == {"players.bio_missing"}


# --- the outputs --------------------------------------------------------------------------


def test_write_report_json_and_html(lake):
    victim = game_ids(lake)[0]
    change_points(lake, victim)
    report = validate_season(lake, SEASON)
    json_path, html_path = write_report(lake, SEASON, report)
    assert json_path.startswith(lake.layout.report_dir(SEASON))
    stored = json.loads(pathlib.Path(json_path).read_text())
    assert stored["problems"] == report["problems"] and stored["schema_version"] == 1
    html = pathlib.Path(html_path).read_text()
    assert "<svg" in html and 'id="summary"' in html and victim in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_validation_mode_makes_no_api_call(lake, tmp_path):
    # A base URL nothing listens on: any API call would fail the task.
    result = run_luigi(
        ["--module", "pipeline.tasks.validate", "ValidateSeason", "--season", SEASON],
        lake=lake.root,
        tmp=tmp_path,
        base_url="http://127.0.0.1:9/stats/{endpoint}",
        timeout=120,
    )
    assert result.returncode == 0, why(result)
    assert "report.json" in result.stdout and "report.html" in result.stdout
    assert "quality score 1.0" in result.stdout
    assert pathlib.Path(lake.layout.report_dir(SEASON), "report.html").exists()


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium not installed (apt-get install chromium): HTML render not tested")
    return found


def chromium(binary: str, profile: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_html_renders_in_headless_chromium(lake, tmp_path):
    binary = chromium_binary()
    victim = game_ids(lake)[3]
    change_points(lake, victim)
    report = validate_season(lake, SEASON)
    _, html_path = write_report(lake, SEASON, report)
    url = pathlib.Path(html_path).as_uri()

    dom = chromium(binary, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, why(dom)
    html = dom.stdout
    assert 'id="summary"' in html and "quality score" in html
    assert html.count('class="cell"') == len(report["completeness"]["by_month_dataset"])
    assert 'id="completeness-chart"' in html
    assert f"<td>{victim}</td>" in html and "reconcile.team_points" in html

    png = tmp_path / "report.png"
    shot = chromium(
        binary,
        tmp_path / "profile2",
        f"--screenshot={png}",
        "--window-size=1200,900",
        "--hide-scrollbars",
        url,
    )
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a blank page is ~5 kB


def test_validates_a_lake_on_s3(week_lake, s3_bucket):  # noqa: F811
    """The same checks through the Lake on S3 (moto): listings and reads, no local paths."""
    local = Lake(str(week_lake))
    chosen = game_ids(local)[:3]
    s3_lake = Lake(f"s3://{s3_bucket}/lake")
    for path in sorted(p for p in pathlib.Path(week_lake).rglob("*") if p.is_file()):
        relative = path.relative_to(week_lake).as_posix()
        if relative.startswith(("games/", "players/")) or any(g in relative for g in chosen):
            s3_lake.write_bytes(f"{s3_lake.root}/{relative}", path.read_bytes())
    victim = chosen[1]  # one player scores a point more than the team knows of
    path = table_path(local, "box_traditional_players", victim)
    table = pq.read_table(path)
    points = table.column("points").to_pylist()
    points[0] += 1
    sink = pa.BufferOutputStream()
    pq.write_table(
        table.set_column(
            table.schema.get_field_index("points"), "points", pa.array(points, pa.int64())
        ),
        sink,
    )
    s3_lake.write_bytes(
        f"{s3_lake.root}/{path.relative_to(week_lake).as_posix()}", sink.getvalue().to_pybytes()
    )
    report = validate_season(s3_lake, SEASON, games=chosen)
    assert report["summary"]["expected_games"] == 3
    assert flagged(report) == {(victim, "box_traditional_players", "reconcile.team_points")}
    json_path, _ = write_report(s3_lake, SEASON, report)
    assert json_path.startswith(f"s3://{s3_bucket}/lake/data-quality/")
    assert s3_lake.read_json(json_path)["games"] == report["games"]


def test_clock_values_are_read_as_box_scores_write_them():
    """Minutes as modern box scores give them ('34:12'), as old ones do (whole minutes,
    '39'), and what is neither: NaN, so a range check skips it rather than misreads it."""
    import math

    import pandas as pd

    from pipeline.report.checks import minutes_of, seconds_of

    values = pd.Series(["34:12", "39", "", None, "12:60", "7:3", "PT34M12.00S", "0:05"])
    minutes = minutes_of(values).tolist()
    assert minutes[:2] == [34.2, 39.0] and minutes[7] == 5 / 60
    assert all(math.isnan(m) for m in minutes[2:7])
    seconds = seconds_of(values).tolist()
    assert seconds[0] == 34 * 60 + 12 and seconds[7] == 5
    assert seconds[2:4] == [0.0, 0.0]  # did not play
    assert all(math.isnan(s) for s in (seconds[1], *seconds[4:7]))
