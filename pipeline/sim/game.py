"""Event-by-event simulation of one game, and the box score aggregated from the events.

The schedule (league.py) fixes each team's points per period. Here each team's points in a
period are split into scoring plays (3s, 2s, and-ones, free-throw trips), padded with empty
possessions (misses, turnovers), interleaved, timed, and written out as play-by-play
actions in the real playbyplayv3 style. Every box-score number is counted from those same
actions, so the play-by-play and the box score can never disagree.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .league import TEAMS_BY_ID, GameRecord, RosterSpot, Season, Team

REGULATION_SECONDS, OVERTIME_SECONDS = 720, 300
DNP_COMMENT = "DNP - Coach's Decision"

OFFICIALS = [
    (201245, "Marat", "Kogut", "63"),
    (201634, "Tyler", "Ford", "39"),
    (201629, "Tom", "Washington", "49"),
    (1153, "Tony", "Brothers", "25"),
    (1151, "Scott", "Foster", "48"),
    (1627541, "Sean", "Mehta", "56"),
    (1627524, "Ben", "Taylor", "46"),
    (2882, "Zach", "Zarba", "15"),
]

# (subType, words used in the description, shortest and longest distance in feet)
TWO_POINT_SHOTS = [
    ("Jump Shot", "Jump Shot", 8, 22),
    ("Pullup Jump shot", "Pullup Jump Shot", 10, 21),
    ("Step Back Jump shot", "Step Back Jump Shot", 12, 21),
    ("Driving Layup Shot", "Driving Layup", 1, 3),
    ("Layup Shot", "Layup", 1, 3),
    ("Cutting Dunk Shot", "Cutting Dunk Shot", 1, 2),
    ("Hook Shot", "Hook Shot", 4, 10),
    ("Driving Floating Jump Shot", "Driving Floating Jump Shot", 5, 12),
]
THREE_POINT_SHOTS = [
    ("Jump Shot", "Jump Shot", 23, 27),
    ("Pullup Jump shot", "Pullup Jump Shot", 24, 28),
    ("Step Back Jump shot", "Step Back Jump Shot", 24, 27),
]
TURNOVER_KINDS = ["Bad Pass", "Lost Ball", "Traveling", "Bad Pass", "Lost Ball"]


@dataclass
class PlayerLine:
    spot: RosterSpot
    starter: bool
    seconds: int = 0
    fgm: int = 0
    fga: int = 0
    fg3m: int = 0
    fg3a: int = 0
    ftm: int = 0
    fta: int = 0
    oreb: int = 0
    dreb: int = 0
    ast: int = 0
    stl: int = 0
    blk: int = 0
    tov: int = 0
    pf: int = 0
    pts: int = 0
    plus_minus: int = 0

    @property
    def played(self) -> bool:
        return self.seconds > 0

    @property
    def reb(self) -> int:
        return self.oreb + self.dreb


COUNT_FIELDS = (
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


def totals(lines: list[PlayerLine]) -> dict[str, int]:
    return {name: sum(getattr(line, name) for line in lines) for name in COUNT_FIELDS}


@dataclass
class TeamSide:
    team: Team
    is_home: bool
    lines: list[PlayerLine]
    inactive: list[RosterSpot]
    on_court: list[int] = field(default_factory=list)  # indexes into lines
    entered_at: dict[int, int] = field(default_factory=dict)
    period_fouls: int = 0
    turnovers: int = 0

    @property
    def location(self) -> str:
        return "h" if self.is_home else "v"


@dataclass
class GameResult:
    record: GameRecord
    home: TeamSide
    away: TeamSide
    actions: list[dict]
    officials: list[tuple]
    attendance: int
    duration_minutes: int

    def side(self, is_home: bool) -> TeamSide:
        return self.home if is_home else self.away


def format_minutes(seconds: int) -> str:
    """'MM:SS' as the V3 box scores write it (no zero padding on the minutes)."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def format_clock(seconds_left: float) -> str:
    whole = int(seconds_left)
    return f"PT{whole // 60:02d}M{whole % 60:02d}.00S"


def period_name(period: int) -> str:
    if period <= 4:
        return f"{period}{['st', 'nd', 'rd', 'th'][period - 1]} Period"
    ot = period - 4
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(ot, "th")
    return f"{ot}{suffix} OT"


def wall_clock(minutes_after_midnight: int) -> str:
    hour, minute = divmod(minutes_after_midnight % (24 * 60), 60)
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'PM' if hour >= 12 else 'AM'} EST"


class _Simulation:
    def __init__(self, season: Season, record: GameRecord):
        self.season = season
        self.record = record
        self.rng = random.Random(f"{season.league.seed}:{record.game_id}:events")
        self.allow_three = season.start_year >= 1979  # no 3-point line before 1979-80
        self.home = self._side(record.home_team_id, True)
        self.away = self._side(record.away_team_id, False)
        self.actions: list[dict] = []
        self.action_number = 1
        self.score = {True: 0, False: 0}
        self.elapsed_before_period = 0
        self.officials = self.rng.sample(OFFICIALS, 3)

    def _side(self, team_id: int, is_home: bool) -> TeamSide:
        roster = self.season.rosters[team_id]
        # Two of the deep bench sit out as inactive; everybody else is dressed.
        inactive_idx = set(self.rng.sample(range(10, len(roster)), 2))
        active = [spot for i, spot in enumerate(roster) if i not in inactive_idx]
        lines = [PlayerLine(spot=spot, starter=i < 5) for i, spot in enumerate(active)]
        # A little randomness in who plays: some nights a deep-bench player gets minutes.
        self_targets = [spot.minutes_target * self.rng.uniform(0.8, 1.2) for spot in active]
        for i in range(10, len(self_targets)):
            self_targets[i] = self.rng.choice([0, 0, 0, 6])
        side = TeamSide(
            team=TEAMS_BY_ID[team_id],
            is_home=is_home,
            lines=lines,
            inactive=[roster[i] for i in sorted(inactive_idx)],
        )
        side.targets = self_targets  # type: ignore[attr-defined]
        return side

    # ----- action output -------------------------------------------------------------
    def emit(self, period, clock, side, line, action_type, sub_type, description, **extra):
        scored = extra.pop("scored", False)
        same_number = extra.pop("same_number", False)
        if not same_number:
            self.action_number += self.rng.choice((1, 1, 1, 2, 3))
        player = line.spot.player if line is not None else None
        action = {
            "actionNumber": self.action_number,
            "clock": format_clock(clock),
            "period": period,
            "teamId": side.team.team_id if side is not None and player is not None else 0,
            "teamTricode": side.team.abbreviation if side is not None and player else "",
            "personId": player.person_id if player else 0,
            "playerName": player.last_name if player else "",
            "playerNameI": player.name_i if player else "",
            "xLegacy": 0,
            "yLegacy": 0,
            "shotDistance": 0,
            "shotResult": "",
            "isFieldGoal": 0,
            "scoreHome": str(self.score[True]) if scored else "",
            "scoreAway": str(self.score[False]) if scored else "",
            "pointsTotal": self.score[True] + self.score[False] if scored else 0,
            "location": side.location if side is not None else "",
            "description": description,
            "actionType": action_type,
            "subType": sub_type,
            "videoAvailable": 1,
            "shotValue": 0,
            "actionId": len(self.actions) + 1,
        }
        action.update(extra)
        self.actions.append(action)
        return action

    # ----- players on court ----------------------------------------------------------
    def now(self, period_length: int, clock: int) -> int:
        return self.elapsed_before_period + period_length - clock

    def substitute(self, side: TeamSide, out_idx: int, in_idx: int, t_abs: int) -> None:
        side.lines[out_idx].seconds += t_abs - side.entered_at.pop(out_idx)
        side.on_court[side.on_court.index(out_idx)] = in_idx
        side.entered_at[in_idx] = t_abs

    def rotate(self, side, period, length, clock, starters_back=False) -> None:
        t_abs = self.now(length, clock)

        def surplus(i):  # seconds played beyond this player's planned share so far
            on_since = side.entered_at.get(i)
            played = side.lines[i].seconds + (t_abs - on_since if on_since is not None else 0)
            return played - side.targets[i] * 60 * t_abs / 2880

        swaps = []
        if starters_back:
            wanted = list(range(5))
            outs = [i for i in side.on_court if i not in wanted]
            ins = [i for i in wanted if i not in side.on_court]
            swaps = list(zip(outs, ins, strict=False))
        else:
            for _ in range(self.rng.randint(1, 3)):
                bench = [i for i in range(len(side.lines)) if i not in side.on_court]
                bench = [i for i in bench if side.targets[i] > 0]
                if not bench:
                    break
                out_idx = max(side.on_court, key=surplus)
                in_idx = min(bench, key=surplus)
                if surplus(out_idx) - surplus(in_idx) < 90:
                    break
                self.substitute(side, out_idx, in_idx, t_abs)
                swaps.append((out_idx, in_idx, True))
        for swap in swaps:
            out_idx, in_idx = swap[0], swap[1]
            if len(swap) == 2:
                self.substitute(side, out_idx, in_idx, t_abs)
            out_line, in_line = side.lines[out_idx], side.lines[in_idx]
            self.emit(
                period,
                clock,
                side,
                out_line,
                "Substitution",
                "",
                f"SUB: {in_line.spot.player.last_name} FOR {out_line.spot.player.last_name}",
                videoAvailable=0,
            )

    def pick(self, side: TeamSide, weight) -> PlayerLine:
        lines = [side.lines[i] for i in side.on_court]
        return self.rng.choices(lines, weights=[weight(line) for line in lines])[0]

    def shooter(self, side):
        return self.pick(side, lambda line: line.spot.usage)

    def rebounder(self, side):
        return self.pick(side, lambda line: line.spot.rebounding)

    def defender(self, side):
        return self.pick(side, lambda line: 0.05 if line.pf >= 5 else 1.0)

    def credit_points(self, side: TeamSide, points: int) -> None:
        self.score[side.is_home] += points
        other = self.away if side.is_home else self.home
        for i in side.on_court:
            side.lines[i].plus_minus += points
        for i in other.on_court:
            other.lines[i].plus_minus -= points

    # ----- single events -------------------------------------------------------------
    def shot(self, period, clock, side, line, value, made, assist=None) -> None:
        kinds = THREE_POINT_SHOTS if value == 3 else TWO_POINT_SHOTS
        sub_type, words, lo, hi = self.rng.choice(kinds)
        distance = self.rng.randint(lo, hi)
        angle = self.rng.uniform(-1.45, 1.45)
        line.fga += 1
        if value == 3:
            line.fg3a += 1
        three = "3PT " if value == 3 else ""
        name = line.spot.player.last_name
        if made:
            line.fgm += 1
            line.pts += value
            if value == 3:
                line.fg3m += 1
            self.credit_points(side, value)
            description = f"{name} {distance}' {three}{words} ({line.pts} PTS)"
            if assist is not None:
                assist.ast += 1
                description += f" ({assist.spot.player.last_name} {assist.ast} AST)"
        else:
            description = f"MISS {name} {distance}' {three}{words}"
        self.emit(
            period,
            clock,
            side,
            line,
            "Made Shot" if made else "Missed Shot",
            sub_type,
            description,
            scored=made,
            shotResult="Made" if made else "Missed",
            isFieldGoal=1,
            shotDistance=distance,
            shotValue=value,
            xLegacy=round(10 * distance * math.sin(angle)),
            yLegacy=round(10 * distance * math.cos(angle)),
        )

    def rebound(self, period, clock, side, offensive: bool) -> None:
        line = self.rebounder(side)
        if offensive:
            line.oreb += 1
        else:
            line.dreb += 1
        self.emit(
            period,
            clock,
            side,
            line,
            "Rebound",
            "Unknown",
            f"{line.spot.player.last_name} REBOUND (Off:{line.oreb} Def:{line.dreb})",
        )

    def foul(self, period, clock, side, line, sub_type, code) -> None:
        line.pf += 1
        side.period_fouls += 1
        referee = self.rng.choice(self.officials)
        self.emit(
            period,
            clock,
            side,
            line,
            "Foul",
            sub_type,
            f"{line.spot.player.last_name} {code} (P{line.pf}.T{side.period_fouls}) "
            f"({referee[1][0]}.{referee[2]})",
        )

    def free_throw(self, period, clock, side, line, number, of, made) -> None:
        line.fta += 1
        name = line.spot.player.last_name
        if made:
            line.ftm += 1
            line.pts += 1
            self.credit_points(side, 1)
            description = f"{name} Free Throw {number} of {of} ({line.pts} PTS)"
        else:
            description = f"MISS {name} Free Throw {number} of {of}"
        self.emit(
            period,
            clock,
            side,
            line,
            "Free Throw",
            f"Free Throw {number} of {of}",
            description,
            scored=made,
        )

    def turnover(self, period, clock, side, defense, line=None, sub_type=None) -> None:
        line = line or self.shooter(side)
        sub_type = sub_type or self.rng.choice(TURNOVER_KINDS)
        line.tov += 1
        side.turnovers += 1
        self.emit(
            period,
            clock,
            side,
            line,
            "Turnover",
            sub_type,
            f"{line.spot.player.last_name} {sub_type.removesuffix(' Turnover')} Turnover "
            f"(P{line.tov}.T{side.turnovers})",
        )
        if sub_type in ("Bad Pass", "Lost Ball") and self.rng.random() < 0.55:
            thief = self.defender(defense)
            thief.stl += 1
            self.emit(
                period,
                clock,
                defense,
                thief,
                "",
                "",
                f"{thief.spot.player.last_name} STEAL ({thief.stl} STL)",
                same_number=True,
            )

    # ----- possessions ---------------------------------------------------------------
    def possession(self, period, end, kind, offense, defense) -> None:
        shot_kinds = ("2", "3", "and1", "miss2", "miss3")
        if self.rng.random() < 0.10:  # a non-shooting foul somewhere in the possession
            self.foul(period, end + 1, defense, self.defender(defense), "Personal", "P.FOUL")
        if kind in shot_kinds and self.rng.random() < 0.13:  # miss, offensive rebound
            value = 3 if self.allow_three and self.rng.random() < 0.35 else 2
            self.shot(period, end + 3, offense, self.shooter(offense), value, False)
            self.rebound(period, end + 2, offense, offensive=True)
        if kind in ("2", "3"):
            line = self.shooter(offense)
            value = int(kind)
            assist = None
            if self.rng.random() < (0.8 if value == 3 else 0.55):
                on_court = [offense.lines[i] for i in offense.on_court]
                others = [other for other in on_court if other is not line]
                assist = self.rng.choice(others)
            self.shot(period, end, offense, line, value, True, assist)
        elif kind == "and1":
            line = self.shooter(offense)
            self.shot(period, end, offense, line, 2, True)
            self.foul(period, end, defense, self.defender(defense), "Shooting", "S.FOUL")
            self.free_throw(period, end, offense, line, 1, 1, True)
        elif kind in ("ft2", "ft1", "ft0"):
            line = self.shooter(offense)
            self.foul(period, end, defense, self.defender(defense), "Shooting", "S.FOUL")
            made = {"ft2": [True, True], "ft0": [False, False]}.get(kind)
            if made is None:
                made = self.rng.choice([[True, False], [False, True]])
            self.free_throw(period, end, offense, line, 1, 2, made[0])
            self.free_throw(period, end, offense, line, 2, 2, made[1])
            if not made[1]:
                self.rebound(period, end, defense, offensive=False)
        elif kind in ("miss2", "miss3"):
            self.shot(period, end, offense, self.shooter(offense), int(kind[-1]), False)
            if self.rng.random() < 0.09:
                blocker = self.defender(defense)
                blocker.blk += 1
                self.emit(
                    period,
                    end,
                    defense,
                    blocker,
                    "",
                    "",
                    f"{blocker.spot.player.last_name} BLOCK ({blocker.blk} BLK)",
                )
            self.rebound(period, end, defense, offensive=False)
        elif kind == "ofoul":
            line = self.shooter(offense)
            self.foul(period, end, offense, line, "Offensive", "OFF.FOUL")
            self.turnover(period, end, offense, defense, line, "Offensive Foul Turnover")
        else:
            self.turnover(period, end, offense, defense)

    def scoring_plays(self, points: int) -> list[str]:
        plays = []
        while points > 0:
            r = self.rng.random()
            if points >= 3 and self.allow_three and r < 0.32:
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

    def empty_possession(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return "miss2"
        if r < 0.75:
            return "miss3" if self.allow_three else "miss2"
        if r < 0.93:
            return "to"
        return "ft0" if r < 0.97 else "ofoul"

    def period(self, period: int, home_points: int, away_points: int, first_offense) -> None:
        length = REGULATION_SECONDS if period <= 4 else OVERTIME_SECONDS
        self.home.period_fouls = self.away.period_fouls = 0
        start_time = self.record.tip_minutes + (period - 1) * 32
        self.emit(
            period,
            length,
            None,
            None,
            "period",
            "start",
            f"Start of {period_name(period)} ({wall_clock(start_time)})",
            scored=True,
            videoAvailable=0,
        )
        if period == 1:
            self.jump_ball(first_offense)
        elif period == 3 or period >= 5:
            for side in (self.home, self.away):
                self.rotate(side, period, length, length, starters_back=period == 3)
        plays = {True: self.scoring_plays(home_points), False: self.scoring_plays(away_points)}
        wanted = round(self.rng.gauss(24.0, 1.5) * length / REGULATION_SECONDS)
        count = max(len(plays[True]), len(plays[False]), wanted)
        for is_home in (True, False):
            plays[is_home] += [self.empty_possession() for _ in range(count - len(plays[is_home]))]
            self.rng.shuffle(plays[is_home])
        order = []
        offense_is_home = first_offense.is_home
        for _ in range(count):
            order += [offense_is_home, not offense_is_home]
        durations = self.possession_lengths(len(order), length)
        windows = {len(order) // 3, 2 * len(order) // 3}
        clock = length
        for index, is_home in enumerate(order):
            if index in windows:
                for side in (self.home, self.away):
                    self.rotate(side, period, length, clock)
            clock -= durations[index]
            offense = self.home if is_home else self.away
            defense = self.away if is_home else self.home
            self.possession(period, clock, plays[is_home].pop(), offense, defense)
            if index == len(order) // 2 and self.rng.random() < 0.8:
                self.timeout(period, clock, offense)
        self.elapsed_before_period += length
        self.emit(
            period,
            0,
            None,
            None,
            "period",
            "end",
            f"End of {period_name(period)} ({wall_clock(start_time + 28)})",
            scored=True,
        )

    def possession_lengths(self, count: int, length: int) -> list[int]:
        floor = 4
        spare = length - floor * count
        weights = [self.rng.expovariate(1.0) + 0.4 for _ in range(count)]
        total = sum(weights)
        lengths = [floor + int(spare * w / total) for w in weights]
        for i in range(length - sum(lengths)):
            lengths[i % count] += 1
        return lengths

    def timeout(self, period, clock, side) -> None:
        action = self.emit(
            period,
            clock,
            side,
            None,
            "Timeout",
            "Regular",
            f"{side.team.nickname.upper()} Timeout: Regular (Full 1 Short 0)",
            videoAvailable=0,
        )
        action["personId"] = side.team.team_id  # the real feed puts the team id here

    def jump_ball(self, winner: TeamSide) -> None:
        loser = self.away if winner.is_home else self.home
        winners = [winner.lines[i] for i in winner.on_court]
        losers = [loser.lines[i] for i in loser.on_court]
        jumper = max(winners, key=lambda line: line.spot.rebounding)
        other = max(losers, key=lambda line: line.spot.rebounding)
        tipped_to = self.rng.choice([line for line in winners if line is not jumper])
        self.emit(
            1,
            REGULATION_SECONDS,
            winner,
            jumper,
            "Jump Ball",
            "",
            f"Jump Ball {jumper.spot.player.last_name} vs. {other.spot.player.last_name}: "
            f"Tip to {tipped_to.spot.player.last_name}",
        )

    def run(self) -> GameResult:
        for side in (self.home, self.away):
            side.on_court = list(range(5))
            side.entered_at = {i: 0 for i in range(5)}
        tip_winner = self.home if self.rng.random() < 0.5 else self.away
        for index, (home_points, away_points) in enumerate(
            zip(self.record.home_periods, self.record.away_periods, strict=True)
        ):
            period = index + 1
            starts = (
                tip_winner
                if period in (1, 4) or period >= 5
                else (self.away if tip_winner.is_home else self.home)
            )
            self.period(period, home_points, away_points, starts)
        end = self.elapsed_before_period
        for side in (self.home, self.away):
            for i in list(side.on_court):
                side.lines[i].seconds += end - side.entered_at.pop(i)
            # Those who played first, in roster order; the DNPs last, like the real feed.
            side.lines.sort(key=lambda line: not line.played)
        return GameResult(
            record=self.record,
            home=self.home,
            away=self.away,
            actions=self.actions,
            officials=self.officials,
            attendance=self.rng.randint(15500, 20500),
            duration_minutes=self.rng.randint(128, 150) + 12 * self.record.overtimes,
        )


def simulate(season: Season, record: GameRecord) -> GameResult:
    """Play one game. Deterministic in (league seed, game id)."""
    return _Simulation(season, record).run()
