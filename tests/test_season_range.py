"""SeasonRange: several seasons through the real CLI; each season lands what its era records."""

import pytest

from pipeline.core import seasons
from pipeline.nba import endpoints
from pipeline.sim.server import SimServer
from tests.runner import luigi_cli, requests_in, why

RANGE = [
    "SeasonRange",
    "--start-season",
    "1995-96",
    "--end-season",
    "1996-97",
    "--limit",
    "4",
    "--no-player-info",
    "--no-team-info",
    "--workers",
    "2",
]


@pytest.fixture(scope="module")
def two_seasons(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("range")
    with SimServer(port=0, seed=3, request_log=str(tmp / "requests.jsonl")) as sim:
        first = luigi_cli(RANGE, lake=tmp / "lake", sim=sim, tmp=tmp)
        before_rerun = len(requests_in(tmp / "requests.jsonl"))
        rerun = luigi_cli(RANGE, lake=tmp / "lake", sim=sim, tmp=tmp)
    return tmp, first, rerun, before_rerun


def game_calls(log, season_prefix):
    return {
        (r["endpoint"], r["params"]["GameID"])
        for r in log
        if r["params"].get("GameID", "").startswith(season_prefix)
    }


def test_each_season_lands_its_endpoints(two_seasons):
    tmp, first, _, _ = two_seasons
    assert first.returncode == 0, why(first)
    log = requests_in(tmp / "requests.jsonl")
    old = game_calls(log, "00295")  # 1995-96 regular season game ids
    new = game_calls(log, "00296")
    # 1995-96: the traditional box score only (advanced, play-by-play, summary from 1996-97).
    assert {e for e, _ in old} == {"boxscoretraditionalv3"}
    assert {e for e, _ in new} == {e.api_name for e in endpoints.endpoints_for(1996)}
    assert len({g for _, g in old}) == len({g for _, g in new}) == 4
    lake = tmp / "lake"
    assert not list((lake / "play_by_play").glob("season=1995-96/**/*.parquet"))
    assert not list((lake / "summary_game").glob("season=1995-96/**/*.parquet"))
    assert len(list((lake / "play_by_play").glob("season=1996-97/**/*.parquet"))) == 4
    assert len(list((lake / "box_traditional_players").glob("season=1995-96/**/*.parquet"))) == 4
    # One run summary for the range: 4 games x 1 endpoint, then 4 games x 4 endpoints, and
    # two game logs (players, teams) per season type the league played (no play-in, no Cup).
    output = first.stdout + first.stderr
    assert "Backfill 1995-96..1996-97 run" in output
    logs = 2 * len(seasons.season_types_of(1995)) + 2 * len(seasons.season_types_of(1996))
    assert f"lake now: {4 + 16 + logs} done, 0 missing, 0 dead-lettered" in output
    # No season type the league had not played yet is asked for.
    season_types = {r["params"].get("SeasonType") for r in log}
    assert not season_types & {"PlayIn", "IST"}


def test_rerun_of_range_makes_no_requests(two_seasons):
    tmp, _, rerun, before_rerun = two_seasons
    assert rerun.returncode == 0, why(rerun)
    assert len(requests_in(tmp / "requests.jsonl")) == before_rerun


def test_reversed_range_is_bad_input(tmp_path):
    result = luigi_cli(
        ["SeasonRange", "--start-season", "2024-25", "--end-season", "2023-24"],
        lake=tmp_path / "lake",
        tmp=tmp_path,
    )
    assert result.returncode == 2
    assert "start season 2024-25 is after end season 2023-24" in result.stderr + result.stdout
