"""A season in progress in the simulator: today moves and games appear, today's games are
live, the game logs and PlayerIndex agree with the box scores and bios, and a stat
correction changes exactly one rebound from its date on.

Over HTTP with nba_api's own classes where the shape matters; the rest through the
Responder (the same bodies, without sockets)."""

import datetime as dt
import re

import pytest
import requests
from nba_api.stats import endpoints
from nba_api.stats.library.http import NBAStatsHTTP

from pipeline.model import gamelog
from pipeline.sim.__main__ import main as sim_main
from pipeline.sim.bodies import Responder
from pipeline.sim.league import League
from pipeline.sim.server import SimServer

SEASON = "2024-25"
D1, D2 = dt.date(2024, 11, 5), dt.date(2024, 11, 9)
# Game log column -> traditional box score statistic: the check's own map, less MIN (the
# log rounds minutes; gamelog.compare allows for it).
COUNTING = {k: v for k, v in gamelog.STATS.items() if k != "MIN"}


def responder(today, **kwargs) -> Responder:
    return Responder(League(seed=3, today=today), **kwargs)


def body(sim: Responder, endpoint: str, **params) -> dict:
    reply = sim.answer(endpoint, params)
    assert reply.status == 200, (endpoint, params, reply.body)
    return reply.body


def rows(result_set: dict) -> list[dict]:
    return [dict(zip(result_set["headers"], row, strict=True)) for row in result_set["rowSet"]]


def finder(sim: Responder) -> list[dict]:
    found = body(sim, "leaguegamefinder", Season=SEASON, SeasonType="Regular Season")
    return rows(found["resultSets"][0])


def seconds(minutes: str) -> int:
    mm, ss = minutes.split(":")
    return int(mm) * 60 + int(ss)


@pytest.fixture
def nba_api_on():
    servers = []

    def point_at(sim: SimServer) -> SimServer:
        servers.append(NBAStatsHTTP.base_url)
        NBAStatsHTTP.base_url = sim.base_url
        return sim

    yield point_at
    if servers:
        NBAStatsHTTP.base_url = servers[0]


# ----- today ------------------------------------------------------------------------------
def test_games_appear_as_today_moves():
    season = League(seed=3).season(SEASON)
    listed = {}
    for today in (D1, D2):
        found = finder(responder(today))
        assert max(row["GAME_DATE"] for row in found) == today.isoformat()
        listed[today] = {row["GAME_ID"] for row in found}
        assert listed[today] == {
            g.game_id for g in season.games if g.season_type == "Regular Season" and g.date <= today
        }
        log = body(responder(today), "leaguegamelog", Season=SEASON, SeasonType="Regular Season")
        assert {r["GAME_ID"] for r in rows(log["resultSets"][0])} == {
            g.game_id for g in season.games if g.season_type == "Regular Season" and g.date < today
        }
    assert listed[D1] < listed[D2]
    later = next(g for g in season.games if g.date > D1)
    unknown = responder(D1).answer("boxscoretraditionalv3", {"GameID": later.game_id})
    assert (unknown.status, unknown.body) == (404, f"No game found for GameID {later.game_id}.")
    assert responder(D2).answer("boxscoretraditionalv3", {"GameID": later.game_id}).status == 200
    schedule = body(responder(D1), "scheduleleaguev2", Season=SEASON)["leagueSchedule"]
    status = {g["gameId"]: g["gameStatus"] for day in schedule["gameDates"] for g in day["games"]}
    assert status[later.game_id] == 1  # the schedule lists it, as still to be played


def test_a_game_on_today_is_live_and_a_prefix_of_the_final_one():
    live_sim, final_sim = responder(D1), responder(D1 + dt.timedelta(days=1))
    today_games = [g for g in live_sim.league.season(SEASON).games if g.date == D1]
    assert today_games
    live_rows = {(r["GAME_ID"], r["TEAM_ID"]): r for r in finder(live_sim)}
    final_rows = {(r["GAME_ID"], r["TEAM_ID"]): r for r in finder(final_sim)}
    for game in today_games:
        params = {"GameID": game.game_id}
        summary = body(live_sim, "boxscoresummaryv3", **params)["boxScoreSummary"]
        assert summary["gameStatus"] == 2
        assert re.fullmatch(r"Q[1-4] \d{1,2}:\d\d", summary["gameStatusText"])
        assert summary["period"] == int(summary["gameStatusText"][1])
        final_summary = body(final_sim, "boxscoresummaryv3", **params)["boxScoreSummary"]
        assert (final_summary["gameStatus"], final_summary["gameStatusText"]) == (3, "Final")
        box = body(live_sim, "boxscoretraditionalv3", **params)["boxScoreTraditional"]
        actions = body(live_sim, "playbyplayv3", **params)["game"]["actions"]
        final_actions = body(final_sim, "playbyplayv3", **params)["game"]["actions"]
        assert actions == final_actions[: len(actions)] and len(actions) < len(final_actions)
        last = next(a for a in reversed(actions) if a["scoreHome"])
        for side, score in (("homeTeam", "scoreHome"), ("awayTeam", "scoreAway")):
            team = box[side]
            points = team["statistics"]["points"]
            assert points == sum(p["statistics"]["points"] for p in team["players"])
            assert points == int(last[score]) == summary[side]["score"]
            row = live_rows[(game.game_id, team["teamId"])]
            assert row["WL"] is None and row["PTS"] == points
            assert row["FGA"] == team["statistics"]["fieldGoalsAttempted"]
            assert final_rows[(game.game_id, team["teamId"])]["WL"] in ("W", "L")
            played = sum(
                seconds(p["statistics"]["minutes"])
                for p in team["players"]
                if p["statistics"]["minutes"]
            )
            assert 0 < played < 5 * 2880 and played % 5 == 0


# ----- game logs --------------------------------------------------------------------------
def test_game_logs_equal_the_box_scores(nba_api_on):
    with SimServer(port=0, seed=3, today=D2) as sim:
        nba_api_on(sim)
        players = endpoints.LeagueGameLog(
            season=SEASON, player_or_team_abbreviation="P", timeout=60
        ).get_normalized_dict()["LeagueGameLog"]
        teams = endpoints.LeagueGameLog(
            season=SEASON, player_or_team_abbreviation="T", timeout=60
        ).get_normalized_dict()["LeagueGameLog"]
        games = sorted({row["GAME_ID"] for row in teams})
        assert games == sorted(g.game_id for g in sim.league.season(SEASON).games if g.date < D2)
        for game_id in games[::7]:
            box = endpoints.BoxScoreTraditionalV3(game_id=game_id, timeout=60).get_dict()
            box = box["boxScoreTraditional"]
            logged = {r["PLAYER_ID"]: r for r in players if r["GAME_ID"] == game_id}
            for side in ("homeTeam", "awayTeam"):
                team = box[side]
                [team_row] = [
                    r for r in teams if (r["GAME_ID"], r["TEAM_ID"]) == (game_id, team["teamId"])
                ]
                assert all(team_row[k] == team["statistics"][v] for k, v in COUNTING.items())
                assert team_row["MIN"] * 60 == seconds(team["statistics"]["minutes"])
                assert team_row["PLUS_MINUS"] == team["statistics"]["plusMinusPoints"]
                for player in team["players"]:
                    stats = player["statistics"]
                    row = logged.pop(player["personId"], None)
                    if not stats["minutes"]:
                        assert row is None  # did not play: no row
                        continue
                    assert {k: row[k] for k in COUNTING} == {
                        k: stats[v] for k, v in COUNTING.items()
                    }
                    assert abs(row["MIN"] * 60 - seconds(stats["minutes"])) <= 30
                    assert row["TEAM_ID"] == team["teamId"]
                    assert row["PLUS_MINUS"] == stats["plusMinusPoints"]
                    assert row["FT_PCT"] == (
                        round(stats["freeThrowsMade"] / stats["freeThrowsAttempted"], 3)
                        if stats["freeThrowsAttempted"]
                        else None
                    )
            assert logged == {}  # no row without a box-score player


def test_a_one_day_player_log_is_that_day_only():
    sim = responder(D2)
    log = body(
        sim,
        "leaguegamelog",
        Season=SEASON,
        SeasonType="Regular Season",
        PlayerOrTeam="P",
        DateFrom="11/02/2024",
        DateTo="11/02/2024",
        Direction="DESC",
    )
    found = rows(log["resultSets"][0])
    assert {r["GAME_DATE"] for r in found} == {"2024-11-02"}
    day_games = {
        g.game_id for g in sim.league.season(SEASON).games if g.date.isoformat() == "2024-11-02"
    }
    assert {r["GAME_ID"] for r in found} == day_games
    for r in found:
        fantasy = r["PTS"] + 1.2 * r["REB"] + 1.5 * r["AST"] + 3 * (r["STL"] + r["BLK"]) - r["TOV"]
        assert r["FANTASY_PTS"] == round(fantasy, 1)


# ----- PlayerIndex ------------------------------------------------------------------------
def test_player_index_agrees_with_common_player_info_and_the_box_scores():
    sim = responder(dt.date(2025, 3, 1))
    index = {
        r["PERSON_ID"]: r for r in rows(body(sim, "playerindex", Season=SEASON)["resultSets"][0])
    }
    assert len(index) == 30 * 15
    positions = {"G": "Guard", "F": "Forward", "C": "Center"}
    for person_id in sorted(index)[::23]:
        row = index[person_id]
        info = rows(body(sim, "commonplayerinfo", PlayerID=str(person_id))["resultSets"][0])[0]
        assert (info["TEAM_ID"], info["TEAM_ABBREVIATION"]) == (
            row["TEAM_ID"],
            row["TEAM_ABBREVIATION"],
        )
        assert info["JERSEY"] == row["JERSEY_NUMBER"]
        assert info["POSITION"] == positions[row["POSITION"]]
        assert (info["HEIGHT"], info["WEIGHT"]) == (row["HEIGHT"], row["WEIGHT"])
        assert (info["SCHOOL"], info["COUNTRY"]) == (row["COLLEGE"], row["COUNTRY"])
        assert (info["FROM_YEAR"], info["TO_YEAR"]) == (int(row["FROM_YEAR"]), int(row["TO_YEAR"]))
        assert int(row["FROM_YEAR"]) <= 2024 <= int(row["TO_YEAR"])
        for column in ("DRAFT_YEAR", "DRAFT_ROUND", "DRAFT_NUMBER"):
            assert info[column] == ("Undrafted" if row[column] is None else str(row[column]))
    game = sim.league.season(SEASON).games[100]
    box = body(sim, "boxscoretraditionalv3", GameID=game.game_id)["boxScoreTraditional"]
    for side in ("homeTeam", "awayTeam"):
        for player in box[side]["players"]:
            row = index[player["personId"]]
            assert (row["TEAM_ID"], row["JERSEY_NUMBER"]) == (
                box[side]["teamId"],
                player["jerseyNum"],
            )


# ----- stat corrections -------------------------------------------------------------------
def changed(before: dict, after: dict) -> dict:
    """{id: {field: (before, after)}} for the rows whose values differ."""
    out = {}
    for ident, row in after.items():
        diff = {k: (before[ident][k], v) for k, v in row.items() if before[ident][k] != v}
        if diff:
            out[ident] = diff
    return out


def test_a_correction_moves_one_rebound_from_its_date_on():
    season = League(seed=3).season(SEASON)
    victim = next(g for g in season.games if g.date == dt.date(2024, 11, 1))
    other = next(g for g in season.games if g.date == dt.date(2024, 11, 2))
    corrections = {victim.game_id: dt.date(2024, 11, 6)}
    views = {}
    for today in (D1, D1 + dt.timedelta(days=1), D2):
        sim = responder(today, corrections=corrections)
        views[today] = {
            "box": body(sim, "boxscoretraditionalv3", GameID=victim.game_id)["boxScoreTraditional"],
            "other": body(sim, "boxscoretraditionalv3", GameID=other.game_id),
            "misc": body(sim, "boxscoremiscv3", GameID=victim.game_id),
            **{
                name: {
                    p["personId"]: p["statistics"]
                    for p in body(sim, f"boxscore{name}v3", GameID=victim.game_id)[key]["homeTeam"][
                        "players"
                    ]
                }
                for name, key in (("advanced", "boxScoreAdvanced"), ("usage", "boxScoreUsage"))
            },
            "players": {
                r["PLAYER_ID"]: r
                for r in rows(
                    body(
                        sim,
                        "leaguegamelog",
                        Season=SEASON,
                        SeasonType="Regular Season",
                        PlayerOrTeam="P",
                    )["resultSets"][0]
                )
                if r["GAME_ID"] == victim.game_id
            },
            "teams": [
                r
                for r in rows(
                    body(sim, "leaguegamelog", Season=SEASON, SeasonType="Regular Season")[
                        "resultSets"
                    ][0]
                )
                if r["GAME_ID"] == victim.game_id
            ],
        }
    before, on_the_day, after = views[D1], views[D1 + dt.timedelta(days=1)], views[D2]
    assert on_the_day == after  # from its date on
    assert before["other"] == after["other"] and before["misc"] == after["misc"]
    assert len(after["teams"]) == 2 and before["teams"] == after["teams"]  # team totals too
    stats = {
        when: {p["personId"]: p["statistics"] for p in view["box"]["homeTeam"]["players"]}
        for when, view in (("before", before), ("after", after))
    }
    box_changes = changed(stats["before"], stats["after"])
    assert len(box_changes) == 2
    moves = sorted(
        d["reboundsDefensive"][1] - d["reboundsDefensive"][0] for d in box_changes.values()
    )
    assert moves == [-1, 1]
    for diff in box_changes.values():
        assert set(diff) == {"reboundsDefensive", "reboundsTotal"}
    assert before["box"]["homeTeam"]["statistics"] == after["box"]["homeTeam"]["statistics"]
    assert before["box"]["awayTeam"] == after["box"]["awayTeam"]
    log_changes = changed(before["players"], after["players"])
    assert set(log_changes) == set(box_changes)
    for diff in log_changes.values():
        assert set(diff) == {"DREB", "REB", "FANTASY_PTS"}
    for name in ("advanced", "usage"):  # and what is derived from rebounds
        assert set(changed(before[name], after[name])) == set(box_changes)


def test_correction_flag_on_the_command_line(tmp_path):
    import subprocess
    import sys

    victim = "0022400040"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.sim",
            "--seed",
            "3",
            "--today",
            D2.isoformat(),
            "--correction",
            f"{victim}@{D1.isoformat()}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip().rsplit(" ", 1)[1]
        served = requests.get(f"{url}/stats/boxscoretraditionalv3?GameID={victim}", timeout=30)
    finally:
        process.terminate()
        process.wait(timeout=10)
    corrected = responder(D2, corrections={victim: D1})
    assert served.json() == body(corrected, "boxscoretraditionalv3", GameID=victim)
    assert served.json() != body(responder(D2), "boxscoretraditionalv3", GameID=victim)


def test_a_malformed_correction_flag_is_refused():
    with pytest.raises(SystemExit) as bad:
        sim_main(["--correction", "0022400100@not-a-date"])
    assert bad.value.code == 2
