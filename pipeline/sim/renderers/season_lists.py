"""Season-level lists: LeagueGameFinder, LeagueGameLog (teams and players), ScheduleLeagueV2.

Games after ``today`` do not exist yet (the schedule still lists them, as scheduled games).
A game on ``today`` is live: the game finder lists it with WL null and its score so far;
the game logs hold final games only.

Team numbers come from the games' plans (Responder.team_lines, cheap); player numbers from
playing the games out without play-by-play (Responder.player_lines, about a millisecond a
game, computed once per season).
"""

from __future__ import annotations

import datetime as dt

from ..eras import PLUS_MINUS_FIRST, unkept
from ..game import GameResult, PlayerLine
from ..league import CUP, PLAYIN, REGULAR, TEAMS_BY_ID, TYPE_CODE, GameRecord, Season
from .common import (
    BadRequest,
    Reply,
    blank,
    date_param,
    iso,
    matchup,
    meta,
    number,
    pct,
    season_param,
    season_type,
    status_text,
    utc_offset_minutes,
)
from .registry import Source, renders


def _games(sim: Source, params: dict, season_required: bool) -> tuple[Season, list]:
    """The season and its games that have started, filtered as the parameters say."""
    name = season_param(params, season_required)
    kind = season_type(params, season_required)
    date_from, date_to = date_param(params, "DateFrom"), date_param(params, "DateTo")
    team_id = number(params, "TeamID", required=False)
    game_id = params.get("GameID") or None
    season = sim.season(name) if name else sim.current_season()
    records = [
        g
        for g in season.games
        if g.has_started
        and (kind is None or g.season_type == kind)
        and (date_from is None or g.date >= date_from)
        and (date_to is None or g.date <= date_to)
        and (team_id is None or team_id in (g.home_team_id, g.away_team_id))
        and (game_id is None or g.game_id == game_id)
    ]
    return season, records


def _team_rows(sim: Source, season: Season, records: list[GameRecord]):
    """(record, is_home, own line, opponent line) for both teams of each game."""
    lines = sim.team_lines(season, records)
    for record in records:
        home, away = lines[record.game_id]
        yield record, True, home, away
        yield record, False, away, home


def _shooting(c: dict, year: int) -> list:
    """A team's FGM ... PF, in the game logs' and the game finder's order (null where the
    league did not keep the count that season)."""
    c = blank(c, year)
    return [
        c["fgm"],
        c["fga"],
        pct(c["fgm"], c["fga"]),
        c["fg3m"],
        c["fg3a"],
        pct(c["fg3m"], c["fg3a"]),
        c["ftm"],
        c["fta"],
        pct(c["ftm"], c["fta"]),
        c["oreb"],
        c["dreb"],
        c["reb"],
        c["ast"],
        c["stl"],
        c["blk"],
        c["tov"],
        c["pf"],
    ]


def _team_minutes(c: dict, year: int) -> int | None:
    return None if "seconds" in unkept(year) else round(c["seconds"] / 60)


def _win_loss(record: GameRecord, own: dict, opp: dict) -> str | None:
    if not record.is_final:
        return None  # being played
    return "W" if own["pts"] > opp["pts"] else "L"


def _season_id(record: GameRecord, season: Season) -> str:
    return f"{TYPE_CODE[record.season_type]}{season.start_year}"


# ----- LeagueGameFinder -----------------------------------------------------------------
@renders("leaguegamefinder")
def league_game_finder(sim: Source, params: dict) -> Reply:
    if params.get("PlayerOrTeam", "T") not in ("T", ""):
        raise BadRequest("The simulator only serves PlayerOrTeam=T.")
    season, records = _games(sim, params, season_required=False)
    team_id = number(params, "TeamID", required=False)
    rows = []
    for record, is_home, own, opp in _team_rows(sim, season, records):
        team = TEAMS_BY_ID[record.home_team_id if is_home else record.away_team_id]
        if team_id is not None and team.team_id != team_id:
            continue
        rows.append(
            [
                _season_id(record, season),
                team.team_id,
                team.abbreviation,
                team.full_name,
                record.game_id,
                record.date.isoformat(),
                matchup(record, is_home),
                _win_loss(record, own, opp),
                _team_minutes(own, season.start_year),
                own["pts"],
                *_shooting(own, season.start_year),
                float(own["pts"] - opp["pts"]),
            ]
        )
    rows.sort(key=lambda row: (row[5], row[4]), reverse=True)  # newest first
    body = {
        "resource": "leaguegamefinderparameters",
        "parameters": {
            "PlayerOrTeam": "T",
            "LeagueID": params.get("LeagueID") or "00",
            "Season": season.name,
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


# ----- LeagueGameLog --------------------------------------------------------------------
def player_minutes(seconds: int) -> int:
    """A player's MIN in the game log: whole minutes, halves rounded up (MM:SS 12:30 -> 13)."""
    return (seconds + 30) // 60


def fantasy_points(line: PlayerLine) -> float:
    """NBA fantasy scoring, as the real log's FANTASY_PTS column has it."""
    return round(
        line.pts + 1.2 * line.reb + 1.5 * line.ast + 3 * line.stl + 3 * line.blk - line.tov, 1
    )


def _player_rows(sim: Source, season: Season, records: list[GameRecord]) -> list[list]:
    rows = []
    results: dict[str, GameResult] = sim.player_lines(season, records)
    gone, plus_minus = unkept(season.start_year), season.start_year >= PLUS_MINUS_FIRST
    for record in records:
        result = results[record.game_id]
        date = record.date.isoformat()
        for is_home in (True, False):
            side = result.side(is_home)
            team = side.team
            own, other = record.home_score, record.away_score
            if not is_home:
                own, other = other, own
            game = [record.game_id, date, matchup(record, is_home), "W" if own > other else "L"]
            for line in side.lines:
                if line.played:
                    rows.append(
                        [
                            _season_id(record, season),
                            line.spot.player.person_id,
                            line.spot.player.full_name,
                            team.team_id,
                            team.abbreviation,
                            team.full_name,
                            *game,
                            None if "seconds" in gone else player_minutes(line.seconds),
                            *_player_shooting(line, gone),
                            line.pts,
                            line.plus_minus if plus_minus else None,
                            fantasy_points(line),
                            1,
                        ]
                    )
    return rows


def _player_shooting(line: PlayerLine, gone: frozenset) -> list:
    """FGM ... PF of a player (a season's log has tens of thousands: no dict on the way);
    null where the league did not keep the count that season (`gone`)."""

    def percentage(made, tried):
        return round(made / tried, 3) if tried else None

    if gone:  # an old season: the counts the league did not keep are null
        c = {name: None if name in gone else getattr(line, name) for name in _PLAYER_COUNTS}
        threes = None if "fg3m" in gone else percentage(line.fg3m, line.fg3a)
        return [
            c["fgm"], c["fga"], percentage(line.fgm, line.fga), c["fg3m"], c["fg3a"], threes,
            c["ftm"], c["fta"], percentage(line.ftm, line.fta), c["oreb"], c["dreb"],
            None if "reb" in gone else line.reb, c["ast"], c["stl"], c["blk"], c["tov"], c["pf"],
        ]  # fmt: skip
    return [
        line.fgm,
        line.fga,
        percentage(line.fgm, line.fga),
        line.fg3m,
        line.fg3a,
        percentage(line.fg3m, line.fg3a),
        line.ftm,
        line.fta,
        percentage(line.ftm, line.fta),
        line.oreb,
        line.dreb,
        line.oreb + line.dreb,
        line.ast,
        line.stl,
        line.blk,
        line.tov,
        line.pf,
    ]


_PLAYER_COUNTS = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "ast", "stl")
_PLAYER_COUNTS += ("blk", "tov", "pf")


@renders("leaguegamelog")
def league_game_log(sim: Source, params: dict) -> Reply:
    player_or_team = params.get("PlayerOrTeam") or "T"
    if player_or_team not in ("T", "P"):
        raise BadRequest("The field PlayerOrTeam must match the regular expression '^(P)|(T)$'.")
    season, records = _games(sim, params, season_required=True)
    records = [record for record in records if record.is_final]  # logs hold final games
    if player_or_team == "P":
        headers, rows = PLAYER_GAMELOG_HEADERS, _player_rows(sim, season, records)
    else:
        headers, rows = GAMELOG_HEADERS, []
        for record, is_home, own, opp in _team_rows(sim, season, records):
            team = TEAMS_BY_ID[record.home_team_id if is_home else record.away_team_id]
            rows.append(
                [
                    _season_id(record, season),
                    team.team_id,
                    team.abbreviation,
                    team.full_name,
                    record.game_id,
                    record.date.isoformat(),
                    matchup(record, is_home),
                    _win_loss(record, own, opp),
                    _team_minutes(own, season.start_year),
                    *_shooting(own, season.start_year),
                    own["pts"],
                    own["pts"] - opp["pts"],
                    1,
                ]
            )
    date_column = headers.index("GAME_DATE")
    game_column = headers.index("GAME_ID")
    descending = (params.get("Direction") or "ASC").upper() == "DESC"
    rows.sort(key=lambda row: (row[date_column], row[game_column]), reverse=descending)
    body = {
        "resource": "leaguegamelog",
        "parameters": {
            "LeagueID": params.get("LeagueID") or "00",
            "Season": season.name,
            "SeasonType": params.get("SeasonType"),
            "PlayerOrTeam": player_or_team,
            "Counter": int(params.get("Counter") or 0),
            "Sorter": params.get("Sorter") or "DATE",
            "Direction": "DESC" if descending else "ASC",
            "DateFrom": params.get("DateFrom") or None,
            "DateTo": params.get("DateTo") or None,
        },
        "resultSets": [{"name": "LeagueGameLog", "headers": headers, "rowSet": rows}],
    }
    return Reply(200, body)


# ----- ScheduleLeagueV2 -----------------------------------------------------------------
@renders("scheduleleaguev2")
def schedule(sim: Source, params: dict) -> Reply:
    season = sim.season(season_param(params, required=True))
    started = [g for g in season.games if g.has_started]
    scores = sim.team_lines(season, started)
    leaders = _points_leaders(sim, season, [g for g in started if g.is_final])
    by_date: dict[dt.date, list[dict]] = {}
    opening = min(g.date for g in season.games if g.season_type == REGULAR)
    for record in season.games:
        games = by_date.setdefault(record.date, [])
        games.append(
            _schedule_game(
                sim, record, len(games) + 1, opening, scores.get(record.game_id), leaders
            )
        )
    weeks = []
    for week in range(1, 27):
        start = opening + dt.timedelta(days=7 * (week - 1) - opening.weekday())
        weeks.append(
            {
                "weekNumber": week,
                "weekName": f"Week {week}",
                "startDate": iso(max(start, opening)),
                "endDate": iso(start + dt.timedelta(days=6)),
            }
        )
    body = {
        "meta": meta(f"league/00/{season.name}/scheduleleaguev2", sim.league.today),
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


def _points_leaders(sim: Source, season: Season, records: list[GameRecord]) -> dict:
    """game id -> its top scorer, in pointsLeaders' shape."""
    leaders = {}
    for game_id, result in sim.player_lines(season, records).items():
        line, side = max(
            ((line, side) for side in (result.home, result.away) for line in side.lines),
            key=lambda pair: pair[0].pts,
        )
        leaders[game_id] = {
            "personId": line.spot.player.person_id,
            "firstName": line.spot.player.first_name,
            "lastName": line.spot.player.last_name,
            "teamId": side.team.team_id,
            "teamCity": side.team.city,
            "teamName": side.team.nickname,
            "teamTricode": side.team.abbreviation,
            "points": float(line.pts),
        }
    return leaders


def _schedule_game(sim, record, sequence, opening, lines, leaders) -> dict:
    home, away = TEAMS_BY_ID[record.home_team_id], TEAMS_BY_ID[record.away_team_id]
    utc = record.tip_minutes + utc_offset_minutes(record.date)
    week = (record.date - opening).days // 7 + 1 if record.season_type == REGULAR else 0

    def team(info, wins, losses, points):
        return {
            "teamId": info.team_id,
            "teamName": info.nickname,
            "teamCity": info.city,
            "teamTricode": info.abbreviation,
            "teamSlug": info.slug,
            "wins": wins,
            "losses": losses,
            "score": points,
            "seed": None,
        }

    home_points, away_points = (lines[0]["pts"], lines[1]["pts"]) if lines else (0, 0)
    return {
        "gameId": record.game_id,
        "gameCode": f"{record.date:%Y%m%d}/{away.abbreviation}{home.abbreviation}",
        "gameStatus": record.status,
        "gameStatusText": status_text(record, sim.cut(record)),
        "gameSequence": sequence,
        "gameDateEst": iso(record.date),
        "gameTimeEst": "1900-01-01T" + iso(record.date, record.tip_minutes)[11:],
        "gameDateTimeEst": iso(record.date, record.tip_minutes),
        "gameDateUTC": iso(record.date, utc_offset_minutes(record.date)),
        "gameTimeUTC": "1900-01-01T" + iso(record.date, utc)[11:],
        "gameDateTimeUTC": iso(record.date, utc),
        "awayTeamTime": iso(record.date, record.tip_minutes),
        "homeTeamTime": iso(record.date, record.tip_minutes),
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
        "homeTeam": team(home, record.home_wins, record.home_losses, home_points),
        "awayTeam": team(away, record.away_wins, record.away_losses, away_points),
        "pointsLeaders": [leaders[record.game_id]] if record.game_id in leaders else [],
    }


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
PLAYER_GAMELOG_HEADERS = [
    "SEASON_ID",
    "PLAYER_ID",
    "PLAYER_NAME",
    *GAMELOG_HEADERS[1:-2],
    "PLUS_MINUS",
    "FANTASY_PTS",
    "VIDEO_AVAILABLE",
]
