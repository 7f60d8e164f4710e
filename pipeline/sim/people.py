"""Players' bios: drawn once per player, not per season, so that CommonPlayerInfo,
PlayerIndex and CommonTeamRoster agree wherever they overlap (height, weight, college,
country, draft, first and last season, birth date)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cache

from .league import Player, RosterSpot, career_window, current_year

COLLEGES = [
    "Kentucky",
    "Duke",
    "UCLA",
    "Arizona",
    "North Carolina",
    "Kansas",
    "Michigan",
    "Gonzaga",
    "Villanova",
    "Texas",
    "Louisville",
    "Memphis",
    "Georgetown",
    "Syracuse",
    "Connecticut",
    "Baylor",
    "Florida",
    "Indiana",
    "Michigan State",
    "Wake Forest",
    "Utah State",
    "Creighton",
]
COUNTRIES = ["Canada", "France", "Australia", "Serbia", "Germany", "Spain", "Nigeria", "Greece"]
POSITION_NAMES = {"G": "Guard", "F": "Forward", "C": "Center"}


@dataclass(frozen=True)
class Bio:
    birthdate: dt.date
    height: str  # feet-inches, "6-8"
    weight: str  # pounds, "215"
    college: str
    country: str
    draft_year: int | None  # None: undrafted
    draft_round: int | None
    draft_number: int | None
    from_year: int  # first season's start year
    to_year: int  # last season's start year, up to the current one

    def age_on(self, day: dt.date) -> int:
        before_birthday = (day.month, day.day) < (self.birthdate.month, self.birthdate.day)
        return day.year - self.birthdate.year - before_birthday


@cache
def bio(player: Player, latest_year: int) -> Bio:
    """A player's bio as the API tells it in the season starting `latest_year` (today's)."""
    rng = random.Random(f"bio:{player.person_id}")
    first, last = career_window(player, current_year())
    to_year = max(min(last, latest_year), first)
    inches = min(88, max(69, round(rng.gauss(79, 3.3))))
    weight = round(200 + (inches - 79) * 7 + rng.gauss(0, 12))
    age = rng.randint(19, 23)
    birthdate = dt.date(first - age, rng.randint(1, 12), rng.randint(1, 28))
    american = rng.random() < 0.76
    college = rng.choice(COLLEGES)
    country = "USA" if american else rng.choice(COUNTRIES)
    drafted = rng.random() < 0.78
    first_round = rng.random() < 0.65
    pick = rng.randint(1, 30) + (0 if first_round else 30)
    return Bio(
        birthdate=birthdate,
        height=f"{inches // 12}-{inches % 12}",
        weight=str(weight),
        college=college,
        country=country,
        draft_year=first if drafted else None,
        draft_round=(1 if first_round else 2) if drafted else None,
        draft_number=pick if drafted else None,
        from_year=first,
        to_year=to_year,
    )


def headline(spot: RosterSpot) -> tuple[float | None, float | None, float | None]:
    """(PTS, REB, AST) per game a roster spot is built for: the season averages PlayerIndex
    and CommonPlayerInfo show. The roster model's expectation, not the mean of the
    simulated games (that would take every game of the season to answer). None for the
    deep bench, as the API has it for players without a game."""
    minutes = spot.minutes_target
    if not minutes:
        return (None, None, None)
    share = minutes / 240
    return (
        round(112 * share * spot.usage / 1.1, 1),
        round(44 * share * spot.rebounding, 1),
        round(26 * share * (1.4 if spot.position == "G" else 0.8), 1),
    )
