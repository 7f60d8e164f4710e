"""Replay: real recorded bodies served back as the API would, the simulator for the rest.

``ReplayResponder(league, directory)`` reads ``<endpoint>/<season>/<game_id>.json`` under
`directory` (the layout of tests/fixtures/hoopr) and ``game_dates.json`` ({game id: date},
which the box scores do not carry). Then:

- a recorded body is served as recorded, for its endpoint and game id;
- a season with recorded traditional box scores is made of those games only: the game
  finder, the team and player game logs and the other box scores of those games are counted
  from the recorded box scores, by the simulator's own renderers (so they agree with the
  recorded bodies, number for number);
- everything else (other seasons, players, teams) is the simulator's.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re

from .bodies import Responder
from .eras import season_year
from .game import GameResult, PlayerLine, TeamSide
from .league import (
    REGULAR,
    TEAMS_BY_ID,
    GameRecord,
    League,
    Player,
    RosterSpot,
    Season,
    season_string,
)
from .renderers.common import Reply, game_id

TRADITIONAL = "boxscoretraditionalv3"
DATES = "game_dates.json"
_STATS = {  # PlayerLine count -> the traditional box score's statistics key
    "fgm": "fieldGoalsMade",
    "fga": "fieldGoalsAttempted",
    "fg3m": "threePointersMade",
    "fg3a": "threePointersAttempted",
    "ftm": "freeThrowsMade",
    "fta": "freeThrowsAttempted",
    "oreb": "reboundsOffensive",
    "dreb": "reboundsDefensive",
    "ast": "assists",
    "stl": "steals",
    "blk": "blocks",
    "tov": "turnovers",
    "pf": "foulsPersonal",
    "pts": "points",
}


def seconds(minutes: str) -> int:
    """'26:35' -> 1595, '39' (1995-96 whole minutes) -> 2340, '' -> 0."""
    match = re.fullmatch(r"(\d+)(?::(\d{2}))?", minutes or "")
    return int(match.group(1)) * 60 + int(match.group(2) or 0) if match else 0


def _counts(stats: dict) -> dict:
    counts = {name: int(stats[key] or 0) for name, key in _STATS.items()}
    counts["seconds"] = seconds(stats["minutes"])
    counts["plus_minus"] = int(stats.get("plusMinusPoints") or 0)
    return counts


def _side(team: dict, is_home: bool) -> TeamSide:
    """A team of a recorded box score as the simulator's TeamSide, every row kept (the
    phantom rows of some 1996-2001 bodies too: the other box scores list the same players)."""
    lines = []
    for row in team["players"]:
        full_name = f"{row['firstName']} {row['familyName']}".strip()
        player = Player(row["personId"], row["firstName"], row["familyName"], full_name, False)
        spot = RosterSpot(player, row["jerseyNum"], row["position"], 1.0, 1.0, 0.0)
        line = PlayerLine(spot=spot, starter=bool(row["position"]))
        for name, value in _counts(row["statistics"]).items():
            setattr(line, name, value)
        lines.append(line)
    known = TEAMS_BY_ID[team["teamId"]]
    return TeamSide(team=known, is_home=is_home, lines=lines, inactive=[])


class RecordedSeason:
    """A season made of its recorded games; anything else is the simulated season's."""

    def __init__(self, simulated: Season, records: list[GameRecord]):
        self._simulated = simulated
        self.games = sorted(records, key=lambda g: (g.date, g.game_id))
        self.games_by_id = {g.game_id: g for g in self.games}

    def __getattr__(self, name):
        return getattr(self._simulated, name)


class ReplayResponder(Responder):
    def __init__(self, league: League, directory: str | pathlib.Path, **kwargs):
        super().__init__(league, **kwargs)
        root = pathlib.Path(directory)
        dates = json.loads((root / DATES).read_text()) if (root / DATES).exists() else {}
        self.bodies: dict[tuple[str, str], pathlib.Path] = {
            (path.parts[-3], path.stem): path for path in root.glob("*/*/*.json")
        }
        self.results: dict[str, GameResult] = {}
        by_season: dict[str, list[GameRecord]] = {}
        for (endpoint, gid), path in sorted(self.bodies.items()):
            if endpoint != TRADITIONAL or gid not in dates or not gid.startswith("002"):
                continue
            result = self._result(json.loads(path.read_text()), dt.date.fromisoformat(dates[gid]))
            self.results[gid] = result
            by_season.setdefault(season_string(season_year(gid)), []).append(result.record)
        self.recorded_seasons = {
            name: RecordedSeason(league.season(name), records)
            for name, records in by_season.items()
        }

    @staticmethod
    def _result(body: dict, date: dt.date) -> GameResult:
        box = body["boxScoreTraditional"]
        home, away = _side(box["homeTeam"], True), _side(box["awayTeam"], False)
        points = [box[s]["statistics"]["points"] for s in ("homeTeam", "awayTeam")]
        record = GameRecord(
            game_id=box["gameId"],
            date=date,
            season_type=REGULAR,
            home_team_id=box["homeTeamId"],
            away_team_id=box["awayTeamId"],
            home_periods=[points[0], 0, 0, 0],  # the box score has no line score
            away_periods=[points[1], 0, 0, 0],
            tip_minutes=19 * 60 + 30,
        )
        return GameResult(record, home, away, [], [], 0, 0)

    # ----- what is recorded wins ----------------------------------------------------------
    def answer(self, endpoint: str, params: dict) -> Reply:
        path = self.bodies.get((endpoint.lower(), params.get("GameID", "")))
        if path is not None:
            return Reply(200, json.loads(path.read_text()), params["GameID"])
        return super().answer(endpoint, params)

    def season(self, name: str):
        return self.recorded_seasons.get(name) or super().season(name)

    def game_record(self, params: dict):
        result = self.results.get(game_id(params))
        if result is None:
            return super().game_record(params)
        season = season_string(season_year(result.record.game_id))
        return self.recorded_seasons[season], result.record

    def cut(self, record: GameRecord):
        return None if record.game_id in self.results else super().cut(record)

    def game(self, record: GameRecord) -> GameResult:
        return self.results.get(record.game_id) or super().game(record)

    def team_lines(self, season, records):
        if not isinstance(season, RecordedSeason):
            return super().team_lines(season, records)
        return {r.game_id: self._team_lines(self.results[r.game_id]) for r in records}

    def player_lines(self, season, records):
        if not isinstance(season, RecordedSeason):
            return super().player_lines(season, records)
        return {r.game_id: self.results[r.game_id] for r in records}

    def _team_lines(self, result: GameResult) -> tuple[dict, dict]:
        """The recorded team statistics, as the plans' team lines."""
        path = self.bodies[(TRADITIONAL, result.record.game_id)]
        box = json.loads(path.read_text())["boxScoreTraditional"]
        return tuple(_counts(box[side]["statistics"]) for side in ("homeTeam", "awayTeam"))
