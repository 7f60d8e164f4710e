"""The independent check: a season's game logs against its stored box scores. Pure.

LeagueGameLog answers one row per player (P) or team (T) per game for a whole season in
one request. Every counting stat it shares with the traditional box score must agree; a
game where one differs has been corrected since it was stored (or was stored wrong), and
is fetched again.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Game log column -> traditional box score (V3) column.
STATS = {
    "MIN": "minutes",
    "PTS": "points",
    "FGM": "fieldGoalsMade",
    "FGA": "fieldGoalsAttempted",
    "FG3M": "threePointersMade",
    "FG3A": "threePointersAttempted",
    "FTM": "freeThrowsMade",
    "FTA": "freeThrowsAttempted",
    "OREB": "reboundsOffensive",
    "DREB": "reboundsDefensive",
    "REB": "reboundsTotal",
    "AST": "assists",
    "STL": "steals",
    "BLK": "blocks",
    "TOV": "turnovers",
    "PF": "foulsPersonal",
}
# The log rounds minutes to whole ones; the box score has "MM:SS".
MINUTES_TOLERANCE = 1.0


@dataclass(frozen=True)
class Difference:
    game_id: str
    side: str  # "player" or "team"
    entity_id: int
    stat: str
    stored: object
    logged: object

    def as_dict(self) -> dict:
        return asdict(self)


def minutes(value) -> float | None:
    """'34:12' -> 34.2; numbers as they are; '' or None -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        mins, _, secs = value.partition(":")
        return int(mins or 0) + int(secs or 0) / 60
    return float(value)


def _only(table: pa.Table, columns: list[str]) -> pa.Table:
    """The table's columns among these (a missing one reads as None, as before)."""
    return table.select([c for c in dict.fromkeys(columns) if c in table.column_names])


def _rows_by_key(table: pa.Table, id_column: str) -> dict[tuple[str, int], dict]:
    return {(str(r["gameId"]), int(r[id_column])): r for r in table.to_pylist()}


def _same(stat: str, stored, logged) -> bool:
    if stat == "MIN":
        a, b = minutes(stored), minutes(logged)
        return (a or 0.0) == (b or 0.0) or (
            a is not None and b is not None and abs(a - b) <= MINUTES_TOLERANCE
        )
    return (stored or 0) == (logged or 0)


def compared_stats(unrecorded: frozenset[str] = frozenset()) -> dict[str, str]:
    """The stats both sides record in a season: STATS less those whose log or box score
    column the era does not keep (no three-point line before 1979-80...)."""
    return {s: c for s, c in STATS.items() if s not in unrecorded and c not in unrecorded}


def _ids(side: str) -> tuple[str, str]:
    """(the log's entity column, the box score's) for a side."""
    return ("PLAYER_ID", "personId") if side == "player" else ("TEAM_ID", "teamId")


def log_digests(log: pa.Table, side: str) -> dict[str, str]:
    """Game id -> a digest of its log rows' compared stats: a game whose digest and box
    score are both unchanged since a check compares as it did then. Row by row in pandas'
    vectorized hash (a season's log is 26,000 rows), in any row order."""
    entity = _ids(side)[0]
    columns = [c for c in ("GAME_ID", entity, *STATS) if c in log.column_names]
    if "GAME_ID" not in columns or not log.num_rows:
        return {}
    frame = log.select(columns).to_pandas()
    hashes = pd.util.hash_pandas_object(frame[columns[1:]], index=False).to_numpy()
    games = frame["GAME_ID"].astype(str).to_numpy()
    order = np.lexsort((hashes, games))
    games, hashes = games[order], hashes[order]
    starts = np.flatnonzero(np.r_[True, games[1:] != games[:-1]])
    ends = np.r_[starts[1:], len(games)]
    return {
        games[start]: hashlib.sha1(hashes[start:end].tobytes()).hexdigest()[:16]
        for start, end in zip(starts, ends, strict=True)
    }


def compare(
    log: pa.Table, box: pa.Table, side: str, unrecorded: frozenset[str] = frozenset()
) -> list[Difference]:
    """Every stat of every row of the log against the stored box score rows of its games.

    side "player": the P log against box_traditional_players; "team": T against teams.
    Only games present in `box` are compared (the rest are not stored yet), and only the
    stats both sides record in the season (`unrecorded`: the columns its eras lack)."""
    stats = compared_stats(unrecorded)
    log_id, box_id = _ids(side)
    # Only the compared columns become Python rows: a season's logs and box scores whole
    # would take a few hundred MB of dicts, kept by the process long after.
    stored = _rows_by_key(_only(box, ["gameId", box_id, *stats.values()]), box_id)
    games = {game_id for game_id, _ in stored}
    if not games:
        return []
    # A season's log is 26,000 rows by spring, and a daily run compares a day's games.
    log = _only(log, ["GAME_ID", log_id, *stats])
    in_box = pc.is_in(pc.cast(log["GAME_ID"], pa.string()), value_set=pa.array(sorted(games)))
    log = log.filter(in_box)
    differences = []
    for row in log.to_pylist():
        game_id = str(row["GAME_ID"])
        if game_id not in games:
            continue
        entity = int(row[log_id])
        mine = stored.get((game_id, entity))
        if mine is None:
            differences.append(Difference(game_id, side, entity, "row", None, "present"))
            continue
        for stat, column in stats.items():
            if not _same(stat, mine.get(column), row.get(stat)):
                differences.append(
                    Difference(game_id, side, entity, stat, mine.get(column), row.get(stat))
                )
    return differences
