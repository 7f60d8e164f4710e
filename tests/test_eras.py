"""Every season since 1946-47, each endpoint with its era: season bounds, the catalogue's era
contract, the plan of the whole history, bounds learned by probes, and validation that an
era's differences do not fail."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pyarrow as pa
import pytest

from pipeline.core import seasons
from pipeline.core.errors import BadInput
from pipeline.lake.lake import Lake
from pipeline.lake.parquet import to_parquet_bytes
from pipeline.model import gamelog
from pipeline.model.ingest import game_item, land
from pipeline.nba import endpoints, parse
from pipeline.nba.games import INDEX_SCHEMA, Game, season_over
from pipeline.report.html import render
from pipeline.report.season import validate_season
from pipeline.sim.server import SimServer
from tests.runner import REPO, luigi_cli, requests_in, why

HOOPR = REPO / "tests" / "fixtures" / "hoopr"
BOX_1995 = HOOPR / "boxscoretraditionalv3" / "1995-96" / "0029500001.json"
BUBBLE = HOOPR / "boxscoretraditionalv3" / "2019-20" / "0021901231.json"


# --- seasons --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today, current",
    [
        (dt.date(2026, 12, 4), "2026-27"),  # the season under way
        (dt.date(2027, 3, 15), "2026-27"),  # still it in March (start year < today's year)
        (dt.date(2026, 9, 30), "2025-26"),  # before October: the new one has not started
        (dt.date(2026, 10, 1), "2026-27"),
    ],
)
def test_the_current_season_is_the_last_one(today, current):
    assert seasons.parse_season(current, today=today) == current
    year = seasons.season_year(current)
    with pytest.raises(BadInput, match=f"the current season is {current}"):
        seasons.parse_season(seasons.season_label(year + 1), today=today)


@pytest.mark.parametrize("season", ["1946-47", "1948-49", "1998-99", "2011-12", "2019-20"])
def test_every_season_the_league_played_is_accepted(season):
    # The BAA's first season, the lockouts, the bubble.
    assert seasons.parse_season(season) == season


def test_a_season_before_the_baa_is_bad_input():
    with pytest.raises(BadInput, match="the first season is 1946-47"):
        seasons.parse_season("1945-46")


def test_season_types_by_era():
    assert seasons.season_types_of(1946) == ("Regular Season", "Playoffs")
    assert seasons.season_types_of(2019) == ("Regular Season", "Playoffs")
    assert seasons.season_types_of(2020) == ("Regular Season", "PlayIn", "Playoffs")
    assert seasons.season_types_of(2023) == seasons.SEASON_TYPES


def playoff_game(game_id: str, winner: int, loser: int) -> Game:
    return Game(game_id, "1946-47", "Playoffs", "1947-04-16", 4, winner, loser, "final", winner)


def test_season_over_when_the_last_round_is_decided_in_any_era():
    # 1946-47: three rounds, the Finals being round 3 (Warriors 4-1 over the Stags).
    finals = [playoff_game(f"00446003{g:02d}", 1, 2) for g in range(1, 5)]
    semis = [playoff_game(f"00446002{s}{g}", 1 + s, 9) for s in range(2) for g in range(1, 3)]
    assert not season_over(semis)
    assert not season_over(semis + finals[:3])
    assert season_over(semis + finals)
    # Today's conference finals (round 3, two series) do not end a season; the Finals do.
    conference = [playoff_game(f"00424003{s}{g}", 10 + s, 20) for s in range(2) for g in range(4)]
    assert not season_over(conference)
    assert season_over(conference + [playoff_game(f"00424004{0}{g}", 10, 11) for g in range(4)])


# --- the era contract -----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(endpoints.ALL.values()), ids=lambda e: e.key)
def test_every_catalogue_entry_has_an_era_with_evidence(endpoint):
    era = endpoint.era
    assert era.evidence, f"{endpoint.key}: no evidence for its era"
    assert era.first >= seasons.FIRST_SEASON_YEAR
    for cited in re.findall(r"tests/fixtures/\S+?\.(?:json|md)", era.evidence):
        assert (REPO / cited).exists(), cited
    for difference in era.differences:
        assert difference.evidence and difference.why
        for cited in re.findall(r"tests/fixtures/\S+?\.(?:json|md)", difference.evidence):
            assert (REPO / cited).exists(), cited


def test_the_recorded_1995_96_body_shows_what_the_contract_says():
    era = endpoints.BOX_TRADITIONAL.era
    assert not era.uncertain(1995) and era.uncertain(1994)  # the oldest body proves 1995-96
    tables = parse.parse(endpoints.BOX_TRADITIONAL, BOX_1995.read_text())
    players = {r["personId"]: r for r in tables["box_traditional_players"].to_pylist()}
    jordan = players[893]
    # Value for value: whole minutes, a three-point line, no plus-minus, no positions.
    assert (jordan["minutes"], jordan["points"], jordan["threePointersAttempted"]) == ("39", 42, 7)
    assert (players[23]["reboundsOffensive"], players[23]["reboundsDefensive"]) == (4, 7)
    assert {r["plusMinusPoints"] for r in players.values()} == {0.0}
    assert {r["position"] for r in players.values()} == {""}
    lacking = era.unrecorded_columns(1995, "box_traditional_players")
    assert {"plusMinusPoints", "position"} <= lacking
    assert "threePointersMade" not in lacking
    bench = tables["box_traditional_starter_bench"].to_pylist()
    assert all(r["points"] is None for r in bench)
    assert "points" in era.unrecorded_columns(1995, "box_traditional_starter_bench")

    # The older eras the public record tells of.
    def lacking(year):
        return era.unrecorded_columns(year, "box_traditional_players")

    assert {"threePointersMade", "FG3M"} <= lacking(1978)
    assert "threePointersMade" not in lacking(1979)
    assert {"steals", "blocks", "reboundsOffensive"} <= lacking(1972)
    assert "turnovers" in lacking(1976) - lacking(1977)


def test_play_by_play_is_not_requested_before_1996_97():
    body = (HOOPR / "playbyplayv3" / "1995-96" / "0029500001.json").read_text()
    with pytest.raises(Exception, match="no PlayByPlay rows"):  # the real 1995-96 answer
        parse.parse(endpoints.PLAY_BY_PLAY, body)
    assert endpoints.PLAY_BY_PLAY not in endpoints.endpoints_for(1995)
    assert endpoints.PLAY_BY_PLAY in endpoints.endpoints_for(1996)


def test_the_game_log_check_compares_only_what_both_sides_record():
    box = pa.table(
        {
            "gameId": ["0027200001"],
            "personId": [7],
            "points": [20],
            "reboundsOffensive": [None],
            "reboundsTotal": [9],
        }
    )
    log = [{"GAME_ID": "0027200001", "PLAYER_ID": 7, "PTS": 20, "OREB": 3, "REB": 9}]
    log = pa.Table.from_pylist(log)
    modern = {"OREB"}
    assert {d.stat for d in gamelog.compare(log, box, "player")} >= modern
    unrecorded = endpoints.GAME_LOG_PLAYERS.era.unrecorded_columns(1972)
    assert not [
        d for d in gamelog.compare(log, box, "player", unrecorded) if d.stat in gamelog.STATS
    ]


# --- a stored lake: era differences do not fire validation rules ----------------------------


def stored_lake(root: pathlib.Path, season: str, body: str) -> Lake:
    lake = Lake(str(root))
    tables = parse.parse(endpoints.BOX_TRADITIONAL, body)
    teams = tables["box_traditional_teams"].column("teamId").to_pylist()
    game_id = tables["box_traditional_teams"].column("gameId")[0].as_py()
    game = Game(game_id, season, "Regular Season", f"{season[:4]}-11-03", 11, teams[0], teams[1])
    index = pa.Table.from_pylist([{**vars(game), "home_team": "", "away_team": ""}], INDEX_SCHEMA)
    lake.write_bytes(lake.layout.game_index(season), to_parquet_bytes(index, {"final": "true"}))
    land(lake, endpoints.BOX_TRADITIONAL, game_item(game), body, tables=tables)
    return lake


def test_the_real_1995_96_box_score_passes_validation(tmp_path):
    lake = stored_lake(tmp_path / "lake", "1995-96", BOX_1995.read_text())
    report = validate_season(lake, "1995-96", endpoints=[endpoints.BOX_TRADITIONAL])
    assert report["problems"] == [], report["problems"]  # whole minutes, no starters: fine
    era = report["era"]
    assert "plusMinusPoints" in era["unrecorded_columns"]["box_traditional_players"]
    assert {n["endpoint"] for n in era["not_recorded"]} >= {"play_by_play", "box_advanced"}
    assert era["filled"] == {}
    page = render(report)
    assert "Not recorded in this era" in page and "play_by_play" in page


def test_the_real_bubble_box_score_passes_validation(tmp_path):
    lake = stored_lake(tmp_path / "lake", "2019-20", BUBBLE.read_text())
    report = validate_season(lake, "2019-20", endpoints=[endpoints.BOX_TRADITIONAL])
    assert report["problems"] == [], report["problems"]
    assert report["era"]["unrecorded_columns"] == {}


def test_columns_an_era_lacks_do_not_fail_a_rule_but_are_reported_if_filled(tmp_path):
    # A 1976-77 box score (no three-point line, no player turnovers): its three-point columns
    # hold junk (made > attempted). The rule does not fire; the era section says the
    # contract's "not recorded" meets values there.
    body = BOX_1995.read_text().replace("0029500001", "0027600001")
    body = body.replace(
        '"threePointersMade": 0, "threePointersAttempted": 0',
        '"threePointersMade": 2, "threePointersAttempted": 0',
    )
    lake = stored_lake(tmp_path / "lake", "1976-77", body)
    report = validate_season(lake, "1976-77", endpoints=[endpoints.BOX_TRADITIONAL])
    assert not [p for p in report["problems"] if p["rule"] == "range.made_attempted"]
    assert "threePointersMade" in report["era"]["filled"]["box_traditional_players"]
    modern = stored_lake(tmp_path / "modern", "2000-01", body.replace("0027600001", "0020000001"))
    fired = validate_season(modern, "2000-01", endpoints=[endpoints.BOX_TRADITIONAL])
    assert [p for p in fired["problems"] if p["rule"] == "range.made_attempted"]


# --- the command line -----------------------------------------------------------------------

BIN = pathlib.Path(__import__("sys").executable).parent


def cli(args, tmp, sim=None):
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKFILL_")}
    env |= {"NBA_RATE_LIMIT_SECONDS": "0", "LAKE_ROOT": str(tmp / "lake")}
    if sim:
        env["NBA_API_BASE_URL"] = sim.base_url
    return subprocess.run(
        [str(BIN / "nba-backfill"), *args], cwd=tmp, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    log = tmp_path_factory.mktemp("eras-sim") / "requests.jsonl"
    with SimServer(port=0, seed=5, request_log=str(log)) as server:
        server.log_path = log
        yield server


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--season", "1945-46"],
        ["run", "--season", seasons.season_label(seasons.current_season_year() + 1)],
        ["run", "--start-season", "1945-46", "--end-season", "1950-51"],
        ["plan", "--start-season", "1946-47", "--end-season", "2099-00"],
    ],
    ids=["before-the-baa", "next-season", "range-from-1945", "plan-to-2099"],
)
def test_a_season_outside_the_league_is_one_line_and_exit_2(tmp_path, sim, args):
    before = len(requests_in(sim.log_path))
    result = cli(args, tmp_path, sim)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "invalid season" in result.stderr
    assert len(requests_in(sim.log_path)) == before, "a request was made"
    assert not (tmp_path / "lake").exists()


def test_plan_of_the_whole_history_by_era(tmp_path):
    result = cli(["plan", "--start-season", "1946-47", "--end-season", "2025-26"], tmp_path)
    assert result.returncode == 0, why(result)
    out = result.stdout
    blocks = re.split(r"\n  (?=\d{4}-\d{2})", out)
    first = blocks[1]
    assert first.startswith("1946-47..1994-95 (49 seasons)")
    # Before 1995-96, box scores only (probed), and two season types: no play-by-play.
    assert "box_traditional (uncertain: probed)" in first
    assert "play_by_play" not in first and "box_advanced" not in first
    assert re.search(r"game discovery\s+98\n", first)
    assert "1996-97..2019-20 (24 seasons)" in out and "play_by_play" in blocks[3]
    total = re.search(r"about ([\d,]+) requests \(at least ([\d,]+)", out)
    requests, at_least = (int(g.replace(",", "")) for g in total.groups())
    assert 150_000 < requests < 260_000 and at_least < requests
    assert re.search(r"1 egress: [\d,.]+ h; 10 egresses: [\d,.]+ h", out)
    assert not (tmp_path / "lake").exists()


# --- learning an uncertain bound ------------------------------------------------------------

# Playoff games only: the simulator makes a playoff game log in a fraction of the time of a
# regular season's, and the probes are the same.
OLD = ["--season", "1976-77", "--limit", "6", "--season-types", "Playoffs", "--no-player-info"]
OLD += ["--no-team-info"]


def test_an_uncertain_bound_costs_a_few_requests_once_per_lake(tmp_path):
    # 1976-77 box scores are assumed (no recorded body before 1995-96). The API answers
    # every one empty here: 3 probes, not 6 games' worth, and a second run asks nothing.
    log = tmp_path / "requests.jsonl"
    with SimServer(
        port=0, seed=5, request_log=str(log), faults="boxscoretraditionalv3:empty=1.0"
    ) as server:
        first = luigi_cli(
            ["SeasonBackfill", *OLD], lake=tmp_path / "lake", sim=server, tmp=tmp_path
        )
        box = [r for r in requests_in(log) if r["endpoint"] == "boxscoretraditionalv3"]
        before = len(requests_in(log))
        rerun = luigi_cli(
            ["SeasonBackfill", *OLD], lake=tmp_path / "lake", sim=server, tmp=tmp_path
        )
    assert first.returncode == 0, why(first)
    assert len(box) == 3
    assert rerun.returncode == 0, why(rerun)
    assert len(requests_in(log)) == before, "the rerun asked again"
    lake = Lake(str(tmp_path / "lake"))
    verdict = lake.read_json(lake.layout.state_file("eras", "1976-77", "box_traditional.json"))
    assert verdict["recorded"] is False and len(verdict["probed"]) == 3
    report = lake.read_json(lake.layout.report("1976-77"))
    assert {"endpoint": "box_traditional", "why": verdict["why"]} in report["era"]["not_recorded"]
    assert report["summary"]["dead_lettered"] == 0 and report["summary"]["missing"] == 0
    # The plan shows it too, and asks nothing more of it.
    plan = cli(["plan", *OLD], tmp_path)
    assert plan.returncode == 0, why(plan)
    assert "not recorded in this era (not asked for): box_traditional (learned by a probe)" in (
        plan.stdout
    )


def test_a_recorded_uncertain_season_costs_nothing_extra(tmp_path):
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=5, request_log=str(log)) as server:
        first = luigi_cli(
            ["SeasonBackfill", *OLD], lake=tmp_path / "lake", sim=server, tmp=tmp_path
        )
    assert first.returncode == 0, why(first)
    box = [r for r in requests_in(log) if r["endpoint"] == "boxscoretraditionalv3"]
    assert len(box) == 6  # the 3 probes landed and count as 3 of the 6 games
    lake = Lake(str(tmp_path / "lake"))
    verdict = lake.read_json(lake.layout.state_file("eras", "1976-77", "box_traditional.json"))
    assert verdict["recorded"] is True


# --- SeasonRange over the eras the simulator serves -------------------------------------------
# The whole history is the done-when; it takes about 10 minutes on 2 cores, so it runs
# on demand (`pytest -m history`); the suite runs the league's first seasons and the
# three-point line.
SERVED = ("1946-47", "2025-26")


def season_range_run(tmp: pathlib.Path, first: str, last: str, *extra: str):
    args = ["SeasonRange", "--start-season", first, "--end-season", last, "--limit", "3"]
    args += ["--season-types", "Playoffs", "--workers", "2", *extra]
    log = tmp / "requests.jsonl"
    with SimServer(port=0, seed=3, request_log=str(log)) as server:
        run = luigi_cli(args, lake=tmp / "lake", sim=server, tmp=tmp, timeout=3000)
        before = len(requests_in(log))
        rerun = luigi_cli(args, lake=tmp / "lake", sim=server, tmp=tmp, timeout=3000)
    return run, rerun, requests_in(log)[:before], len(requests_in(log)) - before


def season_of_request(request: dict) -> str | None:
    params = request["params"]
    for name in ("Season", "SeasonNullable"):
        if params.get(name):
            return params[name]
    game_id = params.get("GameID", "")
    return (
        seasons.season_label(1900 + int(game_id[3:5]) + (100 if int(game_id[3:5]) < 46 else 0))
        if game_id
        else None
    )


def check_range(tmp: pathlib.Path, run, rerun, log: list[dict], rerun_requests: int, labels):
    """Exit 0; each season lands what its era records and requests nothing else; the rerun
    asks nothing."""
    assert run.returncode == 0, why(run)
    assert rerun.returncode == 0, why(rerun)
    assert rerun_requests == 0
    game_apis = {e.api_name for e in endpoints.GAME_ENDPOINTS}
    asked: dict[str, set] = {}
    for request in log:
        season = season_of_request(request)
        asked.setdefault(season, set()).add(request["endpoint"])
        season_type = request["params"].get("SeasonType")
        if season_type:  # discovery asks for every type the league played that season
            assert season_type in seasons.season_types_of(seasons.season_year(season))
        if request["endpoint"] == "leaguegamelog":
            assert season_type == "Playoffs"
    lake = tmp / "lake"
    for season in labels:
        year = seasons.season_year(season)
        expected = {e.api_name for e in endpoints.endpoints_for(year)}
        assert asked[season] & game_apis == expected, season
        for endpoint in endpoints.endpoints_for(year):
            for table in endpoint.tables.values():
                files = list((lake / table).glob(f"season={season}/**/*.parquet"))
                assert len(files) == 3, (season, table)
        report = lake / "data-quality/validation-reports" / f"season={season}" / "report.json"
        assert report.exists(), season


def test_season_range_across_the_three_point_line(tmp_path):
    run, rerun, log, again = season_range_run(tmp_path, "1978-79", "1979-80", "--no-player-info")
    check_range(tmp_path, run, rerun, log, again, ["1978-79", "1979-80"])
    lake = Lake(str(tmp_path / "lake"))
    # Box scores and team answers before 1995-96 are uncertain: learned once, kept.
    for season in ("1978-79", "1979-80"):
        for key in ("box_traditional", "team_info", "team_roster", "game_log_players"):
            verdict = lake.read_json(lake.layout.state_file("eras", season, f"{key}.json"))
            assert verdict["recorded"] is True, (season, key)


def test_season_range_over_the_baa_and_the_early_nba(tmp_path):
    """1946-47..1951-52: the BAA's seasons, no player rebounds before 1950-51, no minutes
    before 1951-52."""
    run, rerun, log, again = season_range_run(tmp_path, "1946-47", "1951-52", "--no-player-info")
    labels = [seasons.season_label(y) for y in range(1946, 1952)]
    check_range(tmp_path, run, rerun, log, again, labels)


@pytest.mark.history
def test_season_range_over_every_era_the_simulator_serves(tmp_path):
    run, rerun, log, again = season_range_run(tmp_path, *SERVED)
    first, last = (seasons.season_year(s) for s in SERVED)
    check_range(
        tmp_path, run, rerun, log, again, [seasons.season_label(y) for y in range(first, last + 1)]
    )
