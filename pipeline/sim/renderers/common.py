"""What every renderer shares: the reply, the API's parameter checks, and small formats."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..eras import modern_box, season_year, unkept
from ..game import DNP_COMMENT, GameResult, PlayerLine
from ..league import CUP, PLAYIN, PLAYOFFS, REGULAR, TEAMS_BY_ID, GameRecord
from ..plan import Cut

SEASON_TYPES = {REGULAR, PLAYIN, PLAYOFFS, CUP, "Pre Season", "All Star"}


@dataclass
class Reply:
    status: int
    body: object  # dict (rendered as JSON) or str (plain text)
    entity: str | None = None  # game/player/team id, for sticky faults

    @property
    def is_json(self) -> bool:
        return not isinstance(self.body, str)


class BadRequest(Exception):
    """400, with the API's plain-text message."""


class NotFound(Exception):
    """404: no such game, player, team or season."""


# ----- parameters, checked like the real API ------------------------------------------
def required(params: dict, name: str) -> str:
    value = params.get(name, "")
    if value in ("", None):
        raise BadRequest(f"The {name} property is required.")
    return value


def game_id(params: dict) -> str:
    value = required(params, "GameID")
    if not re.fullmatch(r"\d{10}", value):
        raise BadRequest("The field GameID must match the regular expression '^\\d{10}$'.")
    return value


def number(params: dict, name: str, required: bool = True) -> int | None:
    value = params.get(name, "")
    if value in ("", None):
        if required:
            raise BadRequest(f"The {name} property is required.")
        return None
    if not re.fullmatch(r"-?\d+", value):
        raise BadRequest(f"The value '{value}' is not valid for {name}.")
    return int(value)


def season_param(params: dict, required: bool) -> str | None:
    value = params.get("Season", "")
    if value in ("", None):
        if required:
            raise BadRequest("The Season property is required.")
        return None
    if not re.fullmatch(r"\d{4}-\d{2}", value):
        raise BadRequest("The field Season must match the regular expression '^(\\d{4}-\\d{2})$'.")
    return value


def season_type(params: dict, required: bool) -> str | None:
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


def date_param(params: dict, name: str) -> dt.date | None:
    """MM/DD/YYYY as nba_api sends it (YYYY-MM-DD is accepted too, as the API does)."""
    value = params.get(name, "")
    if value in ("", None):
        return None
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            pass
    raise BadRequest(f"The value '{value}' is not valid for {name}.")


# ----- formats ------------------------------------------------------------------------
def pct(made: int | None, attempted: int | None) -> float | None:
    if made is None or attempted is None:  # not kept in that era
        return None
    return round(made / attempted, 3) if attempted else 0.0


def blank(c: dict, year: int) -> dict:
    """Counts (with "reb", the total, added) with those the league did not keep that season
    as None."""
    c = {**c, "reb": c["oreb"] + c["dreb"]}
    gone = unkept(year)
    return {k: None if k in gone else v for k, v in c.items()} if gone else c


def share(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole else 0.0


def iso(date: dt.date, minutes: int = 0) -> str:
    return (dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def utc_offset_minutes(date: dt.date) -> int:
    return 4 * 60 if 3 < date.month < 11 else 5 * 60  # EDT or EST, near enough


def meta(path: str, date: dt.date) -> dict:
    stamp = (date + dt.timedelta(days=1)).strftime("%Y-%m-%dT12:00:00.0000Z")
    return {"version": 1, "request": f"http://nba.cloud/{path}?Format=json", "time": stamp}


def game_reply(record: GameRecord, path: str, key: str, teams: dict) -> Reply:
    """A V3 box-score family body: meta, then under `key` the game's ids and both teams."""
    body = {
        "meta": meta(f"games/{record.game_id}/{path}", record.date),
        key: {
            "gameId": record.game_id,
            "awayTeamId": record.away_team_id,
            "homeTeamId": record.home_team_id,
            **teams,
        },
    }
    return Reply(200, body, record.game_id)


def team_meta(team_id: int) -> dict:
    team = TEAMS_BY_ID[team_id]
    return {
        "teamId": team.team_id,
        "teamCity": team.city,
        "teamName": team.nickname,
        "teamTricode": team.abbreviation,
        "teamSlug": team.slug,
    }


def player_meta(line: PlayerLine, result: GameResult, jersey: bool = True) -> dict:
    player = line.spot.player
    marked = line.starter and modern_box(season_year(result.record.game_id))
    not_played = "" if line.played or result.cut is not None else DNP_COMMENT
    return {
        "personId": player.person_id,
        "firstName": player.first_name,
        "familyName": player.last_name,
        "nameI": player.name_i,
        "playerSlug": player.slug,
        # No starters are marked before 1996-97 (position "" for everybody).
        "position": line.spot.position if marked else "",
        "comment": not_played,
        "jerseyNum": line.spot.jersey if jersey else "",
    }


def matchup(record: GameRecord, is_home: bool) -> str:
    home = TEAMS_BY_ID[record.home_team_id].abbreviation
    away = TEAMS_BY_ID[record.away_team_id].abbreviation
    return f"{home} vs. {away}" if is_home else f"{away} @ {home}"


def status_text(record: GameRecord, cut: Cut | None = None) -> str:
    """ "Final", where a live game stands ("Q3 5:12"), or the tip-off time before."""
    if record.is_final:
        return "Final"
    if cut is not None:
        return cut.status_text
    hour, minute = divmod(record.tip_minutes, 60)
    return f"{(hour - 1) % 12 + 1}:{minute:02d} pm ET"
