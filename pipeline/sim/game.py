"""One game played out player by player, and the box score counted from the same events.

plan.py has fixed what each possession comes to (a made 3, two free throws, a steal...).
Here the players do it: who is on the floor (substitutions by planned minutes), who shoots,
assists, rebounds, fouls and steals, and the play-by-play in the real playbyplayv3 style.
Every box-score number is counted from those same events, so play-by-play, box score and
the plan's team lines can never disagree.

Three random streams per game keep that cheap: the plan's, the players' (who does what,
substitutions) and the decorations' (action numbers, shot types and distances, referees,
timeouts). Counting a box score without the play-by-play (``actions=False``) skips the
decorations and draws exactly the same players, so both ways give the same lines.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from .league import TEAMS_BY_ID, GameRecord, RosterSpot, Season, Team
from .plan import TEAM_FIELDS, Cut, GamePlan, PeriodPlan, Possession, full_game_lines

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
PAINT_SHOTS = [
    ("Driving Layup Shot", "Driving Layup", 1, 3),
    ("Layup Shot", "Layup", 1, 3),
    ("Cutting Dunk Shot", "Cutting Dunk Shot", 1, 2),
    ("Hook Shot", "Hook Shot", 4, 8),
    ("Driving Floating Jump Shot", "Driving Floating Jump Shot", 5, 8),
]
MID_RANGE_SHOTS = [
    ("Jump Shot", "Jump Shot", 10, 22),
    ("Pullup Jump shot", "Pullup Jump Shot", 10, 21),
    ("Step Back Jump shot", "Step Back Jump Shot", 12, 21),
]
THREE_POINT_SHOTS = [
    ("Jump Shot", "Jump Shot", 23, 27),
    ("Pullup Jump shot", "Pullup Jump Shot", 24, 28),
    ("Step Back Jump shot", "Step Back Jump Shot", 24, 27),
]


@dataclass(slots=True)
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
    # for the misc, scoring and usage box scores
    pts_paint: int = 0
    pts_mid_range: int = 0
    pts_fast_break: int = 0
    pts_second_chance: int = 0
    pts_off_turnovers: int = 0
    opp_pts_paint: int = 0  # the other team's, while this player was on the floor
    opp_pts_fast_break: int = 0
    opp_pts_second_chance: int = 0
    opp_pts_off_turnovers: int = 0
    fouls_drawn: int = 0
    blocks_against: int = 0
    fg2m_assisted: int = 0
    fg3m_assisted: int = 0

    @property
    def played(self) -> bool:
        return self.seconds > 0

    @property
    def reb(self) -> int:
        return self.oreb + self.dreb


COUNT_FIELDS = TEAM_FIELDS  # what the box score's team statistics add up
DETAIL_FIELDS = tuple(name for name in PlayerLine.__slots__ if name not in ("spot", "starter"))


def totals(lines: list[PlayerLine], fields: tuple[str, ...] = COUNT_FIELDS) -> dict[str, int]:
    return {name: sum(getattr(line, name) for line in lines) for name in fields}


def counts(line: PlayerLine) -> dict[str, int]:
    return {name: getattr(line, name) for name in DETAIL_FIELDS}


@dataclass
class TeamSide:
    team: Team
    is_home: bool
    lines: list[PlayerLine]
    inactive: list[RosterSpot]
    targets: list[float] = field(default_factory=list)  # planned minutes, by line
    rotation: list[int] = field(default_factory=list)  # lines with minutes planned
    on_court: list[int] = field(default_factory=list)  # indexes into lines
    court: list[PlayerLine] = field(default_factory=list)  # the same, as lines
    entered_at: dict[int, int] = field(default_factory=dict)
    # The running score, by kind of points: a player's plus-minus and opponents' points
    # while on the floor are the change between the moments they come in and go out.
    scored: list[int] = field(default_factory=lambda: [0] * len(SCORE_KINDS))
    entered_with: dict[int, tuple] = field(default_factory=dict)
    period_fouls: int = 0
    turnovers: int = 0
    shot_weights: list[float] | None = None  # cumulative, for the players on court
    rebound_weights: list[float] | None = None
    defense_weights: list[float] | None = None

    @property
    def location(self) -> str:
        return "h" if self.is_home else "v"


@dataclass
class GameResult:
    record: GameRecord
    home: TeamSide
    away: TeamSide
    actions: list[dict] | None  # None when only the box score was counted
    officials: list[tuple]
    attendance: int
    duration_minutes: int
    periods: list[tuple[int, int]] = field(default_factory=list)  # (home, away) points
    cut: Cut | None = None  # where a live game stands; None once final

    def side(self, is_home: bool) -> TeamSide:
        return self.home if is_home else self.away


# What TeamSide.scored counts (points, then the kinds the misc box score shows).
SCORE_KINDS = ("points", "paint", "fast_break", "second_chance", "off_turnovers")


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


def _cumulative(weights) -> list[float]:
    return list(accumulate(weights))


class _Game:
    def __init__(self, season, record, plan, actions, cut, correction):
        seed = season.league.seed
        self.season = season
        self.record = record
        self.plan = plan
        self.cut = cut
        self.rng = random.Random(f"{seed}:{record.game_id}:players")
        self.random = self.rng.random
        self.deco = random.Random(f"{seed}:{record.game_id}:decorations")
        meta = random.Random(f"{seed}:{record.game_id}:meta")
        self.officials = meta.sample(OFFICIALS, 3)
        self.attendance = meta.randint(15500, 20500)
        self.duration = meta.randint(128, 150) + 12 * record.overtimes
        self.recording = actions
        self.actions: list[dict] = []
        self.action_number = 1
        self.score = {True: 0, False: 0}
        self.elapsed_before_period = 0
        self.home = self._side(record.home_team_id, True)
        self.away = self._side(record.away_team_id, False)
        # A stat correction: one of the home team's defensive rebounds, halfway through the
        # game, goes to a teammate on the floor instead. Nothing else changes.
        home_rebounds = full_game_lines(season, record)[0]["dreb"] if correction else 0
        self.corrected_rebound = home_rebounds // 2 if correction else -1
        self.home_dreb_seen = 0

    def _side(self, team_id: int, is_home: bool) -> TeamSide:
        roster = self.season.rosters[team_id]
        # Two of the deep bench sit out as inactive; everybody else is dressed.
        inactive_idx = set(self.rng.sample(range(10, len(roster)), 2))
        active = [spot for i, spot in enumerate(roster) if i not in inactive_idx]
        lines = [PlayerLine(spot=spot, starter=i < 5) for i, spot in enumerate(active)]
        # A little randomness in who plays: some nights a deep-bench player gets minutes.
        targets = [spot.minutes_target * self.rng.uniform(0.8, 1.2) for spot in active]
        for i in range(10, len(targets)):
            targets[i] = self.rng.choice([0, 0, 0, 6])
        return TeamSide(
            team=TEAMS_BY_ID[team_id],
            is_home=is_home,
            lines=lines,
            inactive=[roster[i] for i in sorted(inactive_idx)],
            targets=targets,
            rotation=[i for i, target in enumerate(targets) if target > 0],
        )

    # ----- action output (only when the play-by-play is wanted) ------------------------
    def emit(self, period, clock, side, line, action_type, sub_type, description, **extra):
        scored = extra.pop("scored", False)
        if not extra.pop("same_number", False):
            self.action_number += self.deco.choice((1, 1, 1, 2, 3))
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

    # ----- players on the floor -------------------------------------------------------
    def now(self, period_length: int, clock: int) -> int:
        return self.elapsed_before_period + period_length - clock

    def enter(self, side: TeamSide, index: int, t_abs: int) -> None:
        other = self.away if side.is_home else self.home
        side.entered_at[index] = t_abs
        side.entered_with[index] = (side.scored[0] - other.scored[0], *other.scored[1:])

    def leave(self, side: TeamSide, index: int, t_abs: int) -> None:
        other = self.away if side.is_home else self.home
        line = side.lines[index]
        line.seconds += t_abs - side.entered_at.pop(index)
        margin, paint, fast_break, second_chance, off_turnovers = side.entered_with.pop(index)
        now = other.scored
        line.plus_minus += side.scored[0] - now[0] - margin
        line.opp_pts_paint += now[1] - paint
        line.opp_pts_fast_break += now[2] - fast_break
        line.opp_pts_second_chance += now[3] - second_chance
        line.opp_pts_off_turnovers += now[4] - off_turnovers

    def substitute(self, side: TeamSide, out_idx: int, in_idx: int, t_abs: int) -> None:
        self.leave(side, out_idx, t_abs)
        self.enter(side, in_idx, t_abs)
        side.on_court[side.on_court.index(out_idx)] = in_idx
        side.court = [side.lines[i] for i in side.on_court]
        side.shot_weights = side.rebound_weights = side.defense_weights = None

    def rotate(self, side, period, length, clock, starters_back=False) -> None:
        t_abs = self.now(length, clock)
        # Seconds played beyond each player's planned share so far (a swap at t_abs leaves
        # everybody's unchanged, so once per rotation is enough).
        surplus = [
            line.seconds
            + (t_abs - side.entered_at[i] if i in side.entered_at else 0)
            - target * t_abs / 48
            for i, (line, target) in enumerate(zip(side.lines, side.targets, strict=True))
        ]

        swaps = []
        if starters_back:
            outs = [i for i in side.on_court if i >= 5]
            ins = [i for i in range(5) if i not in side.on_court]
            for out_idx, in_idx in zip(outs, ins, strict=False):
                self.substitute(side, out_idx, in_idx, t_abs)
                swaps.append((out_idx, in_idx))
        else:
            for _ in range(1 + int(self.random() * 3)):
                bench = [i for i in side.rotation if i not in side.on_court]
                if not bench:
                    break
                out_idx = max(side.on_court, key=surplus.__getitem__)
                in_idx = min(bench, key=surplus.__getitem__)
                if surplus[out_idx] - surplus[in_idx] < 90:
                    break
                self.substitute(side, out_idx, in_idx, t_abs)
                swaps.append((out_idx, in_idx))
        if self.recording:
            for out_idx, in_idx in swaps:
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

    # Weighted picks among the five on the floor, on cumulative weights kept per lineup
    # (the hottest code of a season's player game log: written out, not factored).
    def shooter(self, side: TeamSide) -> PlayerLine:
        weights = side.shot_weights
        if weights is None:
            weights = side.shot_weights = _cumulative([line.spot.usage for line in side.court])
        return side.court[bisect_right(weights, self.random() * weights[-1], 0, 4)]

    def rebounder(self, side: TeamSide) -> PlayerLine:
        weights = side.rebound_weights
        if weights is None:
            weights = side.rebound_weights = _cumulative(
                [line.spot.rebounding for line in side.court]
            )
        return side.court[bisect_right(weights, self.random() * weights[-1], 0, 4)]

    def defender(self, side: TeamSide) -> PlayerLine:
        """Anyone on the floor, but rarely somebody with five fouls."""
        weights = side.defense_weights
        if weights is None:
            weights = side.defense_weights = _cumulative(
                [0.05 if line.pf >= 5 else 1.0 for line in side.court]
            )
        return side.court[bisect_right(weights, self.random() * weights[-1], 0, 4)]

    def anyone_but(self, side: TeamSide, line: PlayerLine | None) -> PlayerLine:
        if line is None:
            return side.court[int(self.random() * 5)]
        others = [other for other in side.court if other is not line]
        return others[int(self.random() * 4)]

    def credit_points(self, side: TeamSide, line: PlayerLine, points: int, p, paint=False):
        """The score, and the kinds of points (the scorer's, and the team's running count)."""
        self.score[side.is_home] += points
        scored = side.scored
        scored[0] += points
        if paint:
            line.pts_paint += points
            scored[1] += points
        if p.fast_break:
            line.pts_fast_break += points
            scored[2] += points
        if p.putback:
            line.pts_second_chance += points
            scored[3] += points
        if p.off_turnover:
            line.pts_off_turnovers += points
            scored[4] += points

    # ----- single events --------------------------------------------------------------
    def shot(self, period, clock, p, side, line, value, made, assist=None) -> None:
        line.fga += 1
        if value == 3:
            line.fg3a += 1
        paint = value == 2 and p.paint and made
        if made:
            line.fgm += 1
            line.pts += value
            if value == 3:
                line.fg3m += 1
            if value == 2 and not paint:
                line.pts_mid_range += 2
            self.credit_points(side, line, value, p, paint)
            if assist is not None:
                assist.ast += 1
                if value == 3:
                    line.fg3m_assisted += 1
                else:
                    line.fg2m_assisted += 1
        if not self.recording:
            return
        if value == 3:
            kinds = THREE_POINT_SHOTS
        else:
            in_paint = p.paint if made or p.kind == "miss2" else self.deco.random() < 0.5
            kinds = PAINT_SHOTS if in_paint else MID_RANGE_SHOTS
        sub_type, words, lo, hi = self.deco.choice(kinds)
        distance = self.deco.randint(lo, hi)
        angle = self.deco.uniform(-1.45, 1.45)
        three = "3PT " if value == 3 else ""
        name = line.spot.player.last_name
        if made:
            description = f"{name} {distance}' {three}{words} ({line.pts} PTS)"
            if assist is not None:
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
            if side.is_home:
                if self.home_dreb_seen == self.corrected_rebound:
                    line = self.anyone_but_first(side, line)
                self.home_dreb_seen += 1
            line.dreb += 1
        if self.recording:
            self.emit(
                period,
                clock,
                side,
                line,
                "Rebound",
                "Unknown",
                f"{line.spot.player.last_name} REBOUND (Off:{line.oreb} Def:{line.dreb})",
            )

    @staticmethod
    def anyone_but_first(side: TeamSide, line: PlayerLine) -> PlayerLine:
        """The first teammate on the floor other than `line` (no random draw: a correction
        must not change anything else)."""
        return next(other for other in side.court if other is not line)

    def foul(self, period, clock, side, line, drawn_by, sub_type, code) -> None:
        line.pf += 1
        if line.pf == 5:
            side.defense_weights = None
        drawn_by.fouls_drawn += 1
        side.period_fouls += 1
        if self.recording:
            referee = self.deco.choice(self.officials)
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

    def free_throw(self, period, clock, p, side, line, number, of, made) -> None:
        line.fta += 1
        if made:
            line.ftm += 1
            line.pts += 1
            self.credit_points(side, line, 1, p)
        if not self.recording:
            return
        name = line.spot.player.last_name
        if made:
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

    def turnover(self, period, clock, p, side, defense, line) -> None:
        line.tov += 1
        side.turnovers += 1
        if self.recording:
            self.emit(
                period,
                clock,
                side,
                line,
                "Turnover",
                p.turnover,
                f"{line.spot.player.last_name} {p.turnover.removesuffix(' Turnover')} "
                f"Turnover (P{line.tov}.T{side.turnovers})",
            )
        if p.stolen:
            thief = self.defender(defense)
            thief.stl += 1
            if self.recording:
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

    # ----- possessions ----------------------------------------------------------------
    def possession(self, period, end, p: Possession, offense, defense) -> None:
        if p.foul_first:
            fouler, fouled = self.defender(defense), self.anyone_but(offense, None)
            self.foul(period, end + 1, defense, fouler, fouled, "Personal", "P.FOUL")
        if p.putback:
            self.shot(period, end + 3, p, offense, self.shooter(offense), p.putback, False)
            self.rebound(period, end + 2, offense, offensive=True)
        kind = p.kind
        if kind in ("2", "3"):
            line = self.shooter(offense)
            assist = self.anyone_but(offense, line) if p.assisted else None
            self.shot(period, end, p, offense, line, int(kind), True, assist)
        elif kind == "and1":
            line = self.shooter(offense)
            self.shot(period, end, p, offense, line, 2, True)
            self.foul(period, end, defense, self.defender(defense), line, "Shooting", "S.FOUL")
            self.free_throw(period, end, p, offense, line, 1, 1, True)
        elif kind in ("ft2", "ft1", "ft0"):
            line = self.shooter(offense)
            self.foul(period, end, defense, self.defender(defense), line, "Shooting", "S.FOUL")
            for number, made in enumerate(p.free_throws, start=1):
                self.free_throw(period, end, p, offense, line, number, 2, made)
            if not p.free_throws[-1]:
                self.rebound(period, end, defense, offensive=False)
        elif kind in ("miss2", "miss3"):
            line = self.shooter(offense)
            self.shot(period, end, p, offense, line, int(kind[-1]), False)
            if p.blocked:
                blocker = self.defender(defense)
                blocker.blk += 1
                line.blocks_against += 1
                if self.recording:
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
            drawn_by = self.defender(defense)
            self.foul(period, end, offense, line, drawn_by, "Offensive", "OFF.FOUL")
            self.turnover(period, end, p, offense, defense, line)
        else:
            self.turnover(period, end, p, offense, defense, self.shooter(offense))

    def period(self, plan: PeriodPlan) -> None:
        number, length = plan.number, plan.length
        self.home.period_fouls = self.away.period_fouls = 0
        start_time = self.record.tip_minutes + (number - 1) * 32
        if self.recording:
            self.emit(
                number,
                length,
                None,
                None,
                "period",
                "start",
                f"Start of {period_name(number)} ({wall_clock(start_time)})",
                scored=True,
                videoAvailable=0,
            )
        if number == 1:
            if self.recording:
                self.jump_ball(self.home if self.plan.tip_to_home else self.away)
        elif number == 3 or number >= 5:
            for side in (self.home, self.away):
                self.rotate(side, number, length, length, starters_back=number == 3)
        possessions = plan.possessions
        count = len(possessions)
        done = self.cut.done if self.cut and self.cut.period == number else count
        windows = {count // 3, 2 * count // 3}
        clock = length
        for index in range(done):
            if index in windows:
                for side in (self.home, self.away):
                    self.rotate(side, number, length, clock)
            p = possessions[index]
            clock -= p.seconds
            offense, defense = (self.home, self.away) if p.home else (self.away, self.home)
            self.possession(number, clock, p, offense, defense)
            if self.recording and index == count // 2 and self.deco.random() < 0.8:
                self.timeout(number, clock, offense)
        if done < count:  # live: the game stands here
            self.elapsed_before_period += length - clock
            return
        self.elapsed_before_period += length
        if self.recording:
            self.emit(
                number,
                0,
                None,
                None,
                "period",
                "end",
                f"End of {period_name(number)} ({wall_clock(start_time + 28)})",
                scored=True,
            )

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
        jumper = max(winner.court, key=lambda line: line.spot.rebounding)
        other = max(loser.court, key=lambda line: line.spot.rebounding)
        tipped_to = self.deco.choice([line for line in winner.court if line is not jumper])
        self.emit(
            1,
            720,
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
            side.court = side.lines[:5]
            for i in range(5):
                self.enter(side, i, 0)
        periods = []
        for period in self.plan.periods:
            before = (self.score[True], self.score[False])
            self.period(period)
            periods.append((self.score[True] - before[0], self.score[False] - before[1]))
            if self.cut is not None and period.number == self.cut.period:
                break
        end = self.elapsed_before_period
        for side in (self.home, self.away):
            for i in side.on_court:
                self.leave(side, i, end)
            # Those who played first, in roster order; the others last, like the real feed.
            side.lines.sort(key=lambda line: not line.played)
        return GameResult(
            record=self.record,
            home=self.home,
            away=self.away,
            actions=self.actions if self.recording else None,
            officials=self.officials,
            attendance=self.attendance,
            duration_minutes=self.duration,
            periods=periods,
            cut=self.cut,
        )


def simulate(
    season: Season,
    record: GameRecord,
    plan: GamePlan,
    *,
    actions: bool = True,
    cut: Cut | None = None,
    correction: bool = False,
) -> GameResult:
    """Play one game from its plan, up to `cut` if it is live. Deterministic in (league
    seed, game id, cut, correction). ``actions=False`` counts the box score only (same
    lines, several times faster)."""
    return _Game(season, record, plan, actions, cut, correction).run()
