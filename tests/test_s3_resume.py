"""Resume at season scale on S3: completeness from listings, not a request per target."""

from __future__ import annotations

import contextlib
import time

import luigi

from pipeline.app import runtime
from pipeline.lake.lake import Lake
from pipeline.nba.endpoints import endpoints_for
from pipeline.tasks.season import SeasonBackfill
from pipeline.tasks.targets import make_target
from tests import s3_server
from tests.s3_server import (
    season_keys,
    seed_objects,
    simulated_games,
    write_era_verdicts,
    write_game_index,
)

GAME_ENDPOINTS = endpoints_for(2024)  # what a default run of a modern season fetches

s3_endpoint = s3_server.s3_endpoint  # fixtures: the session's moto server, a fresh bucket
s3_bucket = s3_server.s3_bucket

SEASON = "2024-25"
TARGETS_PER_REQUEST = 500  # the requirement: at most 1 S3 request per 500 targets


@contextlib.contextmanager
def lake_root(root: str):
    config = luigi.configuration.get_config()
    config.set("lake", "root", root)
    try:
        yield
    finally:
        config.remove_option("lake", "root")


def requests_of(shared) -> list[str]:
    """Requests sent by the shared client and its listing client."""
    seen: list[str] = []
    for client in (shared.boto, shared.lister):
        client.meta.events.register(
            "before-send.s3.*", lambda event_name, **kw: seen.append(event_name.split(".")[-1])
        )
    return seen


def season_lake(bucket: str, games, *, done) -> Lake:
    lake = Lake(f"s3://{bucket}/historical-backfill")
    write_game_index(lake, games, SEASON)
    write_era_verdicts(lake, SEASON)
    seed_objects(bucket, season_keys(lake, done))
    return lake


def test_noop_rerun_of_a_complete_season_costs_one_request_per_500_targets(s3_bucket, monkeypatch):
    # A listing is trusted for LISTING_TTL_SECONDS; on a loaded machine the check of 18,480
    # targets can outlast it and list again. What is measured here is the listing itself.
    monkeypatch.setattr("pipeline.lake.lake.LISTING_TTL_SECONDS", 600.0)
    games = simulated_games(1320, SEASON)
    lake = season_lake(s3_bucket, games, done=games)
    targets = len(games) * sum(len(e.tables) for e in GAME_ENDPOINTS)
    sent = requests_of(runtime.current().s3_client())

    # CPU time of this process: our side AND moto's (it runs in a thread here), so the
    # bound holds however busy the shared machine is. bench/ reports wall-clock time.
    started = time.process_time()
    with lake_root(lake.root):
        work = SeasonBackfill(season=SEASON).work
        state = vars(work.state(work.game_work()))  # what complete() and run() ask
    elapsed = time.process_time() - started

    assert len(state["done"]) == len(games) * len(GAME_ENDPOINTS)
    assert state["missing"] == [] and state["dead_letter"] == []
    assert targets == 18_480
    assert len(sent) <= targets / TARGETS_PER_REQUEST, sent
    assert set(sent) == {"ListObjectsV2", "GetObject"}  # the game index is one GET
    assert elapsed < 15


def test_half_done_season_schedules_exactly_the_missing_half(s3_bucket):
    games = simulated_games(200, SEASON)
    done, missing = games[::2], games[1::2]
    lake = season_lake(s3_bucket, games, done=done)
    # A crash between two tables of one endpoint: that (game, endpoint) is not done.
    partial = season_keys(lake, [missing[0]], raw=False)[:1]
    seed_objects(s3_bucket, partial)

    with lake_root(lake.root):
        work = SeasonBackfill(season=SEASON).work
        state = vars(work.state(work.game_work()))

    scheduled = {(e.key, item.key) for e, item in state["missing"]}
    assert scheduled == {(e.key, g.game_id) for e in GAME_ENDPOINTS for g in missing}
    assert {(e.key, item.key) for e, item in state["done"]} == {
        (e.key, g.game_id) for e in GAME_ENDPOINTS for g in done
    }
    assert state["dead_letter"] == []


def test_luigis_per_target_check_costs_a_request_per_present_target_four_per_missing(s3_bucket):
    """What the listings save (bench/bench_s3_resume.py measures a whole season)."""
    season = simulated_games(10, SEASON)
    lake = season_lake(s3_bucket, season, done=season)
    paths = [f"s3://{s3_bucket}/{key}" for key in season_keys(lake, season, raw=False)]
    sent = requests_of(runtime.current().s3_client())

    for path in paths[:50]:
        assert make_target(path).exists()
    assert len(sent) == 50  # one HEAD each, present
    sent.clear()
    assert not make_target(paths[0] + ".missing").exists()
    assert len(sent) == 4  # HEAD, two GETs for directory markers, one LIST
