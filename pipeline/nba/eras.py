"""Eras: from which season (and until which) stats.nba.com records an endpoint, and what
differs in which seasons. One Era per catalogue entry (pipeline/nba/endpoints.py); each
bound and each difference cites its evidence: a recorded body under tests/fixtures, or a
public source.

The plan and the run request only what an era records; the report tells "not recorded in
this era" apart from "missing" and from "dead letter"; validation rules and the game-log
check skip the columns an era does not keep.

What the contract assumes where no body was recorded (before 1995-96 for every endpoint;
hoopR-nba-stats-raw starts there): an endpoint is assumed recorded from `first` on, but
the seasons before `proven` (the oldest season a recorded body shows) are uncertain. A run
finds out: it asks for a few items of such a season first (pipeline/model/eras.py); if every
answer is empty, the season is "not recorded" and nothing more is asked; the verdict is kept
in the lake (backfill-state/eras/) for every later run and host. A difference that is wrong
shows in the report: a column the contract calls unrecorded that holds values is listed
under the report's era section ("era.filled").
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.seasons import FIRST_SEASON_YEAR


@dataclass(frozen=True)
class Difference:
    """Columns an endpoint does not record (null, absent, or a meaningless 0) in the seasons
    from `since` to `until` (start years, inclusive). `tables`: only in these lake tables
    (empty: every table of the endpoint that has the columns)."""

    columns: tuple[str, ...]
    until: int
    why: str  # e.g. "no three-point line before 1979-80"
    evidence: str
    since: int = FIRST_SEASON_YEAR
    tables: tuple[str, ...] = ()

    def applies(self, year: int, table: str | None = None) -> bool:
        in_table = table is None or not self.tables or table in self.tables
        return self.since <= year <= self.until and in_table


@dataclass(frozen=True)
class Era:
    first: int = FIRST_SEASON_YEAR  # start year of the first season recorded
    last: int | None = None  # start year of the last season recorded; None: to this day
    evidence: str = ""
    # False: the seasons from `first` up to (not including) `proven` are assumed recorded
    # and a run confirms each with a few requests. No evidence at all: uncertain throughout.
    certain: bool = False
    proven: int | None = None  # start year of the oldest season a recorded body shows
    differences: tuple[Difference, ...] = ()

    def records(self, year: int) -> bool:
        """Does stats.nba.com record this endpoint for the season starting in `year`?"""
        return self.first <= year and (self.last is None or year <= self.last)

    def uncertain(self, year: int) -> bool:
        """Is `year` assumed recorded, without a body to show it (a run probes it)?"""
        if self.certain or not self.records(year):
            return False
        return self.proven is None or year < self.proven

    def unrecorded_columns(self, year: int, table: str | None = None) -> frozenset[str]:
        """The columns this era does not keep in that season (in that table)."""
        return frozenset(c for d in self.differences if d.applies(year, table) for c in d.columns)


# --- what the league kept, and when ---------------------------------------------------------
# Each fact once, in both namings: the V3 box score's (camelCase) and the legacy V2 / game
# log's (FG3M). A name a table does not have is simply not looked at there.

HOOPR = "tests/fixtures/hoopr/SOURCES.md"
BOX_1995 = "tests/fixtures/hoopr/boxscoretraditionalv3/1995-96/0029500001.json"

NO_THREE_POINT_LINE = Difference(
    columns=(
        "threePointersMade",
        "threePointersAttempted",
        "threePointersPercentage",
        "FG3M",
        "FG3A",
        "FG3_PCT",
    ),
    until=1978,
    why="no three-point line before 1979-80",
    evidence="https://en.wikipedia.org/wiki/Three-point_field_goal (NBA adopted it in 1979-80)",
)
NO_REBOUND_SPLIT = Difference(
    columns=("reboundsOffensive", "reboundsDefensive", "OREB", "DREB"),
    until=1972,
    why="offensive and defensive rebounds kept apart only from 1973-74",
    evidence="https://en.wikipedia.org/wiki/Rebound_(basketball) (NBA split them in 1973-74)",
)
NO_STEALS_BLOCKS = Difference(
    columns=("steals", "blocks", "STL", "BLK"),
    until=1972,
    why="steals and blocks kept only from 1973-74",
    evidence="https://en.wikipedia.org/wiki/Steal_(basketball); .../Block_(basketball)",
)
NO_TURNOVERS = Difference(
    columns=("turnovers", "TOV"),
    until=1976,
    why="player turnovers kept only from 1977-78",
    evidence="https://en.wikipedia.org/wiki/Turnover_(basketball) (NBA: from 1977-78)",
)
NO_PLAYER_REBOUNDS = Difference(
    columns=("reboundsTotal", "REB"),
    until=1949,
    why="player rebounds kept only from 1950-51",
    evidence="https://www.basketball-reference.com/leagues/NBA_1951.html (first season with "
    "rebounds in the league's totals)",
)
NO_PLAYER_MINUTES = Difference(
    columns=("minutes", "MIN"),
    until=1950,
    why="player minutes kept only from 1951-52",
    evidence="https://www.basketball-reference.com/leagues/NBA_1952.html (first season with "
    "minutes in the league's totals)",
)
NO_PLUS_MINUS = Difference(
    columns=("plusMinusPoints", "PLUS_MINUS"),
    until=1995,
    why="player plus-minus reads 0.0 for everyone until 1995-96",
    evidence=f"{BOX_1995} (every player 0.0); 2000-01 body has real values ({HOOPR})",
)
BOX_STATS = (
    "minutes",
    "fieldGoalsMade",
    "fieldGoalsAttempted",
    "fieldGoalsPercentage",
    "threePointersMade",
    "threePointersAttempted",
    "threePointersPercentage",
    "freeThrowsMade",
    "freeThrowsAttempted",
    "freeThrowsPercentage",
    "reboundsOffensive",
    "reboundsDefensive",
    "reboundsTotal",
    "assists",
    "steals",
    "blocks",
    "turnovers",
    "foulsPersonal",
    "points",
)
NO_STARTERS = Difference(
    columns=BOX_STATS,
    until=1995,
    why="starters not marked until 1995-96: position '', starters and bench totals null",
    evidence=f"{BOX_1995} (position '' for all, starters and bench null); the 1996-97 "
    f"advanced body marks them ({HOOPR})",
    tables=("box_traditional_starter_bench",),
)
NO_POSITIONS = Difference(
    columns=("position",),
    until=1995,
    why="starters not marked until 1995-96: position '' for every player",
    evidence=f"{BOX_1995}; the 1996-97 advanced body has F/C/G for the starters ({HOOPR})",
)
# A box score's counting stats, as each era kept them.
BOX_SCORE_DIFFERENCES = (
    NO_THREE_POINT_LINE,
    NO_REBOUND_SPLIT,
    NO_STEALS_BLOCKS,
    NO_TURNOVERS,
    NO_PLAYER_REBOUNDS,
    NO_PLAYER_MINUTES,
    NO_PLUS_MINUS,
    NO_POSITIONS,
    NO_STARTERS,
)
