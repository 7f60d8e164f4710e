"""The season's game index, made purely from LeagueGameFinder tables.

LeagueGameFinder answers two rows per game, one per team. MATCHUP tells them apart:
"CLE vs. CHI" is the home team's row, "CHI @ CLE" the away team's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa

from pipeline.core.seasons import GAME_ID_PREFIX_TO_SEASON_TYPE

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
        ("winner_team_id", pa.int64()),
    ]
)
FINAL, LIVE = "final", "live"
# The Finals: the last round of the playoffs (004 YY 00 R S G), first to 4 wins in every era.
WINS_TO_TAKE_A_SERIES = 4


@dataclass(frozen=True)
class Game:
    game_id: str
    season: str
    season_type: str
    game_date: str  # YYYY-MM-DD
    month: int
    home_team_id: int
    away_team_id: int
    status: str = FINAL
    winner_team_id: int | None = None


def season_type_of(game_id: str) -> str:
    return GAME_ID_PREFIX_TO_SEASON_TYPE.get(game_id[:3], "Unknown")


def index_from_finder(season: str, finder_rows: list[dict]) -> pa.Table:
    """One row per game from LeagueGameFinder's team rows; games missing a side are kept.

    LeagueGameFinder lists games once they start; WL stays empty until a game is final."""
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
                "status": FINAL,
                "winner_team_id": None,
            },
        )
        side = "away" if " @ " in row["MATCHUP"] else "home"
        game[f"{side}_team_id"] = row["TEAM_ID"]
        game[f"{side}_team"] = row["TEAM_ABBREVIATION"]
        if not row.get("WL"):
            game["status"] = LIVE
        elif row["WL"] == "W":
            game["winner_team_id"] = row["TEAM_ID"]
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
            winner_team_id=r.get("winner_team_id"),
        )
        for r in index.to_pylist()
    ]


def season_over(games: list[Game]) -> bool:
    """True once the Finals are decided: the last round played (the round digit of a
    playoff id, 004YY00RSG) holds one series, and a team has won four of its final games.
    The Finals are round 4 today and were round 3 or 4 in earlier formats; a round with two
    or more series (the conference finals) never ends a season."""
    playoffs = [g for g in games if g.game_id.startswith("004") and g.status == FINAL]
    if not playoffs:
        return False
    last_round = max(g.game_id[7] for g in playoffs)
    finals = [g for g in playoffs if g.game_id[7] == last_round]
    if len({frozenset((g.home_team_id, g.away_team_id)) for g in finals}) != 1:
        return False
    wins = Counter(g.winner_team_id for g in finals)
    return max(wins.values()) >= WINS_TO_TAKE_A_SERIES


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
        and g.status == FINAL
        and (start is None or g.game_date >= start.isoformat())
        and (end is None or g.game_date <= end.isoformat())
    ]
    return chosen[:limit] if limit else chosen
