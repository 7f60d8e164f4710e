"""Render each endpoint's JSON body in the real stats.nba.com shape.

``Responder.answer(endpoint, params)`` is the whole API surface without HTTP: it validates the
parameters like the real API (400 with a plain-text message), looks the game/player/team up
(404 when unknown) and returns a ``Reply``. Shapes mirror the recorded bodies in
/work/shared/fixtures/stats.nba.com (keys in the same order), because nba_api's V3 parsers
and the V2 result-set parsers read them by key and position.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from .game import DNP_COMMENT, GameResult, PlayerLine, format_minutes, simulate, totals
from .league import (
    CUP,
    FIRST_SEASON,
    PLAYERS_BY_ID,
    PLAYIN,
    PLAYOFFS,
    REGULAR,
    TEAMS_BY_ID,
    TYPE_CODE,
    GameRecord,
    League,
    Season,
    season_string,
)

PBP_FIRST_SEASON = 1996  # the real API has no play-by-play before 1996-97
SEASON_TYPES = {REGULAR, PLAYIN, PLAYOFFS, CUP, "Pre Season", "All Star"}
GAME_ENDPOINTS = {
    "boxscoretraditionalv3",
    "boxscoreadvancedv3",
    "playbyplayv3",
    "boxscoresummaryv3",
}
ENDPOINTS = GAME_ENDPOINTS | {
    "leaguegamefinder",
    "leaguegamelog",
    "scheduleleaguev2",
    "commonplayerinfo",
    "teaminfocommon",
    "commonteamroster",
}


@dataclass
class Reply:
    status: int
    body: object  # dict (rendered as JSON) or str (plain text)
    entity: str | None = None  # game/player/team id, for sticky faults

    @property
    def is_json(self) -> bool:
        return not isinstance(self.body, str)


class BadRequest(Exception):
    pass


class NotFound(Exception):
    pass


def pct(made: int, attempted: int) -> float:
    return round(made / attempted, 3) if attempted else 0.0


def _required(params: dict, name: str) -> str:
    value = params.get(name, "")
    if value in ("", None):
        raise BadRequest(f"The {name} property is required.")
    return value


def _game_id(params: dict) -> str:
    value = _required(params, "GameID")
    if not re.fullmatch(r"\d{10}", value):
        raise BadRequest("The field GameID must match the regular expression '^\\d{10}$'.")
    return value


def _number(params: dict, name: str, required: bool = True) -> int | None:
    value = params.get(name, "")
    if value in ("", None):
        if required:
            raise BadRequest(f"The {name} property is required.")
        return None
    if not re.fullmatch(r"-?\d+", value):
        raise BadRequest(f"The value '{value}' is not valid for {name}.")
    return int(value)


def _season_param(params: dict, required: bool) -> str | None:
    value = params.get("Season", "")
    if value in ("", None):
        if required:
            raise BadRequest("The Season property is required.")
        return None
    if not re.fullmatch(r"\d{4}-\d{2}", value):
        raise BadRequest("The field Season must match the regular expression '^(\\d{4}-\\d{2})$'.")
    return value


def _season_type(params: dict, required: bool) -> str | None:
    value = params.get("SeasonType", "")
    if value in ("", None):
        if required:
            raise BadRequest("The SeasonType property is required.")
        return None
    if value not in SEASON_TYPES:
        raise BadRequest(
            "The field SeasonType must match the regular expression "
            "'^(Regular Season)|(Pre Season)|(Playoffs)|(All Star)|(PlayIn)|(IST)$'."
        )
    return value


def _date(params: dict, name: str) -> dt.date | None:
    value = params.get(name, "")
    if value in ("", None):
        return None
    try:
        return dt.datetime.strptime(value, "%m/%d/%Y").date()
    except ValueError:
        raise BadRequest(f"The value '{value}' is not valid for {name}.") from None


def _iso(date: dt.date, minutes: int = 0) -> str:
    return (dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def _utc_offset_minutes(date: dt.date) -> int:
    return 4 * 60 if 3 < date.month < 11 else 5 * 60  # EDT or EST, near enough


def _meta(path: str, date: dt.date) -> dict:
    stamp = (date + dt.timedelta(days=1)).strftime("%Y-%m-%dT12:00:00.0000Z")
    return {"version": 1, "request": f"http://nba.cloud/{path}?Format=json", "time": stamp}


def _team_meta(team_id: int) -> dict:
    team = TEAMS_BY_ID[team_id]
    return {
        "teamId": team.team_id,
        "teamCity": team.city,
        "teamName": team.nickname,
        "teamTricode": team.abbreviation,
        "teamSlug": team.slug,
    }


def _player_meta(line: PlayerLine) -> dict:
    player = line.spot.player
    return {
        "personId": player.person_id,
        "firstName": player.first_name,
        "familyName": player.last_name,
        "nameI": player.name_i,
        "playerSlug": player.slug,
        "position": line.spot.position if line.starter else "",
        "comment": "" if line.played else DNP_COMMENT,
        "jerseyNum": line.spot.jersey,
    }


def traditional_stats(counts: dict, minutes: str, plus_minus: bool = True) -> dict:
    stats = {
        "minutes": minutes,
        "fieldGoalsMade": counts["fgm"],
        "fieldGoalsAttempted": counts["fga"],
        "fieldGoalsPercentage": pct(counts["fgm"], counts["fga"]),
        "threePointersMade": counts["fg3m"],
        "threePointersAttempted": counts["fg3a"],
        "threePointersPercentage": pct(counts["fg3m"], counts["fg3a"]),
        "freeThrowsMade": counts["ftm"],
        "freeThrowsAttempted": counts["fta"],
        "freeThrowsPercentage": pct(counts["ftm"], counts["fta"]),
        "reboundsOffensive": counts["oreb"],
        "reboundsDefensive": counts["dreb"],
        "reboundsTotal": counts["oreb"] + counts["dreb"],
        "assists": counts["ast"],
        "steals": counts["stl"],
        "blocks": counts["blk"],
        "turnovers": counts["tov"],
        "foulsPersonal": counts["pf"],
        "points": counts["pts"],
    }
    if plus_minus:
        stats["plusMinusPoints"] = float(counts["plus_minus"])
    return stats


def _line_counts(line: PlayerLine) -> dict:
    return {
        name: getattr(line, name)
        for name in (
            "seconds",
            "fgm",
            "fga",
            "fg3m",
            "fg3a",
            "ftm",
            "fta",
            "oreb",
            "dreb",
            "ast",
            "stl",
            "blk",
            "tov",
            "pf",
            "pts",
            "plus_minus",
        )
    }


def _possessions(c: dict) -> float:
    return c["fga"] - c["oreb"] + c["tov"] + 0.44 * c["fta"]


def _advanced(c: dict, team: dict, opp: dict, game_seconds: int, is_team: bool) -> dict:
    """Advanced numbers from counts, with the usual formulas (good enough to look real)."""
    share = c["seconds"] / (game_seconds * (5 if is_team else 1)) if c["seconds"] else 0.0
    team_poss, opp_poss = max(1.0, _possessions(team)), max(1.0, _possessions(opp))
    poss = round(team_poss * (1 if is_team else share * 5 / 5)) if c["seconds"] else 0
    off = 100 * team["pts"] / team_poss
    dfn = 100 * opp["pts"] / opp_poss
    if not is_team and poss:
        off += 50 * c["plus_minus"] / max(1, poss) / 2
        dfn -= 50 * c["plus_minus"] / max(1, poss) / 2
    chances = c["fga"] + 0.44 * c["fta"] + c["tov"]
    team_chances = max(1.0, team["fga"] + 0.44 * team["fta"] + team["tov"])
    pace = 2880 * team_poss / game_seconds if game_seconds else 0.0
    pie_num = (
        c["pts"]
        + c["fgm"]
        + c["ftm"]
        - c["fga"]
        - c["fta"]
        + c["dreb"]
        + 0.5 * c["oreb"]
        + c["ast"]
        + c["stl"]
        + 0.5 * c["blk"]
        - c["pf"]
        - c["tov"]
    )
    pie_den = sum(
        x["pts"]
        + x["fgm"]
        + x["ftm"]
        - x["fga"]
        - x["fta"]
        + x["dreb"]
        + 0.5 * x["oreb"]
        + x["ast"]
        + x["stl"]
        + 0.5 * x["blk"]
        - x["pf"]
        - x["tov"]
        for x in (team, opp)
    )
    if not c["seconds"]:
        off = dfn = pace = 0.0
    usage = 1.0 if is_team else (chances / (team_chances * share) if share else 0.0)
    floor_fgm = max(1.0, team["fgm"] * share * 5 - c["fgm"]) if not is_team else team["fgm"]
    stats = {
        "minutes": format_minutes(c["seconds"]) if c["seconds"] else "",
        "estimatedOffensiveRating": round(off, 1),
        "offensiveRating": round(off, 1),
        "estimatedDefensiveRating": round(dfn, 1),
        "defensiveRating": round(dfn, 1),
        "estimatedNetRating": round(off - dfn, 1),
        "netRating": round(off - dfn, 1),
        "assistPercentage": round(c["ast"] / floor_fgm, 3) if floor_fgm else 0.0,
        "assistToTurnover": round(c["ast"] / c["tov"], 2) if c["tov"] else 0.0,
        "assistRatio": round(100 * c["ast"] / (chances + c["ast"]), 1) if chances else 0.0,
        "offensiveReboundPercentage": pct(c["oreb"], team["oreb"] + opp["dreb"]),
        "defensiveReboundPercentage": pct(c["dreb"], team["dreb"] + opp["oreb"]),
        "reboundPercentage": pct(
            c["oreb"] + c["dreb"], team["oreb"] + team["dreb"] + opp["oreb"] + opp["dreb"]
        ),
        "estimatedTeamTurnoverPercentage": round(100 * c["tov"] / team_poss, 3),
        "turnoverRatio": round(100 * c["tov"] / chances, 1) if chances else 0.0,
        "effectiveFieldGoalPercentage": round((c["fgm"] + 0.5 * c["fg3m"]) / c["fga"], 3)
        if c["fga"]
        else 0.0,
        "trueShootingPercentage": round(c["pts"] / (2 * chances - 2 * c["tov"]), 3)
        if chances - c["tov"] > 0
        else 0.0,
        "usagePercentage": round(usage, 3),
        "estimatedUsagePercentage": round(usage * (0.98 if is_team else 1.0), 3),
        "estimatedPace": round(pace, 2),
        "pace": round(pace, 2),
        "pacePer40": round(pace * 40 / 48, 2),
        "possessions": float(poss),
        "PIE": round(pie_num / pie_den, 3) if pie_den and c["seconds"] else 0.0,
    }
    if not is_team:
        del stats["estimatedTeamTurnoverPercentage"]
    return stats


class Responder:
    """Answers API requests from a League. Thread-safe; game simulations are LRU-cached."""

    def __init__(self, league: League, cache_size: int = 256):
        self.league = league
        self.cache_size = cache_size
        self._results: OrderedDict[str, GameResult] = OrderedDict()
        self._team_lines: dict[str, tuple[dict, dict]] = {}  # small, kept for the season
        self._leaders: dict[str, dict] = {}
        self._lock = threading.Lock()

    # ----- cached simulations --------------------------------------------------------
    def result(self, record: GameRecord) -> GameResult:
        with self._lock:
            cached = self._results.get(record.game_id)
            if cached is not None:
                self._results.move_to_end(record.game_id)
                return cached
        season = self.league.season_of_game(record.game_id)
        result = simulate(season, record)
        with self._lock:
            self._results[record.game_id] = result
            self._team_lines[record.game_id] = (
                totals(result.home.lines),
                totals(result.away.lines),
            )
            self._leaders[record.game_id] = self._leader_of(result)
            while len(self._results) > self.cache_size:
                self._results.popitem(last=False)
        return result

    def points_leader(self, record: GameRecord) -> dict:
        """The game's top scorer, in scheduleleaguev2's pointsLeaders shape (kept small)."""
        if record.game_id not in self._leaders:
            self.result(record)
        return self._leaders[record.game_id]

    @staticmethod
    def _leader_of(result: GameResult) -> dict:
        line, side = max(
            ((line, side) for side in (result.home, result.away) for line in side.lines),
            key=lambda pair: pair[0].pts,
        )
        return {
            "personId": line.spot.player.person_id,
            "firstName": line.spot.player.first_name,
            "lastName": line.spot.player.last_name,
            "teamId": side.team.team_id,
            "teamCity": side.team.city,
            "teamName": side.team.nickname,
            "teamTricode": side.team.abbreviation,
            "points": float(line.pts),
        }

    def team_lines(self, record: GameRecord) -> tuple[dict, dict]:
        lines = self._team_lines.get(record.game_id)
        if lines is None:
            self.result(record)
            lines = self._team_lines[record.game_id]
        return lines

    # ----- dispatch ------------------------------------------------------------------
    def answer(self, endpoint: str, params: dict) -> Reply:
        endpoint = endpoint.lower()
        if endpoint not in ENDPOINTS:
            return Reply(404, "The requested resource does not exist.")
        try:
            return getattr(self, f"_{endpoint}")(params)
        except BadRequest as error:
            return Reply(400, str(error))
        except NotFound as error:
            return Reply(404, str(error))

    def _season(self, season: str) -> Season:
        try:
            return self.league.season(season)
        except (KeyError, ValueError):
            raise NotFound(f"No data for Season {season}.") from None

    def _record(self, params: dict) -> tuple[Season, GameRecord]:
        game_id = _game_id(params)
        season = self.league.season_of_game(game_id)
        record = season.games_by_id.get(game_id) if season else None
        if record is None:
            raise NotFound(f"No game found for GameID {game_id}.")
        return season, record

    # ----- box scores ----------------------------------------------------------------
    def _box_teams(self, record: GameRecord, result: GameResult | None, advanced: bool):
        teams = {}
        for key, is_home in (("homeTeam", True), ("awayTeam", False)):
            team_id = record.home_team_id if is_home else record.away_team_id
            team = _team_meta(team_id)
            if result is None:  # not played yet: the real API's empty shape
                team.update({"players": [], "statistics": {}})
                if not advanced:
                    team.update({"starters": {}, "bench": {}})
                teams[key] = team
                continue
            side, other = result.side(is_home), result.side(not is_home)
            own, opp = totals(side.lines), totals(other.lines)
            game_seconds = own["seconds"] // 5
            players = []
            for line in side.lines:
                entry = _player_meta(line)
                counts = _line_counts(line)
                if advanced:
                    entry["statistics"] = _advanced(counts, own, opp, game_seconds, False)
                else:
                    minutes = format_minutes(line.seconds) if line.played else ""
                    entry["statistics"] = traditional_stats(counts, minutes)
                players.append(entry)
            team["players"] = players
            if advanced:
                team["statistics"] = _advanced(own, own, opp, game_seconds, True)
            else:
                team["statistics"] = traditional_stats(own, format_minutes(own["seconds"]))
                starters = totals([line for line in side.lines if line.starter])
                bench = totals([line for line in side.lines if not line.starter])
                team["starters"] = traditional_stats(
                    starters, format_minutes(starters["seconds"]), plus_minus=False
                )
                team["bench"] = traditional_stats(
                    bench, format_minutes(bench["seconds"]), plus_minus=False
                )
            teams[key] = team
        return teams

    def _box(self, params: dict, advanced: bool) -> Reply:
        _season, record = self._record(params)
        result = self.result(record) if record.is_final else None
        key = "boxScoreAdvanced" if advanced else "boxScoreTraditional"
        path = f"games/{record.game_id}/{'boxscoreadvanced' if advanced else 'boxscoretraditional'}"
        body = {
            "meta": _meta(path, record.date),
            key: {
                "gameId": record.game_id,
                "awayTeamId": record.away_team_id,
                "homeTeamId": record.home_team_id,
                **self._box_teams(record, result, advanced),
            },
        }
        return Reply(200, body, record.game_id)

    def _boxscoretraditionalv3(self, params: dict) -> Reply:
        return self._box(params, advanced=False)

    def _boxscoreadvancedv3(self, params: dict) -> Reply:
        return self._box(params, advanced=True)

    def _playbyplayv3(self, params: dict) -> Reply:
        season, record = self._record(params)
        actions: list[dict] = []
        if record.is_final and season.start_year >= PBP_FIRST_SEASON:
            actions = self.result(record).actions
            start = _number(params, "StartPeriod", required=False) or 0
            end = _number(params, "EndPeriod", required=False) or 0
            if start or end:  # 0 means "all", as on the real API
                actions = [
                    a
                    for a in actions
                    if (not start or a["period"] >= start) and (not end or a["period"] <= end)
                ]
        body = {
            "meta": _meta(f"games/{record.game_id}/playbyplay", record.date),
            "game": {
                "gameId": record.game_id,
                "videoAvailable": 1 if actions else 0,
                "actions": actions,
            },
        }
        return Reply(200, body, record.game_id)

    # ----- summary -------------------------------------------------------------------
    def _summary_team(self, record, result, is_home) -> dict:
        team_id = record.home_team_id if is_home else record.away_team_id
        meta = _team_meta(team_id)
        periods = record.home_periods if is_home else record.away_periods
        team = {
            "teamId": team_id,
            "teamName": meta["teamName"],
            "teamCity": meta["teamCity"],
            "teamTricode": meta["teamTricode"],
            "teamSlug": meta["teamSlug"],
            "wins": record.home_wins if is_home else record.away_wins,
            "losses": record.home_losses if is_home else record.away_losses,
            "score": sum(periods) if result else 0,
            "seed": None,
            "inBonus": None,
            "timeoutsRemaining": 0 if result else 7,
            "periods": [
                {
                    "period": i + 1,
                    "periodType": "REGULAR" if i < 4 else "OVERTIME",
                    "score": score if result else 0,
                }
                for i, score in enumerate(periods if result else [0, 0, 0, 0])
            ],
            "players": [],
            "inactives": [],
            "statistics": {},
        }
        if result is None:
            return team
        side = result.side(is_home)
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
                    "notPlayingReason": None if line.played else DNP_COMMENT,
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
        counts = totals(side.lines)
        team["statistics"] = {
            "points": counts["pts"],
            "fieldGoalsAttempted": counts["fga"],
            "fieldGoalsMade": counts["fgm"],
            "fieldGoalsPercentage": pct(counts["fgm"], counts["fga"]),
            "threePointersAttempted": counts["fg3a"],
            "threePointersMade": counts["fg3m"],
            "threePointersPercentage": pct(counts["fg3m"], counts["fg3a"]),
            "freeThrowsAttempted": counts["fta"],
            "freeThrowsMade": counts["ftm"],
            "freeThrowsPercentage": pct(counts["ftm"], counts["fta"]),
        }
        return team

    def _postgame_team(self, result: GameResult, is_home: bool) -> dict:
        side = result.side(is_home)
        counts = totals(side.lines)
        bench = totals([line for line in side.lines if not line.starter])
        lead = biggest_lead = 0
        for action in result.actions:
            if action["scoreHome"]:
                lead = int(action["scoreHome"]) - int(action["scoreAway"])
                biggest_lead = max(biggest_lead, lead if is_home else -lead)
        meta = _team_meta(side.team.team_id)
        return {
            "teamId": meta["teamId"],
            "teamCity": meta["teamCity"],
            "teamName": meta["teamName"],
            "teamTricode": meta["teamTricode"],
            "statistics": {
                "points": counts["pts"],
                "reboundsTotal": counts["oreb"] + counts["dreb"],
                "assists": counts["ast"],
                "steals": counts["stl"],
                "blocks": counts["blk"],
                "turnovers": counts["tov"],
                "fieldGoalsPercentage": pct(counts["fgm"], counts["fga"]),
                "threePointersPercentage": pct(counts["fg3m"], counts["fg3a"]),
                "freeThrowsPercentage": pct(counts["ftm"], counts["fta"]),
                "pointsInThePaint": 2 * round(counts["fgm"] - counts["fg3m"]) // 2 * 1,
                "pointsSecondChance": counts["oreb"],
                "pointsFastBreak": 2 * counts["stl"],
                "biggestLead": biggest_lead,
                "leadChanges": 0,
                "timesTied": 0,
                "biggestScoringRun": 0,
                "turnoversTeam": 0,
                "turnoversTotal": counts["tov"],
                "reboundsTeam": 0,
                "pointsFromTurnovers": 0,
                "benchPoints": bench["pts"],
            },
        }

    def _meetings(self, season: Season, record: GameRecord) -> list[dict]:
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
                "gameTimeUTC": _iso(game.date, game.tip_minutes + _utc_offset_minutes(game.date)),
                "gameEt": _iso(game.date, game.tip_minutes),
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

    def _boxscoresummaryv3(self, params: dict) -> Reply:
        season, record = self._record(params)
        result = self.result(record) if record.is_final else None
        home, away = TEAMS_BY_ID[record.home_team_id], TEAMS_BY_ID[record.away_team_id]
        utc = record.tip_minutes + _utc_offset_minutes(record.date)
        summary = {
            "gameId": record.game_id,
            "gameCode": f"{record.date:%Y%m%d}/{away.abbreviation}{home.abbreviation}",
            "gameStatus": record.status,
            "gameStatusText": "Final" if result else _status_text(record),
            "period": record.periods if result else 0,
            "gameClock": "",
            "gameTimeUTC": _iso(record.date, utc),
            "gameEt": _iso(record.date, record.tip_minutes),
            "awayTeamId": record.away_team_id,
            "homeTeamId": record.home_team_id,
            "duration": (
                f"{result.duration_minutes // 60}:{result.duration_minutes % 60:02d}"
                if result
                else ""
            ),
            "attendance": result.attendance if result else 0,
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
                for i, (pid, first, last, jersey) in enumerate(
                    result.officials if result else [], start=1
                )
            ],
            "broadcasters": {
                "nationalBroadcasters": [],
                "homeTvBroadcasters": [],
                "awayTvBroadcasters": [],
            },
            "videoAvailableFlag": 1 if result else 0,
            "ptAvailable": 1 if result else 0,
            "ptXYZAvailable": 0,
            "whStatus": 1,
            "hustleStatus": 1 if result else 0,
            "historicalStatus": 0 if season.start_year >= PBP_FIRST_SEASON else 1,
            "pregameCharts": {},
            "postgameCharts": (
                {
                    "homeTeam": self._postgame_team(result, True),
                    "awayTeam": self._postgame_team(result, False),
                }
                if result
                else {}
            ),
            "homeTeam": self._summary_team(record, result, True),
            "awayTeam": self._summary_team(record, result, False),
            "gameLeaders": {},
            "lastFiveMeetings": {"meetings": self._meetings(season, record)},
        }
        body = {
            "meta": _meta(f"games/{record.game_id}/boxscoresummary", record.date),
            "boxScoreSummary": summary,
        }
        return Reply(200, body, record.game_id)

    # ----- game lists ----------------------------------------------------------------
    def _team_rows(self, season: Season, records: list[GameRecord]):
        """(record, is_home, own counts, opponent counts) for both teams of each game."""
        for record in records:
            home, away = self.team_lines(record)
            yield record, True, home, away
            yield record, False, away, home

    @staticmethod
    def _matchup(record: GameRecord, is_home: bool) -> str:
        home = TEAMS_BY_ID[record.home_team_id].abbreviation
        away = TEAMS_BY_ID[record.away_team_id].abbreviation
        return f"{home} vs. {away}" if is_home else f"{away} @ {home}"

    def _filtered(self, params: dict, season_required: bool) -> tuple[str, list[GameRecord]]:
        season_name = _season_param(params, season_required)
        season_type = _season_type(params, season_required)
        date_from, date_to = _date(params, "DateFrom"), _date(params, "DateTo")
        team_id = _number(params, "TeamID", required=False)
        game_id = params.get("GameID") or None
        if season_name is None:
            today = self.league.today
            season_name = season_string(today.year if today.month >= 9 else today.year - 1)
        season = self._season(season_name)
        records = [
            g
            for g in season.games
            if g.is_final
            and (season_type is None or g.season_type == season_type)
            and (date_from is None or g.date >= date_from)
            and (date_to is None or g.date <= date_to)
            and (team_id is None or team_id in (g.home_team_id, g.away_team_id))
            and (game_id is None or g.game_id == game_id)
        ]
        return season_name, records

    def _leaguegamefinder(self, params: dict) -> Reply:
        if params.get("PlayerOrTeam", "T") not in ("T", ""):
            raise BadRequest("The simulator only serves PlayerOrTeam=T.")
        season_name, records = self._filtered(params, season_required=False)
        start_year = int(season_name[:4])
        team_id = _number(params, "TeamID", required=False)
        rows = []
        for record, is_home, own, opp in self._team_rows(None, records):
            team = TEAMS_BY_ID[record.home_team_id if is_home else record.away_team_id]
            if team_id is not None and team.team_id != team_id:
                continue
            rows.append(
                [
                    f"{TYPE_CODE[record.season_type]}{start_year}",
                    team.team_id,
                    team.abbreviation,
                    team.full_name,
                    record.game_id,
                    record.date.isoformat(),
                    self._matchup(record, is_home),
                    "W" if own["pts"] > opp["pts"] else "L",
                    round(own["seconds"] / 60),
                    own["pts"],
                    own["fgm"],
                    own["fga"],
                    pct(own["fgm"], own["fga"]),
                    own["fg3m"],
                    own["fg3a"],
                    pct(own["fg3m"], own["fg3a"]),
                    own["ftm"],
                    own["fta"],
                    pct(own["ftm"], own["fta"]),
                    own["oreb"],
                    own["dreb"],
                    own["oreb"] + own["dreb"],
                    own["ast"],
                    own["stl"],
                    own["blk"],
                    own["tov"],
                    own["pf"],
                    float(own["pts"] - opp["pts"]),
                ]
            )
        rows.sort(key=lambda row: (row[5], row[4]), reverse=True)  # newest first
        body = {
            "resource": "leaguegamefinderparameters",
            "parameters": {
                "PlayerOrTeam": "T",
                "LeagueID": params.get("LeagueID") or "00",
                "Season": season_name,
                "SeasonType": params.get("SeasonType") or None,
                "DateFrom": params.get("DateFrom") or None,
                "DateTo": params.get("DateTo") or None,
                "TeamID": team_id,
                "GameID": params.get("GameID") or None,
            },
            "resultSets": [
                {"name": "LeagueGameFinderResults", "headers": GAMEFINDER_HEADERS, "rowSet": rows}
            ],
        }
        return Reply(200, body)

    def _leaguegamelog(self, params: dict) -> Reply:
        if params.get("PlayerOrTeam", "T") not in ("T", ""):
            raise BadRequest("The simulator only serves PlayerOrTeam=T.")
        season_name, records = self._filtered(params, season_required=True)
        start_year = int(season_name[:4])
        rows = []
        for record, is_home, own, opp in self._team_rows(None, records):
            team = TEAMS_BY_ID[record.home_team_id if is_home else record.away_team_id]
            rows.append(
                [
                    f"{TYPE_CODE[record.season_type]}{start_year}",
                    team.team_id,
                    team.abbreviation,
                    team.full_name,
                    record.game_id,
                    record.date.isoformat(),
                    self._matchup(record, is_home),
                    "W" if own["pts"] > opp["pts"] else "L",
                    round(own["seconds"] / 60),
                    own["fgm"],
                    own["fga"],
                    pct(own["fgm"], own["fga"]),
                    own["fg3m"],
                    own["fg3a"],
                    pct(own["fg3m"], own["fg3a"]),
                    own["ftm"],
                    own["fta"],
                    pct(own["ftm"], own["fta"]),
                    own["oreb"],
                    own["dreb"],
                    own["oreb"] + own["dreb"],
                    own["ast"],
                    own["stl"],
                    own["blk"],
                    own["tov"],
                    own["pf"],
                    own["pts"],
                    own["pts"] - opp["pts"],
                    1,
                ]
            )
        descending = (params.get("Direction") or "ASC").upper() == "DESC"
        rows.sort(key=lambda row: (row[5], row[4]), reverse=descending)
        body = {
            "resource": "leaguegamelog",
            "parameters": {
                "LeagueID": params.get("LeagueID") or "00",
                "Season": season_name,
                "SeasonType": params.get("SeasonType"),
                "PlayerOrTeam": "T",
                "Counter": int(params.get("Counter") or 0),
                "Sorter": params.get("Sorter") or "DATE",
                "Direction": "DESC" if descending else "ASC",
                "DateFrom": params.get("DateFrom") or None,
                "DateTo": params.get("DateTo") or None,
            },
            "resultSets": [{"name": "LeagueGameLog", "headers": GAMELOG_HEADERS, "rowSet": rows}],
        }
        return Reply(200, body)

    def _scheduleleaguev2(self, params: dict) -> Reply:
        season = self._season(_season_param(params, required=True))
        by_date: dict[dt.date, list[dict]] = {}
        sequence: dict[dt.date, int] = {}
        opening = min(g.date for g in season.games if g.season_type == REGULAR)
        for record in season.games:
            sequence[record.date] = sequence.get(record.date, 0) + 1
            by_date.setdefault(record.date, []).append(
                self._schedule_game(record, sequence[record.date], opening)
            )
        weeks = []
        for number in range(1, 27):
            start = opening + dt.timedelta(days=7 * (number - 1) - opening.weekday())
            weeks.append(
                {
                    "weekNumber": number,
                    "weekName": f"Week {number}",
                    "startDate": _iso(max(start, opening)),
                    "endDate": _iso(start + dt.timedelta(days=6)),
                }
            )
        body = {
            "meta": _meta(f"league/00/{season.name}/scheduleleaguev2", season.league.today),
            "leagueSchedule": {
                "seasonYear": season.name,
                "leagueId": "00",
                "gameDates": [
                    {"gameDate": f"{date:%m/%d/%Y} 00:00:00", "games": games}
                    for date, games in by_date.items()
                ],
                "weeks": weeks,
            },
        }
        return Reply(200, body)

    def _schedule_game(self, record: GameRecord, sequence: int, opening: dt.date) -> dict:
        home, away = TEAMS_BY_ID[record.home_team_id], TEAMS_BY_ID[record.away_team_id]
        utc = record.tip_minutes + _utc_offset_minutes(record.date)
        week = (record.date - opening).days // 7 + 1 if record.season_type == REGULAR else 0
        leaders = [self.points_leader(record)] if record.is_final else []

        def team(info, wins, losses, score):
            return {
                "teamId": info.team_id,
                "teamName": info.nickname,
                "teamCity": info.city,
                "teamTricode": info.abbreviation,
                "teamSlug": info.slug,
                "wins": wins,
                "losses": losses,
                "score": score if record.is_final else 0,
                "seed": None,
            }

        return {
            "gameId": record.game_id,
            "gameCode": f"{record.date:%Y%m%d}/{away.abbreviation}{home.abbreviation}",
            "gameStatus": record.status,
            "gameStatusText": "Final" if record.is_final else _status_text(record),
            "gameSequence": sequence,
            "gameDateEst": _iso(record.date),
            "gameTimeEst": "1900-01-01T" + _iso(record.date, record.tip_minutes)[11:],
            "gameDateTimeEst": _iso(record.date, record.tip_minutes),
            "gameDateUTC": _iso(record.date, _utc_offset_minutes(record.date)),
            "gameTimeUTC": "1900-01-01T" + _iso(record.date, utc)[11:],
            "gameDateTimeUTC": _iso(record.date, utc),
            "awayTeamTime": _iso(record.date, record.tip_minutes),
            "homeTeamTime": _iso(record.date, record.tip_minutes),
            "day": f"{record.date:%a}",
            "monthNum": record.date.month,
            "weekNumber": week,
            "weekName": f"Week {week}" if week else "",
            "ifNecessary": "false",
            "seriesGameNumber": f"Game {record.extra['game']}" if record.extra else "",
            "gameLabel": {PLAYIN: "SoFi Play-In Tournament", CUP: "Emirates NBA Cup"}.get(
                record.season_type, ""
            ),
            "gameSubLabel": "Championship" if record.season_type == CUP else "",
            "seriesText": record.series_text,
            "arenaName": home.arena,
            "arenaState": "",
            "arenaCity": home.city,
            "postponedStatus": "A",
            "branchLink": "",
            "gameSubtype": "",
            "isNeutral": record.season_type == CUP,
            "broadcasters": {
                "nationalBroadcasters": [],
                "nationalRadioBroadcasters": [],
                "nationalOttBroadcasters": [],
                "homeTvBroadcasters": [
                    {
                        "broadcasterScope": "home",
                        "broadcasterMedia": "tv",
                        "broadcasterId": 1000 + home.team_id % 100,
                        "broadcasterDisplay": f"{home.nickname} TV",
                        "broadcasterAbbreviation": f"{home.abbreviation}TV",
                        "tapeDelayComments": "",
                        "broadcasterVideoLink": "",
                        "broadcasterDescription": "",
                        "broadcasterTeamId": home.team_id,
                    }
                ],
                "homeRadioBroadcasters": [],
                "homeOttBroadcasters": [],
                "awayTvBroadcasters": [],
                "awayRadioBroadcasters": [],
                "awayOttBroadcasters": [],
            },
            "homeTeam": team(home, record.home_wins, record.home_losses, record.home_score),
            "awayTeam": team(away, record.away_wins, record.away_losses, record.away_score),
            "pointsLeaders": leaders,
        }

    # ----- people and teams ----------------------------------------------------------
    def _latest_season(self) -> Season:
        today = self.league.today
        return self.league.season(season_string(today.year if today.month >= 9 else today.year - 1))

    def _commonplayerinfo(self, params: dict) -> Reply:
        person_id = _number(params, "PlayerID")
        player = PLAYERS_BY_ID.get(person_id)
        if player is None:
            raise NotFound(f"No player found for PlayerID {person_id}.")
        season = self._latest_season()
        team_id = season.team_of_player(person_id) if player.is_active else None
        team = TEAMS_BY_ID.get(team_id) if team_id else None
        spot = next((s for s in season.rosters.get(team_id, []) if s.player is player), None)
        first_year = max(FIRST_SEASON, season.start_year - 1 - person_id % 12)
        row = [
            person_id,
            player.first_name,
            player.last_name,
            player.full_name,
            f"{player.last_name}, {player.first_name}",
            player.name_i,
            player.slug,
            f"{first_year - 21}-0{1 + person_id % 9}-1{person_id % 10}T00:00:00",
            "",
            "USA",
            "",
            f"6-{person_id % 11}",
            str(190 + person_id % 60),
            season.start_year - first_year,
            spot.jersey if spot else "",
            {"G": "Guard", "F": "Forward", "C": "Center"}.get(spot.position if spot else "", ""),
            "Active" if player.is_active else "Inactive",
            "Y" if team else "N",
            team.team_id if team else 0,
            team.nickname if team else "",
            team.abbreviation if team else "",
            team.slug if team else "",
            team.city if team else "",
            player.slug.replace("-", "_"),
            first_year,
            season.start_year if player.is_active else first_year + 5,
            "N",
            "Y",
            "Y",
            str(first_year),
            "1",
            str(1 + person_id % 30),
            "N",
        ]
        body = {
            "resource": "commonplayerinfo",
            "parameters": [{"PlayerID": person_id}, {"LeagueID": params.get("LeagueID") or "00"}],
            "resultSets": [
                {"name": "CommonPlayerInfo", "headers": PLAYERINFO_HEADERS, "rowSet": [row]},
                {
                    "name": "PlayerHeadlineStats",
                    "headers": [
                        "PLAYER_ID",
                        "PLAYER_NAME",
                        "TimeFrame",
                        "PTS",
                        "AST",
                        "REB",
                        "PIE",
                    ],
                    "rowSet": [[person_id, player.full_name, season.name, 0.0, 0.0, 0.0, 0]],
                },
                {
                    "name": "AvailableSeasons",
                    "headers": ["SEASON_ID"],
                    "rowSet": [[f"2{y}"] for y in range(first_year, season.start_year + 1)],
                },
            ],
        }
        return Reply(200, body, str(person_id))

    def _team(self, params: dict):
        team_id = _number(params, "TeamID")
        team = TEAMS_BY_ID.get(team_id)
        if team is None:
            raise NotFound(f"No team found for TeamID {team_id}.")
        return team

    def _teaminfocommon(self, params: dict) -> Reply:
        team = self._team(params)
        season_name = _season_param(params, required=False)
        season = self._season(season_name) if season_name else self._latest_season()
        if team.team_id not in season.rosters:
            raise NotFound(f"No team found for TeamID {team.team_id} in {season.name}.")
        wins = losses = 0
        for game in season.played(REGULAR):
            if team.team_id in (game.home_team_id, game.away_team_id):
                won = game.winner_id == team.team_id
                wins, losses = wins + won, losses + (not won)
        conf_rank = 1 + sum(
            1
            for other in season.teams
            if other.conference == team.conference
            and other is not team
            and season.strength[other.team_id] > season.strength[team.team_id]
        )
        row = [
            team.team_id,
            season.name,
            team.city,
            team.nickname,
            team.abbreviation,
            team.conference,
            team.division,
            team.slug,
            team.slug,
            wins,
            losses,
            round(wins / (wins + losses), 3) if wins + losses else 0.0,
            conf_rank,
            1 + (conf_rank - 1) // 3,
            str(team.year_founded),
            str(season.start_year),
        ]
        body = {
            "resource": "teaminfocommon",
            "parameters": {
                "LeagueID": params.get("LeagueID") or "00",
                "Season": season_name,
                "SeasonType": params.get("SeasonType") or None,
                "TeamID": team.team_id,
            },
            "resultSets": [
                {"name": "TeamInfoCommon", "headers": TEAMINFO_HEADERS, "rowSet": [row]},
                {
                    "name": "TeamSeasonRanks",
                    "headers": TEAMRANKS_HEADERS,
                    "rowSet": [
                        [
                            "00",
                            f"2{season.start_year}",
                            team.team_id,
                            conf_rank,
                            112.0,
                            conf_rank,
                            44.0,
                            conf_rank,
                            26.0,
                            conf_rank,
                            112.0,
                        ]
                    ],
                },
                {
                    "name": "AvailableSeasons",
                    "headers": ["SEASON_ID"],
                    "rowSet": [
                        [f"2{y}"]
                        for y in range(max(team.year_founded, FIRST_SEASON), season.start_year + 1)
                    ],
                },
            ],
        }
        return Reply(200, body, str(team.team_id))

    def _commonteamroster(self, params: dict) -> Reply:
        team = self._team(params)
        season = self._season(_season_param(params, required=True))
        roster = season.rosters.get(team.team_id)
        if roster is None:
            raise NotFound(f"No team found for TeamID {team.team_id} in {season.name}.")
        year = str(season.start_year)
        rows = [
            [
                team.team_id,
                year,
                "00",
                spot.player.full_name,
                spot.player.first_name,
                spot.player.slug,
                spot.jersey,
                spot.position,
                f"6-{spot.player.person_id % 11}",
                str(190 + spot.player.person_id % 60),
                "JAN 01, 1999",
                25.0,
                str(spot.player.person_id % 12) if spot.player.person_id % 12 else "R",
                "",
                spot.player.person_id,
                "",
            ]
            for spot in roster
        ]
        coaches = [
            [
                team.team_id,
                year,
                900000 + team.team_id % 1000,
                "Head",
                "Coach",
                f"{team.nickname} Head Coach",
                1,
                "Head Coach",
                None,
                1,
            ]
        ]
        body = {
            "resource": "commonteamroster",
            "parameters": {
                "TeamID": team.team_id,
                "LeagueID": params.get("LeagueID") or "00",
                "Season": season.name,
            },
            "resultSets": [
                {"name": "CommonTeamRoster", "headers": ROSTER_HEADERS, "rowSet": rows},
                {"name": "Coaches", "headers": COACH_HEADERS, "rowSet": coaches},
            ],
        }
        return Reply(200, body, str(team.team_id))


def _status_text(record: GameRecord) -> str:
    hour, minute = divmod(record.tip_minutes, 60)
    return f"{(hour - 1) % 12 + 1}:{minute:02d} pm ET"


GAMEFINDER_HEADERS = [
    "SEASON_ID",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "PTS",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PLUS_MINUS",
]
GAMELOG_HEADERS = [
    "SEASON_ID",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_NAME",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "WL",
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TOV",
    "PF",
    "PTS",
    "PLUS_MINUS",
    "VIDEO_AVAILABLE",
]
PLAYERINFO_HEADERS = [
    "PERSON_ID",
    "FIRST_NAME",
    "LAST_NAME",
    "DISPLAY_FIRST_LAST",
    "DISPLAY_LAST_COMMA_FIRST",
    "DISPLAY_FI_LAST",
    "PLAYER_SLUG",
    "BIRTHDATE",
    "SCHOOL",
    "COUNTRY",
    "LAST_AFFILIATION",
    "HEIGHT",
    "WEIGHT",
    "SEASON_EXP",
    "JERSEY",
    "POSITION",
    "ROSTERSTATUS",
    "GAMES_PLAYED_CURRENT_SEASON_FLAG",
    "TEAM_ID",
    "TEAM_NAME",
    "TEAM_ABBREVIATION",
    "TEAM_CODE",
    "TEAM_CITY",
    "PLAYERCODE",
    "FROM_YEAR",
    "TO_YEAR",
    "DLEAGUE_FLAG",
    "NBA_FLAG",
    "GAMES_PLAYED_FLAG",
    "DRAFT_YEAR",
    "DRAFT_ROUND",
    "DRAFT_NUMBER",
    "GREATEST_75_FLAG",
]
TEAMINFO_HEADERS = [
    "TEAM_ID",
    "SEASON_YEAR",
    "TEAM_CITY",
    "TEAM_NAME",
    "TEAM_ABBREVIATION",
    "TEAM_CONFERENCE",
    "TEAM_DIVISION",
    "TEAM_CODE",
    "TEAM_SLUG",
    "W",
    "L",
    "PCT",
    "CONF_RANK",
    "DIV_RANK",
    "MIN_YEAR",
    "MAX_YEAR",
]
TEAMRANKS_HEADERS = [
    "LEAGUE_ID",
    "SEASON_ID",
    "TEAM_ID",
    "PTS_RANK",
    "PTS_PG",
    "REB_RANK",
    "REB_PG",
    "AST_RANK",
    "AST_PG",
    "OPP_PTS_RANK",
    "OPP_PTS_PG",
]
ROSTER_HEADERS = [
    "TeamID",
    "SEASON",
    "LeagueID",
    "PLAYER",
    "NICKNAME",
    "PLAYER_SLUG",
    "NUM",
    "POSITION",
    "HEIGHT",
    "WEIGHT",
    "BIRTH_DATE",
    "AGE",
    "EXP",
    "SCHOOL",
    "PLAYER_ID",
    "HOW_ACQUIRED",
]
COACH_HEADERS = [
    "TEAM_ID",
    "SEASON",
    "COACH_ID",
    "FIRST_NAME",
    "LAST_NAME",
    "COACH_NAME",
    "IS_ASSISTANT",
    "COACH_TYPE",
    "SORT_SEQUENCE",
    "SUB_SORT_SEQUENCE",
]
