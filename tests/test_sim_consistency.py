"""On every game of a generated 2024-25 season (regular, cup, play-in, playoffs), the numbers
agree: box score vs. play-by-play vs. summary line score, minutes, percentages."""

import datetime as dt
from collections import Counter, defaultdict

import pytest

from pipeline.model import gamelog
from pipeline.sim.bodies import Responder, pct
from pipeline.sim.league import League

SEASON = "2024-25"


def seconds(minutes: str) -> int:
    mm, ss = minutes.split(":")
    return int(mm) * 60 + int(ss)


@pytest.fixture(scope="module")
def season_bodies():
    league = League(seed=7, today=dt.date(2025, 7, 1))
    responder = Responder(league, cache_size=4)
    season = league.season(SEASON)
    bodies = []
    for game in season.games:
        params = {"GameID": game.game_id}
        bodies.append(
            (
                game,
                responder.answer("boxscoretraditionalv3", params).body,
                responder.answer("boxscoreadvancedv3", params).body,
                responder.answer("playbyplayv3", params).body,
                responder.answer("boxscoresummaryv3", params).body,
            )
        )
    return season, bodies


def test_season_structure(season_bodies):
    season, _ = season_bodies
    kinds = Counter(g.game_id[:3] for g in season.games)
    assert kinds["002"] == 1230 and kinds["005"] == 6 and kinds["006"] == 1
    assert 4 * 15 <= kinds["004"] <= 7 * 15
    regular = [g for g in season.games if g.game_id.startswith("002")]
    assert [g.game_id for g in regular] == [f"00224{n:05d}" for n in range(1, 1231)]
    assert [g.date for g in regular] == sorted(g.date for g in regular)
    games_per_team = Counter(t for g in regular for t in (g.home_team_id, g.away_team_id))
    assert set(games_per_team.values()) == {82} and len(games_per_team) == 30
    assert regular[0].date.month == 10 and regular[-1].date.month == 4
    series = defaultdict(list)
    for g in season.games:
        if g.game_id.startswith("004"):
            series[g.game_id[:9]].append(g)
    assert len(series) == 15
    for games in series.values():
        wins = Counter(g.winner_id for g in games)
        assert 4 <= len(games) <= 7 and max(wins.values()) == 4
        assert games[-1].winner_id == wins.most_common(1)[0][0]  # the clinching game
    assert any(g.overtimes for g in season.games)


def test_every_game_adds_up(season_bodies):
    _, bodies = season_bodies
    dnp_seen = 0
    for game, box, adv, pbp, summary in bodies:
        box, adv = box["boxScoreTraditional"], adv["boxScoreAdvanced"]
        actions = pbp["game"]["actions"]
        summary = summary["boxScoreSummary"]
        assert [a["actionId"] for a in actions] == list(range(1, len(actions) + 1))
        last_score = next(a for a in reversed(actions) if a["scoreHome"] != "")
        game_seconds = 2880 + 300 * game.overtimes
        per_player = defaultdict(Counter)
        for a in actions:
            p, kind = per_player[a["personId"]], a["actionType"]
            if kind in ("Made Shot", "Missed Shot"):
                p["fga"] += 1
                p["fg3a"] += a["shotValue"] == 3
                if kind == "Made Shot":
                    p["fgm"] += 1
                    p["fg3m"] += a["shotValue"] == 3
                    p["pts"] += a["shotValue"]
                    if "AST)" in a["description"]:
                        assister = a["description"].rsplit("(", 1)[1].rsplit(" ", 2)[0]
                        p["ast_given"] += 1
                        per_player[("ast", a["teamId"], assister)]["ast"] += 1
            elif kind == "Free Throw":
                p["fta"] += 1
                if not a["description"].startswith("MISS"):
                    p["ftm"] += 1
                    p["pts"] += 1
            elif kind == "Rebound":
                off = "(Off:" in a["description"]
                assert off
            elif kind == "Turnover":
                p["tov"] += 1
            elif kind == "Foul":
                p["pf"] += 1
            elif "STEAL" in a["description"]:
                p["stl"] += 1
            elif "BLOCK" in a["description"]:
                p["blk"] += 1
        for key, is_home in (("homeTeam", True), ("awayTeam", False)):
            team = box[key]
            stats = team["statistics"]
            players = team["players"]
            # points: team = players = play-by-play = line score
            assert stats["points"] == sum(p["statistics"]["points"] for p in players)
            assert stats["points"] == int(last_score["scoreHome" if is_home else "scoreAway"])
            line = summary[key]
            assert sum(x["score"] for x in line["periods"]) == line["score"] == stats["points"]
            # minutes
            played = [p for p in players if p["statistics"]["minutes"]]
            dnp = [p for p in players if not p["statistics"]["minutes"]]
            dnp_seen += len(dnp)
            assert all(p["comment"].startswith("DNP") for p in dnp)
            assert sum(seconds(p["statistics"]["minutes"]) for p in played) == 5 * game_seconds
            assert stats["minutes"] == f"{game_seconds // 60 * 5}:00"
            # made <= attempted, percentages
            for s in [stats] + [p["statistics"] for p in played]:
                for made, att, pc in (
                    ("fieldGoalsMade", "fieldGoalsAttempted", "fieldGoalsPercentage"),
                    ("threePointersMade", "threePointersAttempted", "threePointersPercentage"),
                    ("freeThrowsMade", "freeThrowsAttempted", "freeThrowsPercentage"),
                ):
                    assert 0 <= s[made] <= s[att]
                    assert s[pc] == pct(s[made], s[att])
                assert s["reboundsTotal"] == s["reboundsOffensive"] + s["reboundsDefensive"]
            # the play-by-play is this box score
            for p in players:
                s, ev = p["statistics"], per_player[p["personId"]]
                assert (s["fieldGoalsMade"], s["fieldGoalsAttempted"]) == (ev["fgm"], ev["fga"])
                assert (s["threePointersMade"], s["threePointersAttempted"]) == (
                    ev["fg3m"],
                    ev["fg3a"],
                )
                assert (s["freeThrowsMade"], s["freeThrowsAttempted"]) == (ev["ftm"], ev["fta"])
                assert s["points"] == ev["pts"]
                assert (s["turnovers"], s["steals"], s["blocks"], s["foulsPersonal"]) == (
                    ev["tov"],
                    ev["stl"],
                    ev["blk"],
                    ev["pf"],
                )
                names = [q["familyName"] for q in players]
                if names.count(p["familyName"]) == 1:  # descriptions only carry last names
                    assert (
                        s["assists"] == per_player[("ast", team["teamId"], p["familyName"])]["ast"]
                    )
            assert stats["assists"] == sum(
                1
                for a in actions
                if a["teamId"] == team["teamId"]
                and a["actionType"] == "Made Shot"
                and "AST)" in a["description"]
            )
            rebounds = [
                a for a in actions if a["actionType"] == "Rebound" and a["teamId"] == team["teamId"]
            ]
            assert stats["reboundsTotal"] == len(rebounds)
            last_reb = {}
            for a in rebounds:
                last_reb[a["personId"]] = a["description"]
            for p in players:
                if p["personId"] in last_reb:
                    s = p["statistics"]
                    assert last_reb[p["personId"]].endswith(
                        f"(Off:{s['reboundsOffensive']} Def:{s['reboundsDefensive']})"
                    )
            # advanced box: the same players
            assert [p["personId"] for p in adv[key]["players"]] == [p["personId"] for p in players]
            assert [p["statistics"]["minutes"] for p in adv[key]["players"]] == [
                p["statistics"]["minutes"] for p in players
            ]
    assert dnp_seen > 0


def test_minutes_and_clock_formats(season_bodies):
    _, bodies = season_bodies
    ot_game = next(b for b in bodies if b[0].overtimes == 1)
    assert ot_game[1]["boxScoreTraditional"]["homeTeam"]["statistics"]["minutes"] == "265:00"
    action = ot_game[3]["game"]["actions"][5]
    assert action["clock"].startswith("PT") and action["clock"].endswith("S")
    assert all(isinstance(a["scoreHome"], str) for a in ot_game[3]["game"]["actions"])


def test_no_play_by_play_before_1996_but_box_scores_exist():
    league = League(seed=1, today=dt.date(2025, 7, 1))
    responder = Responder(league)
    season = league.season("1985-86")
    assert len([g for g in season.games if g.game_id.startswith("002")]) == 41 * len(season.teams)
    game = season.games[0]
    assert responder.answer("playbyplayv3", {"GameID": game.game_id}).body["game"]["actions"] == []
    box = responder.answer("boxscoretraditionalv3", {"GameID": game.game_id}).body
    assert box["boxScoreTraditional"]["homeTeam"]["statistics"]["points"] == game.home_score
    assert box["boxScoreTraditional"]["homeTeam"]["statistics"]["threePointersMade"] >= 0
    assert not any(g.game_id.startswith("005") for g in season.games)


def test_deterministic_in_seed():
    a = Responder(League(3, dt.date(2025, 7, 1))).answer("playbyplayv3", {"GameID": "0022400100"})
    b = Responder(League(3, dt.date(2025, 7, 1))).answer("playbyplayv3", {"GameID": "0022400100"})
    c = Responder(League(4, dt.date(2025, 7, 1))).answer("playbyplayv3", {"GameID": "0022400100"})
    assert a.body == b.body and a.body != c.body


def test_team_lines_from_the_plans_equal_the_played_box_scores(season_bodies):
    """The game finder and team game log count each game's plan without playing it; the box
    scores play it out. They must agree on every game, every number."""
    season, bodies = season_bodies
    responder = Responder(League(seed=7, today=dt.date(2025, 7, 1)))
    finder, log = {}, {}
    for season_type in ("Regular Season", "PlayIn", "Playoffs", "IST"):
        params = {"Season": SEASON, "SeasonType": season_type}
        for name, into in (("leaguegamefinder", finder), ("leaguegamelog", log)):
            result_set = responder.answer(name, params).body["resultSets"][0]
            for row in result_set["rowSet"]:
                row = dict(zip(result_set["headers"], row, strict=True))
                into[(row["GAME_ID"], row["TEAM_ID"])] = row
    assert len(finder) == len(log) == 2 * len(season.games)
    # The check's own map (less REB and MIN, which these tables hold otherwise), and the
    # margin.
    columns = {k: v for k, v in gamelog.STATS.items() if k not in ("MIN", "REB")}
    columns["PLUS_MINUS"] = "plusMinusPoints"
    for game, box, *_ in bodies:
        for side in ("homeTeam", "awayTeam"):
            stats = box["boxScoreTraditional"][side]["statistics"]
            key = (game.game_id, box["boxScoreTraditional"][side]["teamId"])
            for rows in (finder, log):
                assert {c: rows[key][c] for c in columns} == {
                    c: stats[v] for c, v in columns.items()
                }, key
                assert rows[key]["MIN"] * 60 == seconds(stats["minutes"])
                assert rows[key]["WL"] == ("W" if stats["plusMinusPoints"] > 0 else "L")
