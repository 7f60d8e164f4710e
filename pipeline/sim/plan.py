"""A game's plan: what every possession comes to, drawn cheaply from the line score.

The schedule (league.py) fixes each team's points per period. The plan splits them into
possessions (a made 3, an and-one, two free throws, a blocked miss, a steal...) with their
lengths, team by team and without saying who did what. It costs a fraction of a millisecond,
so season-level answers (game finder, team game log, schedule scores) are counted from plans.
game.py then plays the plan out player by player; it never changes what a possession comes
to, so the team lines counted here are exactly the sums of the box score's players.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .league import GameRecord, Season

REGULATION_SECONDS, OVERTIME_SECONDS = 720, 300
TURNOVER_KINDS = ("Bad Pass", "Lost Ball", "Traveling", "Bad Pass", "Lost Ball")
OFFENSIVE_FOUL = "Offensive Foul Turnover"
SCORING_KINDS = ("2", "3", "and1", "ft2", "ft1")
SHOT_KINDS = ("2", "3", "and1", "miss2", "miss3")
FREE_THROWS = {"ft2": (True, True), "ft0": (False, False), "and1": (True,)}
FAST_BREAK_SECONDS = 7
TEAM_FIELDS = (
    "seconds",
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
    "pts",
    "plus_minus",
)


@dataclass(slots=True)
class Possession:
    """One team's trip down the floor, as the box score will count it."""

    home: bool  # the home team has the ball
    kind: str  # "2" "3" "and1" "ft2" "ft1" "ft0" "miss2" "miss3" "to" "ofoul"
    seconds: int  # how long it lasts
    foul_first: bool = False  # a non-shooting foul by the defense on the way
    putback: int = 0  # value of a missed shot the offense rebounded first (0: none)
    paint: bool = False  # a 2-point shot from the paint (else mid-range)
    assisted: bool = False
    blocked: bool = False
    turnover: str = ""  # the turnover's subType
    stolen: bool = False
    free_throws: tuple = ()  # made or missed, in order
    fast_break: bool = False
    off_turnover: bool = False  # right after the other team's turnover


@dataclass(slots=True)
class PeriodPlan:
    number: int
    length: int  # seconds
    possessions: list  # Possession, in order of play


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a live game stands: `done` possessions of `period` have been played."""

    period: int
    done: int
    clock: int  # seconds left in the period

    @property
    def status_text(self) -> str:
        return f"Q{self.period} {self.clock // 60}:{self.clock % 60:02d}"


@dataclass(slots=True)
class GamePlan:
    record: GameRecord
    tip_to_home: bool
    periods: list  # PeriodPlan


def period_length(number: int) -> int:
    return REGULATION_SECONDS if number <= 4 else OVERTIME_SECONDS


def draw_plan(season: Season, record: GameRecord) -> GamePlan:
    """The whole plan, possession by possession. Deterministic in (league seed, game id)."""
    return _draw(season, record, keep=True)[0]


def full_game_lines(season: Season, record: GameRecord) -> tuple[dict, dict]:
    """(home, away) team lines of the finished game, as its box score's team statistics
    have them (plusMinus: the margin). The same draws as draw_plan, counted on the way
    without keeping the possessions: a season's worth in a fraction of a second."""
    return _draw(season, record, keep=False)[1]


# Indexes into the running counts of _draw (lists are quicker to bump than dicts).
_FGM, _FGA, _FG3M, _FG3A, _FTM, _FTA, _OREB, _DREB, _AST, _STL, _BLK, _TOV, _PF, _PTS = range(14)
_COUNTED = ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb")
_COUNTED += ("ast", "stl", "blk", "tov", "pf", "pts")


def _draw(season: Season, record: GameRecord, keep: bool):
    rng = random.Random(f"{season.league.seed}:{record.game_id}:plan")
    rand, log = rng.random, math.log
    tick = random.Random(f"{season.league.seed}:{record.game_id}:clock").random
    allow_three = season.start_year >= 1979  # no 3-point line before 1979-80
    tip_to_home = rand() < 0.5
    running = {True: [0] * 14, False: [0] * 14}
    periods = []
    for index, scores in enumerate(zip(record.home_periods, record.away_periods, strict=True)):
        number = index + 1
        length = period_length(number)
        # Q1, Q4 and overtimes start with the tip winner's ball; Q2 and Q3 with the other's.
        home_first = tip_to_home if number in (1, 4) or number >= 5 else not tip_to_home
        kinds = {True: _scoring_kinds(rng, scores[0], allow_three), False: []}
        kinds[False] = _scoring_kinds(rng, scores[1], allow_three)
        wanted = round(rng.gauss(24.0, 1.5) * length / REGULATION_SECONDS)
        count = max(len(kinds[True]), len(kinds[False]), wanted)
        for home in (True, False):
            kinds[home] += [
                _empty_kind(rand(), allow_three) for _ in range(count - len(kinds[home]))
            ]
            _shuffle(kinds[home], rand)
        # The clock has its own stream: team lines need none of it.
        seconds = (
            _lengths([0.4 - log(1.0 - tick()) for _ in range(2 * count)], length) if keep else None
        )
        possessions = []
        turned_over = {True: False, False: False}  # each side's last trip ended in a turnover
        for i in range(2 * count):
            home = home_first if i % 2 == 0 else not home_first
            own, other = running[home], running[not home]
            kind = kinds[home].pop()
            foul_first = rand() < 0.10
            if foul_first:
                other[_PF] += 1
            putback = 0
            if kind in SHOT_KINDS and rand() < 0.13:  # miss, offensive rebound, go again
                putback = 3 if allow_three and rand() < 0.35 else 2
                own[_FGA] += 1
                own[_FG3A] += putback == 3
                own[_OREB] += 1
            paint = assisted = blocked = stolen = False
            turnover, free_throws = "", ()
            if kind in SHOT_KINDS:
                value = 3 if kind[-1] == "3" else 2
                own[_FGA] += 1
                own[_FG3A] += value == 3
                if value == 2:
                    paint = rand() < 0.6
                if kind[0] == "m":
                    blocked = rand() < 0.09
                    other[_BLK] += blocked
                    other[_DREB] += 1
                else:
                    own[_FGM] += 1
                    own[_FG3M] += value == 3
                    own[_PTS] += value
                    if kind != "and1":
                        assisted = rand() < (0.8 if value == 3 else 0.55)
                        own[_AST] += assisted
            if kind == "ft1":
                free_throws = (True, False) if rand() < 0.5 else (False, True)
            elif kind in FREE_THROWS:
                free_throws = FREE_THROWS[kind]
            elif kind == "to":
                turnover = TURNOVER_KINDS[int(rand() * len(TURNOVER_KINDS))]
                stolen = turnover in ("Bad Pass", "Lost Ball") and rand() < 0.55
            elif kind == "ofoul":
                turnover = OFFENSIVE_FOUL
                own[_PF] += 1
            if free_throws:
                made = sum(free_throws)
                other[_PF] += 1  # the shooting foul
                own[_FTA] += len(free_throws)
                own[_FTM] += made
                own[_PTS] += made
                other[_DREB] += not free_throws[-1]
            if turnover:
                own[_TOV] += 1
                other[_STL] += stolen
            off_turnover = turned_over[not home]
            turned_over[not home] = False
            turned_over[home] = bool(turnover)
            if keep:
                possessions.append(
                    Possession(
                        home,
                        kind,
                        seconds[i],
                        foul_first,
                        putback,
                        paint,
                        assisted,
                        blocked,
                        turnover,
                        stolen,
                        free_throws,
                        seconds[i] <= FAST_BREAK_SECONDS and kind in SCORING_KINDS,
                        off_turnover,
                    )
                )
        periods.append(PeriodPlan(number, length, possessions))
    lines = []
    for home in (True, False):
        line = dict(zip(_COUNTED, running[home], strict=True))
        line["seconds"] = 5 * sum(p.length for p in periods)
        lines.append(line)
    lines[0]["plus_minus"] = lines[0]["pts"] - lines[1]["pts"]
    lines[1]["plus_minus"] = -lines[0]["plus_minus"]
    ordered = tuple({name: line[name] for name in TEAM_FIELDS} for line in lines)
    return GamePlan(record, tip_to_home, periods), ordered


def _scoring_kinds(rng, points: int, allow_three: bool) -> list[str]:
    plays = []
    while points > 0:
        r = rng.random()
        if points >= 3 and allow_three and r < 0.32:
            plays.append("3")
            points -= 3
        elif points >= 3 and r < 0.37:
            plays.append("and1")
            points -= 3
        elif points >= 2 and r < 0.86:
            plays.append("2")
            points -= 2
        elif points >= 2:
            plays.append("ft2")
            points -= 2
        else:
            plays.append("ft1")
            points -= 1
    return plays


def _shuffle(items: list, rand) -> None:
    """Fisher-Yates on rand() (random.shuffle's integer draws cost three times as much)."""
    for i in range(len(items) - 1, 0, -1):
        j = int(rand() * (i + 1))
        items[i], items[j] = items[j], items[i]


def _empty_kind(r: float, allow_three: bool) -> str:
    if r < 0.45:
        return "miss2"
    if r < 0.75:
        return "miss3" if allow_three else "miss2"
    if r < 0.93:
        return "to"
    return "ft0" if r < 0.97 else "ofoul"


def _lengths(weights: list[float], length: int) -> list[int]:
    """Possession lengths in whole seconds, at least 4 each, filling the period exactly."""
    floor, count = 4, len(weights)
    spare = length - floor * count
    total = sum(weights)
    lengths = [floor + int(spare * w / total) for w in weights]
    for i in range(length - sum(lengths)):
        lengths[i % count] += 1
    return lengths


def live_cut(season: Season, plan: GamePlan) -> Cut:
    """Where a game being played today stands: somewhere in regulation, fixed per game."""
    rng = random.Random(f"{season.league.seed}:{plan.record.game_id}:live")
    period = plan.periods[rng.randint(0, 3)]
    done = rng.randint(1, len(period.possessions) - 1)
    clock = period.length - sum(p.seconds for p in period.possessions[:done])
    return Cut(period.number, done, clock)
