"""The simulated league's shape by season, 1946-47 to today: teams, schedule, playoffs."""

import collections
import datetime as dt

import pytest

from pipeline.sim.bodies import Responder
from pipeline.sim.league import League

LEAGUE = League(seed=0, today=dt.date(2025, 7, 1))

# season -> (teams, games per team), from basketball-reference.com's league index
SHAPES = {
    "1946-47": (11, 60),
    "1947-48": (8, 48),
    "1948-49": (12, 60),
    "1949-50": (17, 68),
    "1950-51": (10, 66),
    "1954-55": (8, 72),
    "1961-62": (9, 80),
    "1966-67": (10, 81),
    "1967-68": (12, 82),
    "1976-77": (22, 82),
    "1988-89": (25, 82),
    "1995-96": (29, 82),
    "1998-99": (29, 50),
    "2002-03": (29, 82),
    "2004-05": (30, 82),
    "2011-12": (30, 66),
    "2020-21": (30, 72),
    "2024-25": (30, 82),
}


def games_per_team(season) -> set[int]:
    per = collections.Counter()
    for game in season.games:
        if game.season_type == "Regular Season":
            per.update((game.home_team_id, game.away_team_id))
    return set(per.values())


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_teams_and_schedule_length(name):
    teams, games = SHAPES[name]
    season = LEAGUE.season(name)
    assert len(season.teams) == teams
    assert games_per_team(season) == {games}
    assert len({g.game_id for g in season.games}) == len(season.games)
    assert all(len(season.rosters[t.team_id]) == 15 for t in season.teams)


def test_bubble_season():
    season = LEAGUE.season("2019-20")
    assert games_per_team(season) == {64, 72}  # 8 seeding games for the 22 in Orlando
    playoffs = [g for g in season.games if g.season_type == "Playoffs"]
    assert min(g.date for g in playoffs) == dt.date(2020, 8, 17)
    assert not [g for g in season.games if g.season_type == "PlayIn"]


@pytest.mark.parametrize(
    "name,teams,first_round_wins",
    [("1946-47", 6, 2), ("1975-76", 10, 2), ("1983-84", 16, 3), ("2002-03", 16, 4)],
)
def test_playoff_format_by_era(name, teams, first_round_wins):
    season = LEAGUE.season(name)
    playoffs = [g for g in season.games if g.season_type == "Playoffs"]
    assert len({g.home_team_id for g in playoffs} | {g.away_team_id for g in playoffs}) == teams
    series = collections.defaultdict(collections.Counter)
    for game in playoffs:
        series[(game.extra["round"], game.extra["series"])][game.winner_id] += 1
    first = min(r for r, _ in series)
    assert {max(c.values()) for (r, _), c in series.items() if r == first} == {first_round_wins}
    finals = [c for (r, _), c in series.items() if r == 4]  # the Finals: round 4 in the ids
    assert len(finals) == 1 and max(finals[0].values()) == 4


def test_play_in_and_cup_only_in_their_eras():
    for name, play_in, cup in (("2019-20", 0, 0), ("2020-21", 6, 0), ("2023-24", 6, 1)):
        types = collections.Counter(g.season_type for g in LEAGUE.season(name).games)
        assert (types["PlayIn"], types["IST"]) == (play_in, cup), name


def test_defunct_franchises_answer_and_old_counts_are_null():
    """1949-50: Anderson, Sheboygan, Waterloo, Denver... (ids 1610610023-37) play; the
    counts the league did not keep then are null in box scores and game logs alike."""
    responder = Responder(LEAGUE)
    season = LEAGUE.season("1949-50")
    assert 1610610023 in {t.team_id for t in season.teams}
    game = next(g for g in season.games if 1610610023 in (g.home_team_id, g.away_team_id))
    box = responder.answer("boxscoretraditionalv3", {"GameID": game.game_id}).body
    team = box["boxScoreTraditional"]["homeTeam"]
    assert team["statistics"]["points"] == game.home_score
    unkept = ("threePointersMade", "reboundsOffensive", "steals", "blocks", "turnovers")
    for key in (*unkept, "reboundsTotal", "minutes"):  # rebounds from 1950-51, minutes 1951-52
        assert team["statistics"][key] is None
        assert all(p["statistics"][key] is None for p in team["players"])
    assert sum(p["statistics"]["points"] for p in team["players"]) == game.home_score
    params = {"Season": "1949-50", "SeasonType": "Regular Season", "PlayerOrTeam": "T"}
    log = responder.answer("leaguegamelog", params).body["resultSets"][0]
    row = next(
        dict(zip(log["headers"], r, strict=True))
        for r in log["rowSet"]
        if r[4] == game.game_id and r[1] == team["teamId"]
    )
    assert row["PTS"] == game.home_score
    assert row["FG3M"] is row["OREB"] is row["STL"] is row["TOV"] is row["REB"] is None
    assert row["MIN"] is None
    info = responder.answer("teaminfocommon", {"TeamID": "1610610023", "Season": "1949-50"})
    assert info.status == 200


def test_rebounds_then_minutes_come_in():
    responder = Responder(LEAGUE)
    for name, rebounds, minutes in (("1950-51", True, False), ("1951-52", True, True)):
        game = LEAGUE.season(name).games[0]
        box = responder.answer("boxscoretraditionalv3", {"GameID": game.game_id}).body
        team = box["boxScoreTraditional"]["homeTeam"]
        players = team["players"]
        assert (team["statistics"]["reboundsTotal"] is not None) is rebounds
        assert (
            team["statistics"]["reboundsTotal"]
            == sum(p["statistics"]["reboundsTotal"] for p in players)
            or not rebounds
        )
        assert all((p["statistics"]["minutes"] is not None) is minutes for p in players), name


def test_bad_seasons_are_not_found():
    responder = Responder(LEAGUE)
    params = {"Season": "1945-46", "SeasonType": "Regular Season"}
    assert responder.answer("leaguegamefinder", params).status == 404
