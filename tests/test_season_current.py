"""Keeping a season current (issue 15): the simulator's "today" moves between runs, a box
score is corrected after the game, and bios are asked for once per lake."""

import datetime as dt
import gzip
import json
import os
import pathlib
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pipeline.sim.server import SimServer
from tests.proxies import ForwardProxy
from tests.runner import REPO, luigi_cli, requests_in, why

SEASON = "2024-25"
FIRST_WEEK = ["--start-date", "2024-10-22", "--end-date", "2024-10-31"]
NO_ENTITIES = ["--no-player-info", "--no-team-info", "--no-play-by-play", "--no-game-summary"]
D1, D2 = dt.date(2024, 10, 25), dt.date(2024, 10, 28)


def run(tmp, sim, *extra):
    args = ["SeasonBackfill", "--season", SEASON, *FIRST_WEEK, *NO_ENTITIES, "--workers", "2"]
    return luigi_cli([*args, *extra], lake=tmp / "lake", sim=sim, tmp=tmp)


def box_calls(log) -> list[str]:
    return sorted(r["params"]["GameID"] for r in log if r["endpoint"] == "boxscoretraditionalv3")


def final_games(league, today):
    return sorted(
        g.game_id
        for g in league.season(SEASON).games
        if "2024-10-22" <= g.date.isoformat() <= "2024-10-31" and g.date < today
    )


def game_log_check(lake) -> dict:
    path = pathlib.Path(lake) / "backfill-state" / "game-log-check" / f"season={SEASON}"
    return json.loads((path / "check.json").read_text())


def stored_games(lake) -> set[str]:
    folder = pathlib.Path(lake) / "box_traditional_players" / f"season={SEASON}"
    return {p.stem for p in folder.rglob("*.parquet")}


@pytest.fixture(scope="module")
def moving_today(tmp_path_factory):
    """Run on D1, then on D2 (today's games live, later ones unknown), then again on D2."""
    tmp = tmp_path_factory.mktemp("today")
    logs = []
    results = []
    for today in (D1, D2, D2):
        log = tmp / f"requests-{len(logs)}.jsonl"
        with SimServer(port=0, seed=5, today=today, request_log=str(log)) as sim:
            results.append(run(tmp, sim))
            league = sim.league
        logs.append(requests_in(log))
    return tmp, league, results, logs


def test_second_run_fetches_exactly_the_games_final_since(moving_today):
    tmp, league, results, logs = moving_today
    for result in results:
        assert result.returncode == 0, why(result)
    first, second = final_games(league, D1), final_games(league, D2)
    assert first and set(second) > set(first)
    assert box_calls(logs[0]) == first  # games on D1 were live: not fetched
    assert box_calls(logs[1]) == sorted(set(second) - set(first))
    assert stored_games(tmp / "lake") == set(second)


def test_a_season_in_progress_costs_its_discovery_and_logs_only(moving_today):
    tmp, league, results, logs = moving_today
    endpoints = sorted({r["endpoint"] for r in logs[2]})
    assert endpoints == ["leaguegamefinder", "leaguegamelog"], endpoints
    assert len(logs[2]) == 4 + 8  # four season types, P and T logs for each


def test_corrected_box_score_is_fetched_again_and_the_old_one_kept(tmp_path):
    victim_day = dt.date(2024, 10, 23)
    with SimServer(port=0, seed=5, today=dt.date(2024, 10, 27)) as sim:
        assert run(tmp_path, sim).returncode == 0
        victim = next(g.game_id for g in sim.league.season(SEASON).games if g.date == victim_day)
    path = next((tmp_path / "lake" / "box_traditional_players").rglob(f"{victim}.parquet"))
    before = pq.read_table(path).to_pylist()
    log = tmp_path / "after.jsonl"
    corrections = {victim: dt.date(2024, 10, 28)}
    with SimServer(
        port=0, seed=5, today=dt.date(2024, 10, 29), corrections=corrections, request_log=str(log)
    ) as sim:
        result = run(tmp_path, sim)
    assert result.returncode == 0, why(result)
    refetched = {
        r["params"]["GameID"] for r in requests_in(log) if r["endpoint"].startswith("boxscore")
    }
    new_games = set(final_games(sim.league, dt.date(2024, 10, 29))) - set(
        final_games(sim.league, dt.date(2024, 10, 27))
    )
    assert refetched == new_games | {victim}
    after = pq.read_table(path).to_pylist()
    assert after != before  # the lake holds the corrected values
    kept = list(
        (tmp_path / "lake" / "superseded").rglob(f"box_traditional_players/**/{victim}.parquet")
    )
    assert len(kept) == 1 and pq.read_table(kept[0]).to_pylist() == before
    assert victim in result.stderr  # the run summary names the game
    check = game_log_check(tmp_path / "lake")
    assert check["corrected_games"] == [victim] and check["unresolved"] == []


def test_each_players_bio_is_asked_for_once_across_seasons(tmp_path):
    log = tmp_path / "requests.jsonl"
    args = [
        "SeasonRange",
        "--start-season",
        "2023-24",
        "--end-season",
        SEASON,
        "--limit",
        "3",
        "--no-team-info",
        "--no-play-by-play",
        "--no-game-summary",
        "--workers",
        "2",
    ]
    with SimServer(port=0, seed=5, request_log=str(log)) as sim:
        result = luigi_cli(args, lake=tmp_path / "lake", sim=sim, tmp=tmp_path)
        assert result.returncode == 0, why(result)
        bios = [
            r["params"]["PlayerID"] for r in requests_in(log) if r["endpoint"] == "commonplayerinfo"
        ]
        players = {
            season: {
                p
                for table in (
                    tmp_path / "lake" / "box_traditional_players" / f"season={season}"
                ).rglob("*.parquet")
                for p in pq.read_table(table).column("personId").to_pylist()
            }
            for season in ("2023-24", SEASON)
        }
    assert players["2023-24"] & players[SEASON]  # the seasons share players
    assert len(bios) == len(set(bios)) == len(players["2023-24"] | players[SEASON])
    index = [r for r in requests_in(log) if r["endpoint"] == "playerindex"]
    assert len(index) == 2  # one PlayerIndex per season


def test_each_item_is_one_task_whichever_season_asks():
    """Luigi runs a task id once: an item's task is named by the item alone, so seasons,
    batches and hosts that ask for one item schedule one task."""
    from pipeline.model.ingest import entity_item, season_item
    from pipeline.nba import endpoints as catalogue
    from pipeline.tasks.dispatch import fetch_task

    for endpoint in catalogue.ENTITY_ENDPOINTS:
        items = [entity_item(endpoint, season, "1628369") for season in ("2023-24", SEASON)]
        tasks = [fetch_task(endpoint, item, False) for item in items]
        assert [t.items() for t in tasks] == [[item] for item in items]  # the item, no more
        same = tasks[0].task_id == tasks[1].task_id
        assert same == endpoint.lake_wide, (endpoint.key, tasks)
    for endpoint in catalogue.SEASON_ENDPOINTS:
        item = season_item(endpoint, SEASON)
        assert fetch_task(endpoint, item, True).task_id == fetch_task(endpoint, item, False).task_id


def test_two_seasons_asking_for_one_bio_at_once_make_one_request(tmp_path):
    """The interleaving behind a bio asked for twice, made on purpose (tests/interleave.py):
    two seasons want one player's bio and each answer is held until every fetch task the
    scheduler handed out has asked. Two tasks for one bio would both ask, every time."""
    with SimServer(port=0, seed=5) as sim:
        roster = next(iter(sim.league.season(SEASON).rosters.values()))
        player = str(roster[0].player.person_id)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACKFILL_")}
        scenario = ["-m", "tests.interleave", str(tmp_path / "lake"), sim.base_url, player]
        done = subprocess.run(
            [sys.executable, *scenario],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, why(done)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["requests"] == [player], result
    assert len(result["tasks"]) == 1 and result["status"] == "SUCCESS", result
    assert list((tmp_path / "lake").rglob(f"{player}.parquet"))


def test_a_difference_that_stays_is_reported_with_its_values_and_the_run_ends(tmp_path):
    """A game log that disagrees with the box score however often it is fetched again."""
    victim = {}

    def one_more_point(endpoint, params, body):
        if endpoint != "leaguegamelog" or params.get("PlayerOrTeam") != "P":
            return body
        zipped = body[:2] == b"\x1f\x8b"  # Content-Encoding: gzip passes through the proxy
        log = json.loads(gzip.decompress(body) if zipped else body)
        rows = log["resultSets"][0]["rowSet"]
        headers = log["resultSets"][0]["headers"]
        if rows:
            row = rows[0]
            victim.update(
                game=row[headers.index("GAME_ID")], player=row[headers.index("PLAYER_ID")]
            )
            row[headers.index("PTS")] += 1
        changed = json.dumps(log).encode()
        return gzip.compress(changed) if zipped else changed

    log = tmp_path / "requests.jsonl"
    with (
        ForwardProxy(rewrite=one_more_point) as proxy,
        SimServer(port=0, seed=5, today=D2, request_log=str(log)) as sim,
    ):
        result = run(tmp_path, sim, "--nba-proxies", proxy.url)
    assert result.returncode == 0, why(result)
    check = game_log_check(tmp_path / "lake")
    assert check["corrected_games"] == [victim["game"]]  # fetched again once
    [difference] = check["unresolved"]
    assert difference["game_id"] == victim["game"] and difference["entity_id"] == victim["player"]
    assert difference["stat"] == "PTS" and difference["logged"] == difference["stored"] + 1
    asked = [
        r
        for r in requests_in(log)
        if r["params"].get("GameID") == victim["game"] and r["endpoint"] == "boxscoretraditionalv3"
    ]
    assert len(asked) == 2  # the first fetch and one more: no loop
    report = json.loads(next((tmp_path / "lake" / "data-quality").rglob("report.json")).read_text())
    assert report["game_log_check"]["unresolved"] == check["unresolved"]
