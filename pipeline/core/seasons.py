"""The league's seasons and season types: which seasons exist and how a label reads.

The league's first season is the BAA's 1946-47 (stats.nba.com counts the BAA as NBA
history); a season after the current one is bad input.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.core.errors import BadInput

FIRST_SEASON_YEAR = 1946
SEASON_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

SEASON_TYPES = ("Regular Season", "PlayIn", "Playoffs", "IST")
GAME_ID_PREFIX_TO_SEASON_TYPE = {
    "001": "Pre Season",
    "002": "Regular Season",
    "003": "All Star",
    "004": "Playoffs",
    "005": "PlayIn",
    "006": "IST",
}


def parse_season(value: str) -> str:
    """'2024-25' -> '2024-25'; anything else is bad input."""
    match = SEASON_PATTERN.match(str(value).strip())
    if not match:
        raise BadInput(f"invalid season {value!r}: expected YYYY-YY, for example 2024-25")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise BadInput(f"invalid season {value!r}: {end:02d} does not follow {start}")
    if start < FIRST_SEASON_YEAR or start > dt.date.today().year:
        raise BadInput(f"invalid season {value!r}: no NBA season starts in {start}")
    return f"{start}-{end:02d}"


def season_year(season: str) -> int:
    return int(season[:4])


def parse_season_types(values) -> tuple[str, ...]:
    chosen = tuple(values) or SEASON_TYPES
    unknown = [v for v in chosen if v not in SEASON_TYPES]
    if unknown:
        raise BadInput(f"unknown season type {unknown[0]!r}: choose from {', '.join(SEASON_TYPES)}")
    return chosen
