"""The league's seasons and season types: which seasons exist and how a label reads.

The league's first season is the BAA's 1946-47 (stats.nba.com counts the BAA as NBA
history); the last is the current one, which starts in October: on 2026-12-04 and in
March 2027 alike it is 2026-27. A season outside those is bad input. Lockout-shortened
seasons (1998-99, 2011-12) and the 2019-20 bubble are seasons like any other.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.core.errors import BadInput

FIRST_SEASON_YEAR = 1946
# A new season's first games are in October; from this month on, its start year is today's.
SEASON_START_MONTH = 10
SEASON_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

SEASON_TYPES = ("Regular Season", "PlayIn", "Playoffs", "IST")
# Season types the league played only from some season on (start year): the play-in
# tournament from 2020-21, the NBA Cup (In-Season Tournament) from 2023-24.
SEASON_TYPE_FIRST_YEAR = {"PlayIn": 2020, "IST": 2023}
GAME_ID_PREFIX_TO_SEASON_TYPE = {
    "001": "Pre Season",
    "002": "Regular Season",
    "003": "All Star",
    "004": "Playoffs",
    "005": "PlayIn",
    "006": "IST",
}


def current_season_year(today: dt.date | None = None) -> int:
    """The start year of the season under way (or the last one, in the summer)."""
    today = today or dt.date.today()
    return today.year if today.month >= SEASON_START_MONTH else today.year - 1


def parse_season(value: str, today: dt.date | None = None) -> str:
    """'2024-25' -> '2024-25'; anything else, or a season the league has not played
    (before 1946-47, after the current one), is bad input."""
    match = SEASON_PATTERN.match(str(value).strip())
    if not match:
        raise BadInput(f"invalid season {value!r}: expected YYYY-YY, for example 2024-25")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise BadInput(f"invalid season {value!r}: {end:02d} does not follow {start}")
    if start < FIRST_SEASON_YEAR:
        raise BadInput(f"invalid season {value!r}: the first season is 1946-47 (the BAA's)")
    current = current_season_year(today)
    if start > current:
        raise BadInput(f"invalid season {value!r}: the current season is {season_label(current)}")
    return f"{start}-{end:02d}"


def season_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def season_year(season: str) -> int:
    return int(season[:4])


def season_types_of(year: int) -> tuple[str, ...]:
    """The season types the league played in the season starting in `year`."""
    return tuple(t for t in SEASON_TYPES if year >= SEASON_TYPE_FIRST_YEAR.get(t, 0))


def parse_season_types(values) -> tuple[str, ...]:
    chosen = tuple(values) or SEASON_TYPES
    unknown = [v for v in chosen if v not in SEASON_TYPES]
    if unknown:
        raise BadInput(f"unknown season type {unknown[0]!r}: choose from {', '.join(SEASON_TYPES)}")
    return chosen
