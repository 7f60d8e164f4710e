"""A body is checked for what it is before it is stored (issue 14, item 4): real bodies
and the simulator's, every endpoint of the catalogue, and validation of a stored file."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from pipeline.errors import BadPayloadError
from pipeline.nba import endpoints, parse
from pipeline.report import validate_season
from tests.conftest import fixture_body

# (endpoint, real body, the nba_api arguments it answers)
REAL = [
    (
        endpoints.BOX_TRADITIONAL,
        "boxscoretraditionalv3/GameID=0022200552.json",
        {"game_id": "0022200552"},
    ),
    (
        endpoints.BOX_ADVANCED,
        "boxscoreadvancedv3/GameID=0022300001.json",
        {"game_id": "0022300001"},
    ),
    (endpoints.PLAY_BY_PLAY, "playbyplayv3/GameID=0022400001.json", {"game_id": "0022400001"}),
    (endpoints.GAME_SUMMARY, "boxscoresummaryv3/GameID=0022500142.json", {"game_id": "0022500142"}),
    (
        endpoints.PLAYER_INFO,
        "commonplayerinfo/LeagueID=00,PlayerID=1628378.json",
        {"player_id": "1628378"},
    ),
    (
        endpoints.TEAM_INFO,
        "teaminfocommon/LeagueID=00,TeamID=1610612739.json",
        {"team_id": "1610612739", "season_nullable": "2025-26"},
    ),
    (
        endpoints.TEAM_ROSTER,
        "commonteamroster/LeagueID=00,Season=2025-26,TeamID=1610612739.json",
        {"team_id": "1610612739", "season": "2025-26"},
    ),
    (
        endpoints.GAME_FINDER,
        "leaguegamefinder/LeagueID=00,PlayerOrTeam=T,Season=2023-24,SeasonType=Regular+Season.json",
        {
            **endpoints.GAME_FINDER.extra_params,
            "season_nullable": "2023-24",
            "season_type_nullable": "Regular Season",
        },
    ),
]
OTHER = {"game_id": "0022400999", "player_id": "201939", "team_id": "1610612744"}


def other_value(argument: str) -> str:
    return "2019-20" if "season" in argument else OTHER[argument]


def test_every_endpoint_of_the_catalogue_says_what_identifies_its_bodies():
    for endpoint in endpoints.ALL.values():
        assert endpoint.identity, endpoint.key
        arguments = {endpoint.key_param, endpoint.season_param} - {None}
        if endpoint.scope == "season":
            arguments = {"season_nullable"}
        for dataset, _, argument in endpoint.identity:
            assert dataset in endpoint.tables, (endpoint.key, dataset)
            assert argument in arguments, (endpoint.key, argument)
        # The request's own key is always checked, in a dataset that must have rows.
        checked = {(d, a) for d, _, a in endpoint.identity}
        key = endpoint.key_param if endpoint.scope != "season" else "season_nullable"
        assert any(
            a == key and (d in endpoint.required or not endpoint.required) for d, a in checked
        )
    assert endpoints.ALL.keys() == {e.key for e, _, _ in REAL}


@pytest.mark.parametrize("endpoint,relative,request_args", REAL, ids=[r[1] for r in REAL])
def test_real_body_passes_for_its_request_and_fails_for_any_other(endpoint, relative, request_args):
    tables = parse.parse(endpoint, fixture_body(relative))
    parse.check_identity(endpoint, request_args, tables)
    for argument in {a for _, _, a in endpoint.identity}:
        wrong = {**request_args, argument: other_value(argument)}
        with pytest.raises(
            BadPayloadError, match=f"not {parse.identity_value(argument, wrong[argument])} as asked"
        ):
            parse.check_identity(endpoint, wrong, tables)


def test_seasons_compare_by_their_first_year():
    forms = ["2024-25", "2024", "22024", "42024"]
    assert {parse.identity_value("season", f) for f in forms} == {"2024"}
    assert parse.identity_value("season_nullable", "2023-24") != parse.identity_value(
        "season", "22024"
    )
    assert parse.identity_value("team_id", 1610612739) == "1610612739"


# --- the simulator's bodies, every endpoint ------------------------------------------------


@pytest.fixture(scope="module")
def responder():
    from pipeline.sim.bodies import Responder
    from pipeline.sim.league import League

    # Early in the season: discovery simulates only the few games already played.
    return Responder(League(seed=3, today=dt.date(2024, 10, 26)))


def simulated(responder, endpoint, request_args):
    parameters = endpoint.nba_class(**request_args, get_request=False).parameters
    reply = responder.answer(endpoint.api_name, parameters)
    assert reply.status == 200, (endpoint.key, reply.body)
    return parse.parse(endpoint, json.dumps(reply.body))


def first_games(responder, count=2):
    finder = simulated(
        responder,
        endpoints.GAME_FINDER,
        endpoints.GAME_FINDER.nba_kwargs(
            season_nullable="2024-25", season_type_nullable="Regular Season"
        ),
    )["game_finder"].to_pylist()
    games = sorted({(r["GAME_ID"], r["TEAM_ID"]) for r in finder})
    return games[: 2 * count : 2]


def test_simulated_bodies_pass_for_every_endpoint(responder):
    (game_id, team_id), _ = first_games(responder)
    finder_args = endpoints.GAME_FINDER.nba_kwargs(
        season_nullable="2024-25", season_type_nullable="Regular Season"
    )
    parse.check_identity(
        endpoints.GAME_FINDER, finder_args, simulated(responder, endpoints.GAME_FINDER, finder_args)
    )
    person = None
    for endpoint in endpoints.GAME_ENDPOINTS:
        args = endpoint.nba_kwargs(game_id=game_id)
        tables = simulated(responder, endpoint, args)
        parse.check_identity(endpoint, args, tables)
        if endpoint is endpoints.BOX_TRADITIONAL:
            person = tables["box_traditional_players"].column("personId")[0].as_py()
    for endpoint, key in (
        (endpoints.PLAYER_INFO, person),
        (endpoints.TEAM_INFO, team_id),
        (endpoints.TEAM_ROSTER, team_id),
    ):
        args = endpoint.item_kwargs(str(key), "2024-25")
        parse.check_identity(endpoint, args, simulated(responder, endpoint, args))


@pytest.mark.parametrize("endpoint", endpoints.GAME_ENDPOINTS, ids=lambda e: e.key)
def test_simulated_body_of_another_game_is_a_bad_payload(responder, endpoint):
    (asked, _), (answered, _) = first_games(responder)
    tables = simulated(responder, endpoint, endpoint.nba_kwargs(game_id=answered))
    with pytest.raises(BadPayloadError, match=f"gameId {answered}, not {asked} as asked"):
        parse.check_identity(endpoint, endpoint.nba_kwargs(game_id=asked), tables)


# --- validation: a stored file with another game's rows -----------------------------------


def test_validation_flags_every_table_that_holds_another_games_rows(tmp_path):
    from tests.test_validate import SEASON, land_direct, table_path

    lake = land_direct(
        tmp_path / "lake",
        seed=11,
        today="2024-10-23",
        start="2024-10-22",
        end="2024-10-23",
        players=False,
    )
    assert validate_season(lake, SEASON)["problems"] == []
    ids = sorted(lake.read_table(lake.layout.game_index(SEASON)).column("game_id").to_pylist())
    victim, other = ids[1], ids[0]
    # What a swapped body leaves: the other game's rows under the victim's name, in a table
    # no data check reads (summary_arena) and in one that has them (box_advanced_teams).
    for table in ("summary_arena", "box_advanced_teams"):
        shutil.copyfile(table_path(lake, table, other), table_path(lake, table, victim))
    report = validate_season(lake, SEASON)
    found = {
        (p["game_id"], p["dataset"])
        for p in report["problems"]
        if p["rule"] == "identity.other_game"
    }
    assert found == {(victim, "summary_arena"), (victim, "box_advanced_teams")}
    detail = next(p["detail"] for p in report["problems"] if p["rule"] == "identity.other_game")
    assert f"rows of game {other}" in detail
    assert {p["game_id"] for p in report["problems"]} == {victim}
    assert "2 files hold rows of another game" in report["summary"]["flags"]
    assert not report["summary"]["passed"]
