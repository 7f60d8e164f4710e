"""What the real API's bodies look like in each era, for the simulator's renderers.

Evidence: recorded bodies in tests/fixtures/hoopr (SOURCES.md) where they exist, otherwise a
public source. Where there is no recorded body (before 1995-96), the simulator assumes the
API leaves what the league did not keep as null; a run against the real API finds out
otherwise from the first body of such a season (the pipeline's era contract, which the
report checks, is pipeline/nba/eras.py; this module only shapes simulated bodies).
"""

from __future__ import annotations

# Per-game counts the league began to keep (start years), from basketball-reference.com's
# glossary and league pages: three-point line from 1979-80; offensive/defensive rebounds,
# steals and blocks from 1973-74; turnovers from 1977-78.
THREE_POINT_FIRST = 1979
REBOUND_SPLIT_FIRST = 1973
STEALS_BLOCKS_FIRST = 1973
TURNOVERS_FIRST = 1977
# Player rebounds from 1950-51, player minutes from 1951-52 (basketball-reference.com's
# league totals, https://www.basketball-reference.com/leagues/NBA_1951.html and _1952).
PLAYER_REBOUNDS_FIRST = 1950
PLAYER_MINUTES_FIRST = 1951
# From recorded bodies: in 1995-96 (boxscoretraditionalv3/1995-96/0029500001) every player's
# plusMinusPoints is 0.0, position is "" (starters unknown), starters and bench are null,
# minutes are whole ("39") and players who did not play are not listed, in family-name
# order; 1996-97 (boxscoretraditionalv3/1996-97/0029600001) has plus-minus, positions for
# the starters and MM:SS minutes. Play-by-play: "actions": [] in 1995-96
# (playbyplayv3/1995-96/0029500001), rows from 1996-97.
PLUS_MINUS_FIRST = 1996
STARTERS_FIRST = 1996
PLAY_BY_PLAY_FIRST = 1996

# Count names (pipeline/sim/game.PlayerLine) -> the season they are kept from.
_KEPT_FROM = {
    "fg3m": THREE_POINT_FIRST,
    "fg3a": THREE_POINT_FIRST,
    "oreb": REBOUND_SPLIT_FIRST,
    "dreb": REBOUND_SPLIT_FIRST,
    "stl": STEALS_BLOCKS_FIRST,
    "blk": STEALS_BLOCKS_FIRST,
    "tov": TURNOVERS_FIRST,
    "reb": PLAYER_REBOUNDS_FIRST,  # the total (the renderers count it from oreb + dreb)
    "seconds": PLAYER_MINUTES_FIRST,  # minutes
}


def season_year(game_id: str) -> int:
    """The start year of a game id's season (002YY...: YY 46-99 -> 19YY)."""
    yy = int(game_id[3:5])
    return 1900 + yy if yy >= 46 else 2000 + yy


def unkept(year: int) -> frozenset[str]:
    """The counts the league did not keep in the season starting in `year`."""
    return frozenset(name for name, first in _KEPT_FROM.items() if year < first)


def modern_box(year: int) -> bool:
    """Starters, bench, plus-minus, MM:SS minutes and DNP rows (from 1996-97)."""
    return year >= STARTERS_FIRST


def whole_minutes(seconds: int) -> int:
    """Minutes as old box scores and every game log give them: halves rounded up."""
    return (seconds + 30) // 60
