"""nba_api's own endpoint classes, over HTTP against pipeline.sim, read the same datasets and
columns as they read from the real recorded bodies in ../shared/fixtures/stats.nba.com."""

import json

import pytest
from nba_api.stats import endpoints
from nba_api.stats.library.http import NBAStatsHTTP, NBAStatsResponse

from pipeline.sim.server import SimServer
from tests.conftest import fixture_body

GAME = "0022400001"


@pytest.fixture(scope="module")
def sim():
    with SimServer(port=0, seed=0, today="2025-07-01") as server:
        old = NBAStatsHTTP.base_url
        NBAStatsHTTP.base_url = server.base_url
        yield server
        NBAStatsHTTP.base_url = old


def fixture_datasets(relative: str, endpoint: str | None) -> dict[str, list[str]]:
    text = fixture_body(relative)
    response = NBAStatsResponse(response=text, status_code=200, url=None)
    data_sets = response.get_data_sets(endpoint)
    return {name: list(ds["headers"]) for name, ds in data_sets.items()}


def sim_datasets(instance) -> dict[str, list[str]]:
    endpoint = instance.endpoint if instance.endpoint in V3 else None
    data_sets = instance.nba_response.get_data_sets(endpoint)
    return {name: list(ds["headers"]) for name, ds in data_sets.items()}


V3 = {
    "boxscoretraditionalv3",
    "boxscoreadvancedv3",
    "playbyplayv3",
    "boxscoresummaryv3",
    "boxscorefourfactorsv3",
    "boxscoremiscv3",
    "boxscorescoringv3",
    "boxscoreusagev3",
}
CASES = [
    (
        "boxscoretraditionalv3/GameID=0022200552.json",
        endpoints.BoxScoreTraditionalV3,
        {"game_id": GAME},
    ),
    (
        "boxscoretraditionalv3/GameID=0022500165.json",
        endpoints.BoxScoreTraditionalV3,
        {"game_id": GAME},
    ),
    ("boxscoreadvancedv3/GameID=0022200552.json", endpoints.BoxScoreAdvancedV3, {"game_id": GAME}),
    ("boxscoreadvancedv3/GameID=0022300001.json", endpoints.BoxScoreAdvancedV3, {"game_id": GAME}),
    (
        "boxscorefourfactorsv3/GameID=0022200552.json",
        endpoints.BoxScoreFourFactorsV3,
        {"game_id": GAME},
    ),
    ("boxscoremiscv3/GameID=0022200552.json", endpoints.BoxScoreMiscV3, {"game_id": GAME}),
    ("boxscorescoringv3/GameID=0022200552.json", endpoints.BoxScoreScoringV3, {"game_id": GAME}),
    ("boxscoreusagev3/GameID=0022200552.json", endpoints.BoxScoreUsageV3, {"game_id": GAME}),
    ("playbyplayv3/GameID=0022200552.json", endpoints.PlayByPlayV3, {"game_id": GAME}),
    ("playbyplayv3/GameID=0022400001.json", endpoints.PlayByPlayV3, {"game_id": GAME}),
    ("boxscoresummaryv3/GameID=0022500142.json", endpoints.BoxScoreSummaryV3, {"game_id": GAME}),
    (
        "leaguegamefinder/LeagueID=00,PlayerOrTeam=T,Season=2023-24,SeasonType=Regular+Season.json",
        endpoints.LeagueGameFinder,
        {
            "season_nullable": "2023-24",
            "season_type_nullable": "Regular Season",
            "league_id_nullable": "00",
            "player_or_team_abbreviation": "T",
            "date_from_nullable": "10/24/2023",
            "date_to_nullable": "11/05/2023",
        },
    ),
    (
        "leaguegamelog/LeagueID=00,PlayerOrTeam=T,Season=2025-26,SeasonType=Regular+Season.json",
        endpoints.LeagueGameLog,
        {
            "season": "2024-25",
            "player_or_team_abbreviation": "T",
            "date_from_nullable": "10/22/2024",
            "date_to_nullable": "11/05/2024",
        },
    ),
    (
        "leaguegamelog/DateFrom=2025-03-15,DateTo=2025-03-15,LeagueID=00,PlayerOrTeam=P,"
        "Season=2024-25,SeasonType=Regular+Season.json",
        endpoints.LeagueGameLog,
        {
            "season": "2024-25",
            "player_or_team_abbreviation": "P",
            "date_from_nullable": "03/15/2025",
            "date_to_nullable": "03/15/2025",
        },
    ),
    (
        "playerindex/LeagueID=00,Season=2025-26.json",
        endpoints.PlayerIndex,
        {"season": "2024-25"},
    ),
    (
        "commonplayerinfo/LeagueID=00,PlayerID=1628378.json",
        endpoints.CommonPlayerInfo,
        {"player_id": 1628378},
    ),
    (
        "teaminfocommon/LeagueID=00,TeamID=1610612739.json",
        endpoints.TeamInfoCommon,
        {"team_id": 1610612739},
    ),
    (
        "commonteamroster/LeagueID=00,Season=2025-26,TeamID=1610612739.json",
        endpoints.CommonTeamRoster,
        {"team_id": 1610612739, "season": "2024-25"},
    ),
]


CASE_IDS = [case[0].split("/")[0] + ":" + case[0].split("/")[1][:18] for case in CASES]


@pytest.mark.parametrize("relative,cls,kwargs", CASES, ids=CASE_IDS)
def test_same_datasets_and_columns_as_the_real_body(sim, relative, cls, kwargs):
    endpoint = relative.split("/")[0]
    expected = fixture_datasets(relative, endpoint if endpoint in V3 else None)
    instance = cls(**kwargs, timeout=60)
    got = sim_datasets(instance)
    assert list(got) == list(expected)
    for name, headers in expected.items():
        assert got[name] == headers, name
    # and the simulated body is not empty where the real one has rows
    real = NBAStatsResponse(
        response=fixture_body(relative), status_code=200, url=None
    ).get_data_sets(endpoint if endpoint in V3 else None)
    simulated = instance.nba_response.get_data_sets(endpoint if endpoint in V3 else None)
    for name, ds in real.items():
        if ds["data"] and name not in ("LastFiveMeetings",):
            assert simulated[name]["data"], name


def _top_level_keys(obj, depth=2, prefix=""):
    keys = []
    if isinstance(obj, dict) and depth:
        for key, value in obj.items():
            keys.append(prefix + key)
            keys += _top_level_keys(value, depth - 1, prefix + key + ".")
    return keys


V3_CLASSES = {
    "boxscoretraditionalv3": (endpoints.BoxScoreTraditionalV3, "boxScoreTraditional"),
    "boxscoreadvancedv3": (endpoints.BoxScoreAdvancedV3, "boxScoreAdvanced"),
    "boxscorefourfactorsv3": (endpoints.BoxScoreFourFactorsV3, "boxScoreFourFactors"),
    "boxscoremiscv3": (endpoints.BoxScoreMiscV3, "boxScoreMisc"),
    "boxscorescoringv3": (endpoints.BoxScoreScoringV3, "boxScoreScoring"),
    "boxscoreusagev3": (endpoints.BoxScoreUsageV3, "boxScoreUsage"),
    "playbyplayv3": (endpoints.PlayByPlayV3, None),
}


@pytest.mark.parametrize("name", sorted(V3_CLASSES))
def test_v3_payload_keys_and_value_types_mirror_the_real_body(sim, name):
    real = json.loads(fixture_body(f"{name}/GameID=0022200552.json"))
    cls, key = V3_CLASSES[name]
    ours = cls(game_id=GAME, timeout=60).nba_response.get_dict()
    assert _top_level_keys(ours, 3) == _top_level_keys(real, 3)
    if name == "playbyplayv3":
        real_action, our_action = real["game"]["actions"][0], ours["game"]["actions"][0]
        assert list(our_action) == list(real_action)
        assert {k: type(v) for k, v in our_action.items()} == {
            k: type(v) for k, v in real_action.items()
        }
        return
    for side in ("homeTeam", "awayTeam"):
        real_team, our_team = real[key][side], ours[key][side]
        assert list(our_team) == list(real_team)
        for real_player, our_player in (
            (real_team["players"][0], our_team["players"][0]),  # played
            (real_team["players"][-1], our_team["players"][-1]),  # did not play
        ):
            assert list(our_player) == list(real_player)
            assert {k: type(v) for k, v in our_player["statistics"].items()} == {
                k: type(v) for k, v in real_player["statistics"].items()
            }
        assert {k: type(v) for k, v in our_team["statistics"].items()} == {
            k: type(v) for k, v in real_team["statistics"].items()
        }


def test_schedule_columns_follow_the_real_pattern():
    real = fixture_datasets("scheduleleaguev2/LeagueID=00,Season=2020-21.json", "scheduleleaguev2")
    # Early in the season, so few games are final; the rest must be status 1.
    with SimServer(port=0, today="2024-11-01") as early:
        old, NBAStatsHTTP.base_url = NBAStatsHTTP.base_url, early.base_url
        try:
            response = NBAStatsHTTP().send_api_request(
                "scheduleleaguev2", {"LeagueID": "00", "Season": "2024-25"}, timeout=60
            )
        finally:
            NBAStatsHTTP.base_url = old
    body = response.get_dict()
    games = [g for day in body["leagueSchedule"]["gameDates"] for g in day["games"]]
    assert body["leagueSchedule"]["seasonYear"] == "2024-25"
    assert sum(g["gameId"].startswith("002") for g in games) == 1230
    assert {g["gameStatus"] for g in games if g["gameDateEst"] > "2024-11-02"} == {1}
    assert {g["gameStatus"] for g in games if g["gameDateEst"] < "2024-11-01"} == {3}
    # nba_api's schedule parser is quadratic in the number of games; the columns do not
    # depend on how many there are, so parse the first two weeks with it.
    body["leagueSchedule"]["gameDates"] = body["leagueSchedule"]["gameDates"][:14]
    trimmed = NBAStatsResponse(response=json.dumps(body), status_code=200, url=None)
    ours = {n: list(ds["headers"]) for n, ds in trimmed.get_data_sets("scheduleleaguev2").items()}
    assert list(ours) == list(real)
    assert ours["SeasonWeeks"] == real["SeasonWeeks"]
    assert ours["SeasonGames"] == real["SeasonGames"]


def test_gamefinder_rows_match_the_real_style(sim):
    finder = endpoints.LeagueGameFinder(
        season_nullable="2024-25", season_type_nullable="Playoffs", timeout=60
    )
    frame = finder.get_data_frames()[0]
    assert len(frame) % 2 == 0 and len(frame) > 0
    for game_id, rows in frame.groupby("GAME_ID"):
        assert len(rows) == 2
        home = rows[rows.MATCHUP.str.contains(" vs. ")].iloc[0]
        away = rows[rows.MATCHUP.str.contains(" @ ")].iloc[0]
        assert f"{home.TEAM_ABBREVIATION} vs. {away.TEAM_ABBREVIATION}" == home.MATCHUP
        assert f"{away.TEAM_ABBREVIATION} @ {home.TEAM_ABBREVIATION}" == away.MATCHUP
        assert {home.WL, away.WL} == {"W", "L"}
        assert home.PLUS_MINUS == -away.PLUS_MINUS == home.PTS - away.PTS
        assert game_id.startswith("00424")
    assert list(frame.GAME_DATE) == sorted(frame.GAME_DATE, reverse=True)
