"""SeasonBackfill end to end: the real CLI, the real graph, the simulator over HTTP."""

import os
import pathlib
import shutil
import signal

import pyarrow.parquet as pq
import pytest

from pipeline.nba import endpoints
from pipeline.sim.server import SimServer
from tests.runner import (
    lake_files,
    luigi_cli,
    luigi_cli_started,
    requests_in,
    wait_until,
    why,
)

WEEK = [
    "SeasonBackfill",
    "--season",
    "2024-25",
    "--start-date",
    "2024-10-22",
    "--end-date",
    "2024-10-28",
    "--workers",
    "2",
]
GAME_TABLES = [table for e in endpoints.endpoints_for(2024) for table in e.tables.values()]


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """One backfilled week, shared by the tests below (each copies it before changing it)."""
    tmp = tmp_path_factory.mktemp("week")
    with SimServer(port=0, seed=7, request_log=str(tmp / "requests.jsonl")) as sim:
        result = luigi_cli(WEEK, lake=tmp / "lake", sim=sim, tmp=tmp)
    assert result.returncode == 0, why(result)
    return tmp, sim.league


def week_games(league):
    return [
        g
        for g in league.season("2024-25").games
        if "2024-10-22" <= g.date.isoformat() <= "2024-10-28"
    ]


def lake_without_a_game(week, tmp_path) -> tuple:
    """A copy of the week's lake with every file of one game deleted: (lake, its game id)."""
    tmp, league = week
    lake = tmp_path / "lake"
    shutil.copytree(tmp / "lake", lake)
    victim = week_games(league)[3].game_id
    for path in lake.rglob(f"{victim}.*"):
        path.unlink()
    return lake, victim


def test_week_lands_every_game_and_endpoint(week):
    tmp, league = week
    lake = tmp / "lake"
    games = week_games(league)
    assert len(games) > 30
    index = pq.read_table(lake / "games/season=2024-25/games.parquet").to_pylist()
    assert {g["game_id"] for g in index} >= {g.game_id for g in games}
    for game in games:
        month = game.date.month
        for table in GAME_TABLES:
            path = lake / table / "season=2024-25" / f"month={month}" / f"{game.game_id}.parquet"
            assert path.exists(), path
        for endpoint in endpoints.endpoints_for(2024):
            raw = lake / "raw" / endpoint.key / "season=2024-25" / f"month={month}"
            assert (raw / f"{game.game_id}.json.gz").exists()
    # One request per (game, endpoint) plus discovery: nothing fetched twice.
    log = requests_in(tmp / "requests.jsonl")
    calls = [(r["endpoint"], r["params"].get("GameID")) for r in log]
    game_calls = [c for c in calls if c[1]]
    assert len(game_calls) == len(set(game_calls)) == 4 * len(games)


def test_players_table_types_and_lineage(week):
    tmp, league = week
    game = week_games(league)[0]
    path = (
        tmp
        / "lake/box_traditional_players/season=2024-25"
        / f"month={game.date.month}"
        / f"{game.game_id}.parquet"
    )
    table = pq.read_table(path)
    schema = {f.name: str(f.type) for f in table.schema}
    assert schema["points"] == "int64" and schema["minutes"] == "string"
    assert schema["fieldGoalsPercentage"] == "double"
    row = table.to_pylist()[0]
    assert row["game_id"] == game.game_id and row["season"] == "2024-25"
    assert row["season_type"] == "Regular Season" and row["game_date"] == game.date.isoformat()


def test_rerun_makes_no_request_and_writes_nothing(week, tmp_path):
    tmp, _ = week
    lake = tmp_path / "lake"
    shutil.copytree(tmp / "lake", lake)
    before = lake_files(lake)
    with SimServer(port=0, seed=7, request_log=str(tmp_path / "requests.jsonl")) as sim:
        result = luigi_cli(WEEK, lake=lake, sim=sim, tmp=tmp_path)
    assert result.returncode == 0, why(result)
    assert requests_in(tmp_path / "requests.jsonl") == []
    assert lake_files(lake) == before


def test_deleted_game_is_fetched_again_and_nothing_else(week, tmp_path):
    lake, victim = lake_without_a_game(week, tmp_path)
    with SimServer(port=0, seed=7, request_log=str(tmp_path / "requests.jsonl")) as sim:
        result = luigi_cli(WEEK, lake=lake, sim=sim, tmp=tmp_path)
    assert result.returncode == 0, why(result)
    calls = sorted(
        (r["endpoint"], r["params"].get("GameID")) for r in requests_in(tmp_path / "requests.jsonl")
    )
    assert calls == sorted((e.api_name, victim) for e in endpoints.endpoints_for(2024))


def test_tables_are_rederived_from_raw_without_api_calls(week, tmp_path):
    tmp, _ = week
    lake = tmp_path / "lake"
    shutil.copytree(tmp / "lake", lake)
    shutil.rmtree(lake / "play_by_play")  # e.g. after a parser change
    with SimServer(port=0, seed=7, request_log=str(tmp_path / "requests.jsonl")) as sim:
        result = luigi_cli(WEEK, lake=lake, sim=sim, tmp=tmp_path)
    assert result.returncode == 0, why(result)
    assert requests_in(tmp_path / "requests.jsonl") == []
    assert len(list((lake / "play_by_play").rglob("*.parquet"))) == len(
        list((tmp / "lake" / "play_by_play").rglob("*.parquet"))
    )


def test_every_table_deleted_is_rebuilt_from_raw_game_logs_included(week, tmp_path):
    """A rebuild after a parser change: every table goes, raw bodies, the game index and
    the run state stay. The game logs were checked for good in the first run, and are
    derived again like every other table: the run is whole, and says so in its exit code."""
    tmp, _ = week
    lake = tmp_path / "lake"
    shutil.copytree(tmp / "lake", lake)
    kept = {"raw", "games", "backfill-state", "data-quality"}
    tables = sorted(p.name for p in lake.iterdir() if p.name not in kept)
    assert {"game_log_players", "game_log_teams", "play_by_play"} <= set(tables)
    for name in tables:
        shutil.rmtree(lake / name)
    with SimServer(port=0, seed=7, request_log=str(tmp_path / "requests.jsonl")) as sim:
        result = luigi_cli(WEEK, lake=lake, sim=sim, tmp=tmp_path)
    assert result.returncode == 0, why(result)
    assert requests_in(tmp_path / "requests.jsonl") == []
    assert sorted(p.name for p in lake.iterdir() if p.name not in kept) == tables
    for name in ("game_log_players", "game_log_teams"):
        assert sorted(p.name for p in (lake / name).rglob("*.parquet")) == sorted(
            p.name for p in (tmp / "lake" / name).rglob("*.parquet")
        )


@pytest.mark.parametrize(
    "args,message",
    [
        (["--season", "2024-26"], "invalid season '2024-26'"),
        (["--season", "24-25"], "invalid season '24-25'"),
        (
            ["--season", "2024-25", "--start-date", "2025-01-10", "--end-date", "2025-01-01"],
            "start date 2025-01-10 is after end date 2025-01-01",
        ),
        (
            ["--season", "2024-25", "--season-types", "Regular Season,Summer League"],
            "unknown season type 'Summer League'",
        ),
        (["--season", "2024-25", "--start-date", "2025-13-01"], "invalid date '2025-13-01'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_any_request(tmp_path, args, message):
    with SimServer(port=0, seed=7, request_log=str(tmp_path / "requests.jsonl")) as sim:
        result = luigi_cli(["SeasonBackfill", *args], lake=tmp_path / "lake", sim=sim, tmp=tmp_path)
    assert result.returncode == 2, why(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), lines
    assert requests_in(tmp_path / "requests.jsonl") == []
    assert not (tmp_path / "lake").exists()


OPTIONAL = [e for e in endpoints.GAME_ENDPOINTS if e.optional]
SWITCHES = [f"--{e.group.replace('_', '-')}" for e in OPTIONAL]


def test_optional_box_scores_land_when_switched_on_and_the_plan_counts_them(tmp_path):
    """The four optional V3 box scores: off by default, one switch each (the catalogue)."""
    args = [
        "SeasonBackfill",
        "--season",
        "2024-25",
        "--start-date",
        "2024-10-22",
        "--end-date",
        "2024-10-23",
        "--no-player-info",
        "--no-team-info",
        "--no-play-by-play",
    ]
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=7, request_log=str(log)) as sim:
        plain = luigi_cli([*args, "--dry-run"], lake=tmp_path / "lake", sim=sim, tmp=tmp_path)
        assert luigi_cli(args, lake=tmp_path / "lake", sim=sim, tmp=tmp_path).returncode == 0
        planned = luigi_cli(
            [*args, *SWITCHES, "--dry-run"], lake=tmp_path / "lake", sim=sim, tmp=tmp_path
        )
        before = len(requests_in(log))
        result = luigi_cli([*args, *SWITCHES], lake=tmp_path / "lake", sim=sim, tmp=tmp_path)
        games = {g.game_id for g in week_games(sim.league) if g.date.isoformat() <= "2024-10-23"}
    assert result.returncode == 0, why(result)
    assert not any(e.api_name in plain.stdout for e in OPTIONAL)  # off by default
    added = requests_in(log)[before:]
    assert sorted((r["endpoint"], r["params"]["GameID"]) for r in added) == sorted(
        (e.api_name, g) for e in OPTIONAL for g in games
    )  # +1 request per game each, and nothing else
    for endpoint in OPTIONAL:
        assert f"{endpoint.key:<30}" in planned.stdout
        for table in endpoint.tables.values():
            stored = {p.stem for p in (tmp_path / "lake" / table).rglob("*.parquet")}
            assert stored == games, table
    assert f"{len(games) * len(OPTIONAL)} requests at one per" in planned.stdout


def _live_children(pid: int) -> list[int]:
    """The processes pid forked that are still running (not zombies waiting to be reaped)."""
    children = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    live = []
    for child in children:
        try:
            stat = pathlib.Path(f"/proc/{child}/stat").read_text()
        except FileNotFoundError:  # reaped meanwhile
            continue
        if stat.rpartition(")")[2].split()[0] != "Z":
            live.append(int(child))
    return live


def test_a_task_process_that_dies_is_named_in_the_summary(week, tmp_path):
    """The kernel kills a task process mid-request (the OOM killer does): Luigi says so only
    at INFO, so the run's summary names the task and how it died, and the run exits 4."""
    lake, victim = lake_without_a_game(week, tmp_path)
    log = tmp_path / "requests.jsonl"
    slow = "boxscoreadvancedv3=300000,default=0"  # answers after the test
    with SimServer(port=0, seed=7, request_log=str(log), latency_ms=slow) as sim:
        run = luigi_cli_started(WEEK, lake=lake, sim=sim, tmp=tmp_path)
        try:
            # The other three endpoints answer at once; the advanced box score's process
            # is then the worker's only child, waiting on its answer.
            wait_until(lambda: len(requests_in(log)) >= 3, timeout=120)
            wait_until(lambda: len(_live_children(run.pid)) == 1, timeout=60)
            (task_process,) = _live_children(run.pid)
            os.kill(task_process, signal.SIGKILL)
            _, stderr = run.communicate(timeout=120)
        finally:
            run.kill()
    assert run.returncode == 4, stderr[-3000:]
    assert "tasks failed: 1, first:" in stderr, stderr[-3000:]
    (line,) = [line for line in stderr.splitlines() if "TaskProcessDied" in line]
    assert "endpoint=box_advanced" in line and f"key={victim}" in line
    assert "died unexpectedly with exit code -9" in line


def test_a_task_that_outlives_the_worker_timeout_is_named_in_the_summary(week, tmp_path):
    """[worker] timeout ends a task that hangs (a request the API never answers): the
    summary names it as timed out."""
    lake, victim = lake_without_a_game(week, tmp_path)
    slow = "boxscoreadvancedv3=300000,default=0"  # answers after the test
    with SimServer(port=0, seed=7, latency_ms=slow) as sim:
        result = luigi_cli([*WEEK, "--worker-timeout", "5"], lake=lake, sim=sim, tmp=tmp_path)
    assert result.returncode == 4, why(result)
    (line,) = [line for line in result.stderr.splitlines() if "TaskTimedOut" in line]
    assert "endpoint=box_advanced" in line and f"key={victim}" in line
    assert "timed out after 5 seconds" in line
