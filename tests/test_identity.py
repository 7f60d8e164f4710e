"""A body is checked for what it is before it is stored (issue 14, item 4): real bodies
and the simulator's, every endpoint of the catalogue, and validation of a stored file."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from pipeline.core.errors import BadPayloadError
from pipeline.nba import endpoints, parse
from pipeline.report.season import validate_season
from tests.conftest import fixture_body

# (endpoint, real body, the nba_api arguments it answers), as the pipeline asks
GAME = "0022200552"
LOG_P = "DateFrom=2025-03-15,DateTo=2025-03-15,LeagueID=00,PlayerOrTeam=P,Season=2024-25"
REAL = [
    *[
        (endpoint, f"{endpoint.api_name}/GameID={GAME}.json", endpoint.nba_kwargs(game_id=GAME))
        for endpoint in endpoints.GAME_ENDPOINTS
        if endpoint.api_name not in ("boxscoresummaryv3", "playbyplayv3")
        and endpoint not in endpoints.MORE_OF_EACH_GAME  # their real bodies: tests/fixtures
    ],
    (
        endpoints.PLAY_BY_PLAY,
        "playbyplayv3/GameID=0022400001.json",
        endpoints.PLAY_BY_PLAY.nba_kwargs(game_id="0022400001"),
    ),
    (
        endpoints.GAME_SUMMARY,
        "boxscoresummaryv3/GameID=0022500142.json",
        endpoints.GAME_SUMMARY.nba_kwargs(game_id="0022500142"),
    ),
    (
        endpoints.PLAYER_INFO,
        "commonplayerinfo/LeagueID=00,PlayerID=1628378.json",
        endpoints.PLAYER_INFO.item_kwargs("1628378", "2025-26"),
    ),
    (
        endpoints.TEAM_INFO,
        "teaminfocommon/LeagueID=00,TeamID=1610612739.json",
        endpoints.TEAM_INFO.item_kwargs("1610612739", "2025-26"),
    ),
    (
        endpoints.TEAM_ROSTER,
        "commonteamroster/LeagueID=00,Season=2025-26,TeamID=1610612739.json",
        endpoints.TEAM_ROSTER.item_kwargs("1610612739", "2025-26"),
    ),
    (
        endpoints.GAME_LOG_PLAYERS,
        f"leaguegamelog/{LOG_P},SeasonType=Regular+Season.json",
        endpoints.GAME_LOG_PLAYERS.item_kwargs("Regular Season", "2024-25"),
    ),
    (
        endpoints.GAME_LOG_TEAMS,
        "leaguegamelog/LeagueID=00,PlayerOrTeam=T,Season=2025-26,SeasonType=Regular+Season.json",
        endpoints.GAME_LOG_TEAMS.item_kwargs("Regular Season", "2025-26"),
    ),
    (
        endpoints.PLAYER_INDEX,
        "playerindex/LeagueID=00,Season=2025-26.json",
        endpoints.PLAYER_INDEX.item_kwargs("", "2025-26"),
    ),
    (
        endpoints.GAME_FINDER,
        "leaguegamefinder/LeagueID=00,PlayerOrTeam=T,Season=2023-24,SeasonType=Regular+Season.json",
        endpoints.GAME_FINDER.nba_kwargs(
            season_nullable="2023-24", season_type_nullable="Regular Season"
        ),
    ),
]
OTHER = {"game_id": "0022400999", "player_id": "201939", "team_id": "1610612744"}


def other_value(argument: str) -> str:
    if argument in parse.SEASON_ARGUMENTS:
        return "2019-20"
    if argument.startswith("season_type"):
        return "Playoffs"
    return OTHER[argument]


def asked_for(endpoint) -> set[str]:
    """The nba_api arguments the pipeline gives the endpoint."""
    arguments = {endpoint.key_param, endpoint.season_param}
    if endpoint is endpoints.GAME_FINDER:
        arguments = {"season_nullable", "season_type_nullable"}
    return arguments - {None, ""}


def test_every_endpoint_of_the_catalogue_says_what_identifies_its_bodies():
    for endpoint in endpoints.ALL.values():
        assert endpoint.identity, endpoint.key
        for dataset, _, argument in endpoint.identity:
            assert dataset in (*endpoint.tables, endpoints.PARAMETERS), (endpoint.key, dataset)
            assert argument in asked_for(endpoint), (endpoint.key, argument)
        # The item's own key (or, without one, its season) is always checked.
        key = endpoint.key_param or endpoint.season_param
        if endpoint is endpoints.GAME_FINDER:
            key = "season_nullable"
        assert key in {a for _, _, a in endpoint.identity}, endpoint.key
    # Issue 24's datasets have theirs in tests/fixtures (tests/test_more_of_each_game.py).
    more = {e.key for e in endpoints.MORE_OF_EACH_GAME}
    assert endpoints.ALL.keys() - more == {e.key for e, _, _ in REAL}


@pytest.mark.parametrize("endpoint,relative,request_args", REAL, ids=[r[1] for r in REAL])
def test_real_body_passes_for_its_request_and_fails_for_any_other(endpoint, relative, request_args):
    body = fixture_body(relative)
    tables = parse.parse(endpoint, body)
    parse.check_identity(endpoint, request_args, tables, body)
    for argument in {a for _, _, a in endpoint.identity}:
        wrong = {**request_args, argument: other_value(argument)}
        expected = parse.identity_value(argument, wrong[argument])
        with pytest.raises(BadPayloadError, match=f"not {expected} as asked"):
            parse.check_identity(endpoint, wrong, tables, body)


def test_seasons_compare_by_their_first_year():
    forms = ["2024-25", "2024", "22024", "42024"]
    assert {parse.identity_value("season", f) for f in forms} == {"2024"}
    assert parse.identity_value("season_nullable", "2023-24") != parse.identity_value(
        "season", "22024"
    )
    assert parse.identity_value("team_id", 1610612739) == "1610612739"
    # Season types are names, not seasons: PlayIn is not Playoffs.
    assert parse.identity_value("season_type_all_star", "PlayIn") != parse.identity_value(
        "season_type_all_star", "Playoffs"
    )


# --- the simulator's bodies, every endpoint ------------------------------------------------


@pytest.fixture(scope="module")
def responder():
    from pipeline.sim.bodies import Responder
    from pipeline.sim.league import League

    # Early in the season: discovery simulates only the few games already played.
    return Responder(League(seed=3, today=dt.date(2024, 10, 26)))


def simulated(responder, endpoint, request_args):
    """The simulator's answer to the request, checked for what it is; its tables."""
    parameters = endpoint.nba_class(**request_args, get_request=False).parameters
    reply = responder.answer(endpoint.api_name, parameters)
    assert reply.status == 200, (endpoint.key, reply.body)
    body = json.dumps(reply.body)
    tables = parse.parse(endpoint, body)
    parse.check_identity(endpoint, request_args, tables, body)
    return tables


def game_kwargs(endpoint, game_id: str) -> dict:
    """A game's request as the pipeline makes it (the shot chart also takes its season)."""
    return endpoint.item_kwargs(game_id, "2024-25", "Regular Season")


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
    """simulated() checks each answer's identity against its own request."""
    (game_id, team_id), _ = first_games(responder)
    checked = {endpoints.GAME_FINDER.key}
    person = None
    for endpoint in endpoints.GAME_ENDPOINTS:
        tables = simulated(responder, endpoint, game_kwargs(endpoint, game_id))
        if endpoint is endpoints.BOX_TRADITIONAL:
            person = tables["box_traditional_players"].column("personId")[0].as_py()
        checked.add(endpoint.key)
    for endpoint, key in (
        (endpoints.PLAYER_INFO, person),
        (endpoints.TEAM_INFO, team_id),
        (endpoints.TEAM_ROSTER, team_id),
        (endpoints.GAME_LOG_PLAYERS, "Regular Season"),
        (endpoints.GAME_LOG_TEAMS, "Regular Season"),
        (endpoints.PLAYER_INDEX, ""),
    ):
        simulated(responder, endpoint, endpoint.item_kwargs(str(key), "2024-25"))
        checked.add(endpoint.key)
    assert checked == endpoints.ALL.keys()


@pytest.mark.parametrize("endpoint", endpoints.GAME_ENDPOINTS, ids=lambda e: e.key)
def test_simulated_body_of_another_game_is_a_bad_payload(responder, endpoint):
    (asked, _), (answered, _) = first_games(responder)
    tables = simulated(responder, endpoint, game_kwargs(endpoint, answered))
    with pytest.raises(BadPayloadError, match=f"{answered}, not {asked} as asked"):
        parse.check_identity(endpoint, game_kwargs(endpoint, asked), tables)


# --- validation: a stored file with another game's rows -----------------------------------


def test_validation_flags_every_table_that_holds_another_games_rows(tmp_path):
    from tests.test_validate import SEASON, land_direct, table_path

    lake = land_direct(
        tmp_path / "lake",
        seed=11,
        today="2024-10-25",
        start="2024-10-22",
        end="2024-10-24",
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
