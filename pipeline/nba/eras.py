"""Eras: from which season stats.nba.com records an endpoint, and what differs in which
seasons. One Era per catalogue entry (pipeline/nba/endpoints.py), each bound and each
difference with its evidence: a recorded body in tests/fixtures, or a public source.

The plan and the run request only what an era records; the report tells "not recorded in
this era" apart from "missing"; validation rules and the game-log check skip the columns an
era does not keep. Where a bound is uncertain (certain=False), a run learns it from the API
with a few requests and records what it learned in the lake.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.seasons import FIRST_SEASON_YEAR


@dataclass(frozen=True)
class Difference:
    """Columns an endpoint does not record (null or absent) in the seasons from `since` to
    `until` (start years, inclusive)."""

    columns: tuple[str, ...]
    until: int
    why: str  # e.g. "no three-point line before 1979-80"
    evidence: str
    since: int = FIRST_SEASON_YEAR

    def applies(self, year: int) -> bool:
        return self.since <= year <= self.until


@dataclass(frozen=True)
class Era:
    first: int = FIRST_SEASON_YEAR  # start year of the first season recorded
    last: int | None = None  # start year of the last season recorded; None: to this day
    evidence: str = ""
    certain: bool = True  # False: a run confirms the bound with a few requests
    differences: tuple[Difference, ...] = ()

    def records(self, year: int) -> bool:
        """Does stats.nba.com record this endpoint for the season starting in `year`?"""
        return self.first <= year and (self.last is None or year <= self.last)

    def unrecorded_columns(self, year: int) -> frozenset[str]:
        """The columns this era does not keep in that season."""
        return frozenset(c for d in self.differences if d.applies(year) for c in d.columns)
