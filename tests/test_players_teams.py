"""Players and teams land with the season: bios for exactly the players seen, all rosters."""

import shutil

import pyarrow.dataset as ds
import pytest

from pipeline.sim.server import SimServer
from tests.runner import lake_files, luigi_cli, requests_in, why

WEEK = [
    "SeasonBackfill",
    "--season",
    "2024-25",
    "--start-date",
    "2024-10-22",
    "--end-date",
    "2024-10-24",
    "--workers",
    "2",
]


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("people")
    with SimServer(port=0, seed=11) as sim:
        result = luigi_cli(WEEK, lake=tmp / "lake", sim=sim, tmp=tmp)
    assert result.returncode == 0, why(result)
    return tmp / "lake"


def column(lake, table, name):
    return (
        ds.dataset(lake / table, format="parquet", partitioning="hive")
        .to_table(columns=[name])
        .column(name)
        .to_pylist()
    )


def test_players_are_exactly_the_box_score_players(lake):
    in_box_scores = set(column(lake, "box_traditional_players", "personId"))
    bios = column(lake, "players", "PERSON_ID")
    assert len(bios) == len(set(bios))  # one bio per player per season
    assert set(bios) == in_box_scores


def test_rosters_and_team_details_cover_all_30_teams(lake):
    assert len(set(column(lake, "rosters", "TeamID"))) == 30
    assert len(set(column(lake, "teams", "TEAM_ID"))) == 30
    assert len(set(column(lake, "coaches", "TEAM_ID"))) == 30


def test_rerun_makes_zero_requests(lake, tmp_path):
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    before = lake_files(copy)
    with SimServer(port=0, seed=11, request_log=str(tmp_path / "requests.jsonl")) as sim:
        result = luigi_cli(WEEK, lake=copy, sim=sim, tmp=tmp_path)
    assert result.returncode == 0, why(result)
    assert requests_in(tmp_path / "requests.jsonl") == []
    assert lake_files(copy) == before


def test_switches_turn_players_and_teams_off(tmp_path):
    with SimServer(port=0, seed=11, request_log=str(tmp_path / "requests.jsonl")) as sim:
        result = luigi_cli(
            [*WEEK, "--no-player-info", "--no-team-info"],
            lake=tmp_path / "lake",
            sim=sim,
            tmp=tmp_path,
        )
    assert result.returncode == 0, why(result)
    called = {r["endpoint"] for r in requests_in(tmp_path / "requests.jsonl")}
    assert called.isdisjoint({"commonplayerinfo", "teaminfocommon", "commonteamroster"})
    assert "boxscoretraditionalv3" in called
    assert not (tmp_path / "lake" / "players").exists()
