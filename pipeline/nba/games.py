"""The season's game index, made purely from LeagueGameFinder tables.

LeagueGameFinder answers two rows per game, one per team. MATCHUP tells them apart:
"CLE vs. CHI" is the home team's row, "CHI @ CLE" the away team's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from pipeline.nba.endpoints import GAME_ID_PREFIX_TO_SEASON_TYPE

INDEX_SCHEMA = pa.schema(
    [
        ("game_id", pa.string()),
        ("season", pa.string()),
        ("season_type", pa.string()),
        ("game_date", pa.string()),
        ("month", pa.int32()),
        ("home_team_id", pa.int64()),
        ("home_team", pa.string()),
        ("away_team_id", pa.int64()),
        ("away_team", pa.string()),
        ("status", pa.string()),
    ]
)


@dataclass(frozen=True)
class Game:
    game_id: str
    season: str
    season_type: str
    game_date: str  # YYYY-MM-DD
    month: int
    home_team_id: int
    away_team_id: int
    status: str = "final"


def season_type_of(game_id: str) -> str:
    return GAME_ID_PREFIX_TO_SEASON_TYPE.get(game_id[:3], "Unknown")


def index_from_finder(season: str, finder_rows: list[dict]) -> pa.Table:
    """One row per game from LeagueGameFinder's team rows; games missing a side are kept."""
    games: dict[str, dict] = {}
    for row in finder_rows:
        game_id = row["GAME_ID"]
        game = games.setdefault(
            game_id,
            {
                "game_id": game_id,
                "season": season,
                "season_type": season_type_of(game_id),
                "game_date": row["GAME_DATE"],
                "month": int(row["GAME_DATE"][5:7]),
                "home_team_id": None,
                "home_team": None,
                "away_team_id": None,
                "away_team": None,
                # LeagueGameFinder lists only games that have been played.
                "status": "final",
            },
        )
        side = "away" if " @ " in row["MATCHUP"] else "home"
        game[f"{side}_team_id"] = row["TEAM_ID"]
        game[f"{side}_team"] = row["TEAM_ABBREVIATION"]
    ordered = sorted(games.values(), key=lambda g: (g["game_date"], g["game_id"]))
    return pa.Table.from_pylist(ordered, schema=INDEX_SCHEMA)


def games_from_index(index: pa.Table) -> list[Game]:
    return [
        Game(
            game_id=r["game_id"],
            season=r["season"],
            season_type=r["season_type"],
            game_date=r["game_date"],
            month=r["month"],
            home_team_id=r["home_team_id"],
            away_team_id=r["away_team_id"],
            status=r["status"],
        )
        for r in index.to_pylist()
    ]


def select_games(
    games: list[Game],
    *,
    season_types: tuple[str, ...],
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int = 0,
) -> list[Game]:
    """The games a run covers: by type and date range, then the first `limit` by date."""
    chosen = [
        g
        for g in games
        if g.season_type in season_types
        and g.status == "final"
        and (start is None or g.game_date >= start.isoformat())
        and (end is None or g.game_date <= end.isoformat())
    ]
    return chosen[:limit] if limit else chosen
