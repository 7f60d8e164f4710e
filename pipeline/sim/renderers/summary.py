"""BoxScoreSummaryV3: status, arena, officials, line score, players, inactives, meetings."""

from __future__ import annotations

from ..game import DNP_COMMENT, GameResult, format_clock, totals
from ..league import TEAMS_BY_ID, GameRecord, Season
from .common import Reply, iso, meta, pct, status_text, team_meta, utc_offset_minutes
from .play_by_play import PBP_FIRST_SEASON
from .registry import Source, renders


def _summary_team(record: GameRecord, result: GameResult, is_home: bool) -> dict:
    side = result.side(is_home)
    info = team_meta(side.team.team_id)
    live = result.cut is not None
    periods = [scores[0 if is_home else 1] for scores in result.periods]
    periods += [0] * (4 - len(periods))  # a live game shows the quarters still to come
    team = {
        "teamId": info["teamId"],
        "teamName": info["teamName"],
        "teamCity": info["teamCity"],
        "teamTricode": info["teamTricode"],
        "teamSlug": info["teamSlug"],
        "wins": record.home_wins if is_home else record.away_wins,
        "losses": record.home_losses if is_home else record.away_losses,
        "score": sum(periods),
        "seed": None,
        "inBonus": None,
        "timeoutsRemaining": 2 if live else 0,
        "periods": [
            {"period": i + 1, "periodType": "REGULAR" if i < 4 else "OVERTIME", "score": score}
            for i, score in enumerate(periods)
        ],
        "players": [],
        "inactives": [],
        "statistics": {},
    }
    for line in side.lines:
        player = line.spot.player
        team["players"].append(
            {
                "personId": player.person_id,
                "name": player.full_name,
                "position": line.spot.position if line.starter else "",
                "starter": "1" if line.starter else "0",
                "oncourt": "0",
                "played": "1" if line.played else "0",
                "statistics": {
                    "points": line.pts,
                    "rebounds": line.reb,
                    "assists": line.ast,
                    "minutes": f"PT{line.seconds // 60:02d}M{line.seconds % 60:02d}.00S",
                },
                "notPlayingReason": None if line.played or live else DNP_COMMENT,
            }
        )
    for spot in side.inactive:
        team["inactives"].append(
            {
                "personId": spot.player.person_id,
                "firstName": spot.player.first_name,
                "familyName": spot.player.last_name,
                "jerseyNum": spot.jersey,
            }
        )
    c = totals(side.lines)
    team["statistics"] = {
        "points": c["pts"],
        "fieldGoalsAttempted": c["fga"],
        "fieldGoalsMade": c["fgm"],
        "fieldGoalsPercentage": pct(c["fgm"], c["fga"]),
        "threePointersAttempted": c["fg3a"],
        "threePointersMade": c["fg3m"],
        "threePointersPercentage": pct(c["fg3m"], c["fg3a"]),
        "freeThrowsAttempted": c["fta"],
        "freeThrowsMade": c["ftm"],
        "freeThrowsPercentage": pct(c["ftm"], c["fta"]),
    }
    return team


def _postgame_team(result: GameResult, is_home: bool) -> dict:
    side = result.side(is_home)
    c = totals(side.lines)
    bench = totals([line for line in side.lines if not line.starter])
    biggest_lead = 0
    for action in result.actions or []:
        if action["scoreHome"]:
            lead = int(action["scoreHome"]) - int(action["scoreAway"])
            biggest_lead = max(biggest_lead, lead if is_home else -lead)
    info = team_meta(side.team.team_id)
    return {
        "teamId": info["teamId"],
        "teamCity": info["teamCity"],
        "teamName": info["teamName"],
        "teamTricode": info["teamTricode"],
        "statistics": {
            "points": c["pts"],
            "reboundsTotal": c["oreb"] + c["dreb"],
            "assists": c["ast"],
            "steals": c["stl"],
            "blocks": c["blk"],
            "turnovers": c["tov"],
            "fieldGoalsPercentage": pct(c["fgm"], c["fga"]),
            "threePointersPercentage": pct(c["fg3m"], c["fg3a"]),
            "freeThrowsPercentage": pct(c["ftm"], c["fta"]),
            "pointsInThePaint": sum(line.pts_paint for line in side.lines),
            "pointsSecondChance": sum(line.pts_second_chance for line in side.lines),
            "pointsFastBreak": sum(line.pts_fast_break for line in side.lines),
            "biggestLead": biggest_lead,
            "leadChanges": 0,
            "timesTied": 0,
            "biggestScoringRun": 0,
            "turnoversTeam": 0,
            "turnoversTotal": c["tov"],
            "reboundsTeam": 0,
            "pointsFromTurnovers": sum(line.pts_off_turnovers for line in side.lines),
            "benchPoints": bench["pts"],
        },
    }


def _meetings(season: Season, record: GameRecord) -> list[dict]:
    pair = {record.home_team_id, record.away_team_id}
    earlier = [
        g
        for g in season.games
        if {g.home_team_id, g.away_team_id} == pair and g.date < record.date and g.is_final
    ][-5:]
    meetings = []
    for order, game in enumerate(reversed(earlier), start=1):
        entry = {
            "recencyOrder": order,
            "gameId": game.game_id,
            "gameTimeUTC": iso(game.date, game.tip_minutes + utc_offset_minutes(game.date)),
            "gameEt": iso(game.date, game.tip_minutes),
            "gameStatus": 3,
            "gameStatusText": "Final",
        }
        for key, is_home in (("awayTeam", False), ("homeTeam", True)):
            team = TEAMS_BY_ID[game.home_team_id if is_home else game.away_team_id]
            entry[key] = {
                "teamId": team.team_id,
                "teamCity": team.city,
                "teamName": team.nickname,
                "teamTricode": team.abbreviation,
                "score": game.home_score if is_home else game.away_score,
                "wins": game.home_wins if is_home else game.away_wins,
                "losses": game.home_losses if is_home else game.away_losses,
            }
        meetings.append(entry)
    return meetings


@renders("boxscoresummaryv3")
def box_score_summary(sim: Source, params: dict) -> Reply:
    season, record = sim.game_record(params)
    result = sim.game(record)
    final = record.is_final
    home, away = TEAMS_BY_ID[record.home_team_id], TEAMS_BY_ID[record.away_team_id]
    utc = record.tip_minutes + utc_offset_minutes(record.date)
    summary = {
        "gameId": record.game_id,
        "gameCode": f"{record.date:%Y%m%d}/{away.abbreviation}{home.abbreviation}",
        "gameStatus": record.status,
        "gameStatusText": status_text(record, result.cut),
        "period": len(result.periods),
        "gameClock": "" if final else format_clock(result.cut.clock),
        "gameTimeUTC": iso(record.date, utc),
        "gameEt": iso(record.date, record.tip_minutes),
        "awayTeamId": record.away_team_id,
        "homeTeamId": record.home_team_id,
        "duration": (
            f"{result.duration_minutes // 60}:{result.duration_minutes % 60:02d}" if final else ""
        ),
        "attendance": result.attendance,
        "sellout": 0,
        "arena": {
            "arenaId": 600 + record.home_team_id % 100,
            "arenaName": home.arena,
            "arenaCity": home.city,
            "arenaState": "",
            "arenaCountry": "US",
            "arenaTimezone": "Eastern",
        },
        "officials": [
            {
                "personId": pid,
                "name": f"{first} {last}",
                "nameI": f"{first[0]}. {last}",
                "firstName": first,
                "familyName": last,
                "jerseyNum": jersey,
                "assignment": f"OFFICIAL{i}",
            }
            for i, (pid, first, last, jersey) in enumerate(result.officials, start=1)
        ],
        "broadcasters": {
            "nationalBroadcasters": [],
            "homeTvBroadcasters": [],
            "awayTvBroadcasters": [],
        },
        "videoAvailableFlag": 1 if final else 0,
        "ptAvailable": 1 if final else 0,
        "ptXYZAvailable": 0,
        "whStatus": 1,
        "hustleStatus": 1 if final else 0,
        "historicalStatus": 0 if season.start_year >= PBP_FIRST_SEASON else 1,
        "pregameCharts": {},
        "postgameCharts": (
            {"homeTeam": _postgame_team(result, True), "awayTeam": _postgame_team(result, False)}
            if final
            else {}
        ),
        "homeTeam": _summary_team(record, result, True),
        "awayTeam": _summary_team(record, result, False),
        "gameLeaders": {},
        "lastFiveMeetings": {"meetings": _meetings(season, record)},
    }
    body = {
        "meta": meta(f"games/{record.game_id}/boxscoresummary", record.date),
        "boxScoreSummary": summary,
    }
    return Reply(200, body, record.game_id)
