"""The simulated league: teams, rosters and the schedule of a season, from (seed, season).

Everything here is cheap: a season's schedule, including every game's final line score, is
drawn without simulating the games event by event (``game.py`` does that lazily, and makes
the events add up to the line score chosen here). Knowing the scores up front lets the
schedule carry standings, play-in and playoff brackets whose winners agree with the games.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property

from nba_api.stats.static import players as static_players
from nba_api.stats.static import teams as static_teams

REGULAR, PLAYIN, PLAYOFFS, CUP = "Regular Season", "PlayIn", "Playoffs", "IST"
TYPE_CODE = {REGULAR: "2", PLAYIN: "5", PLAYOFFS: "4", CUP: "6"}
STATUS_SCHEDULED, STATUS_LIVE, STATUS_FINAL = 1, 2, 3
FIRST_SEASON = 1976  # 1976-77: first season after the ABA merger
GAMES_PER_TEAM = 82
ROSTER_SIZE = 15
ACTIVE_SIZE = 13  # players dressed per game; the other two are "inactive"

# Conference and division of each franchise (static data has no such columns).
_DIVISIONS = {
    "Atlantic": ("East", ["BOS", "BKN", "NYK", "PHI", "TOR"]),
    "Central": ("East", ["CHI", "CLE", "DET", "IND", "MIL"]),
    "Southeast": ("East", ["ATL", "CHA", "MIA", "ORL", "WAS"]),
    "Northwest": ("West", ["DEN", "MIN", "OKC", "POR", "UTA"]),
    "Pacific": ("West", ["GSW", "LAC", "LAL", "PHX", "SAC"]),
    "Southwest": ("West", ["DAL", "HOU", "MEM", "NOP", "SAS"]),
}
_CONF_DIV = {abbr: (conf, div) for div, (conf, abbrs) in _DIVISIONS.items() for abbr in abbrs}


@dataclass(frozen=True)
class Team:
    team_id: int
    abbreviation: str
    nickname: str
    city: str
    full_name: str
    year_founded: int
    conference: str
    division: str

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.nickname.lower()).strip("-")

    @property
    def arena(self) -> str:
        return f"{self.city} {self.nickname} Arena"


@dataclass(frozen=True)
class Player:
    person_id: int
    first_name: str
    last_name: str
    full_name: str
    is_active: bool

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.full_name.lower()).strip("-")

    @property
    def name_i(self) -> str:
        return f"{self.first_name[:1]}. {self.last_name}" if self.first_name else self.last_name


@dataclass
class RosterSpot:
    player: Player
    jersey: str
    position: str  # G, F or C
    usage: float  # share of shots
    rebounding: float  # share of rebounds
    minutes_target: float  # planned minutes per game; 0 = deep bench


@dataclass
class GameRecord:
    """One game of the schedule. Scores are fixed here; game.py fills in the events."""

    game_id: str
    date: dt.date
    season_type: str
    home_team_id: int
    away_team_id: int
    home_periods: list[int]
    away_periods: list[int]
    tip_minutes: int  # local tip-off, minutes after midnight Eastern
    status: int = STATUS_FINAL
    home_wins: int = 0  # record after this game (the API's wins/losses)
    home_losses: int = 0
    away_wins: int = 0
    away_losses: int = 0
    series_text: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def home_score(self) -> int:
        return sum(self.home_periods)

    @property
    def away_score(self) -> int:
        return sum(self.away_periods)

    @property
    def periods(self) -> int:
        return len(self.home_periods)

    @property
    def overtimes(self) -> int:
        return self.periods - 4

    @property
    def winner_id(self) -> int:
        return self.home_team_id if self.home_score > self.away_score else self.away_team_id

    @property
    def is_final(self) -> bool:
        return self.status == STATUS_FINAL

    @property
    def is_live(self) -> bool:
        return self.status == STATUS_LIVE

    @property
    def has_started(self) -> bool:
        """Final or live: the API knows the game. Later games do not exist there yet."""
        return self.status != STATUS_SCHEDULED


def season_start_year(season: str) -> int:
    """'2024-25' -> 2024. Raises ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", season or "")
    if not match:
        raise ValueError(f"bad season {season!r}")
    year = int(match.group(1))
    if (year + 1) % 100 != int(match.group(2)):
        raise ValueError(f"bad season {season!r}")
    return year


def season_string(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def all_teams() -> list[Team]:
    result = []
    for row in static_teams.get_teams():
        conf, div = _CONF_DIV[row["abbreviation"]]
        result.append(
            Team(
                team_id=row["id"],
                abbreviation=row["abbreviation"],
                nickname=row["nickname"],
                city=row["city"],
                full_name=row["full_name"],
                year_founded=row["year_founded"],
                conference=conf,
                division=div,
            )
        )
    return sorted(result, key=lambda t: t.team_id)


TEAMS = all_teams()
TEAMS_BY_ID = {t.team_id: t for t in TEAMS}
PLAYERS = [
    Player(p["id"], p["first_name"], p["last_name"], p["full_name"], p["is_active"])
    for p in static_players.get_players()
]
PLAYERS_BY_ID = {p.person_id: p for p in PLAYERS}


def career_window(player: Player, current_year: int) -> tuple[int, int]:
    """The first and last season a player can play in, guessed from the id scheme.

    stats.nba.com ids grew over time (legacy 76xxx-78xxx, then small ids in the 1990s,
    2xxxxx from about 2007, 16xxxxx from 2015), which is good enough to field plausible
    historical rosters from real names. Rosters only draw a player inside his window, and
    the bios (FROM_YEAR, TO_YEAR, draft year) are this window, so they agree.
    """
    pid = player.person_id
    if player.is_active:  # rosters from last season on are active players only
        return (max(FIRST_SEASON, current_year - 1 - pid % 14), current_year + 1)
    if 76000 <= pid < 80000:
        first, last = FIRST_SEASON, 1995
    elif pid < 3000:
        first, last = 1985, 2008
    elif pid < 200000:
        first, last = 2000, 2016
    elif pid < 1626000:
        first, last = 2006, 2021
    else:
        first, last = 2015, current_year
    return (first + pid % 3, last - pid % 2)


def current_year() -> int:
    today = dt.date.today()
    return today.year if today.month >= 9 else today.year - 1


class League:
    """All seasons of one simulated league. ``League(seed).season("2024-25")``.

    ``today`` (a date, default the real current date) decides which games are final
    (status 3, before today), live (status 2, today) and still to be played (status 1).
    """

    def __init__(self, seed: int = 0, today: dt.date | None = None):
        self.seed = seed
        self.today = today or dt.date.today()
        self._seasons: dict[str, Season] = {}
        self._lock = threading.Lock()

    def season(self, season: str) -> Season:
        year = season_start_year(season)
        if year < FIRST_SEASON or year > max(current_year(), self.today.year) + 1:
            raise KeyError(season)
        with self._lock:
            if season not in self._seasons:
                self._seasons[season] = Season(self, year)
            return self._seasons[season]

    def season_of_game(self, game_id: str) -> Season | None:
        """The season a game id belongs to (None if the id is malformed)."""
        if not re.fullmatch(r"00[1-6]\d{7}", game_id or ""):
            return None
        yy = int(game_id[3:5])
        year = 1900 + yy if yy >= 46 else 2000 + yy
        try:
            return self.season(season_string(year))
        except (KeyError, ValueError):
            return None

    def game(self, game_id: str) -> GameRecord | None:
        season = self.season_of_game(game_id)
        return season.games_by_id.get(game_id) if season else None


class Season:
    def __init__(self, league: League, start_year: int):
        self.league = league
        self.start_year = start_year
        self.name = season_string(start_year)
        self.rng = random.Random(f"{league.seed}:{self.name}:schedule")
        self.teams = [t for t in TEAMS if t.year_founded <= start_year]
        self.strength = {t.team_id: self.rng.gauss(0.0, 2.0) for t in self.teams}
        self.rosters = self._draw_rosters()
        self.games: list[GameRecord] = []
        self._build_regular_season()
        if start_year >= 2023:
            self._build_cup_final()
        seeds = self._build_play_in() if start_year >= 2020 else self._top_eight()
        self._build_playoffs(seeds)
        self.games.sort(key=lambda g: (g.date, g.tip_minutes, g.game_id))
        self._apply_today(league.today)
        self.games_by_id = {g.game_id: g for g in self.games}

    # ----- rosters -------------------------------------------------------------------
    def _draw_rosters(self) -> dict[int, list[RosterSpot]]:
        current = current_year()
        pool = [
            p for p in PLAYERS if (w := career_window(p, current))[0] <= self.start_year <= w[1]
        ]
        if self.start_year >= current - 1:  # recent seasons: today's active players
            pool = [p for p in pool if p.is_active]
        else:
            pool = [p for p in pool if not p.is_active] or pool
        pool.sort(key=lambda p: p.person_id)
        self.rng.shuffle(pool)
        rosters = {}
        for index, team in enumerate(self.teams):
            chosen = pool[index * ROSTER_SIZE : (index + 1) * ROSTER_SIZE]
            rosters[team.team_id] = self._roster_spots(chosen)
        return rosters

    def _roster_spots(self, chosen: list[Player]) -> list[RosterSpot]:
        # Starters first (G G F F C), then the rotation, then the deep bench.
        positions = ["G", "G", "F", "F", "C"] + [self.rng.choice("GFC") for _ in chosen[5:]]
        minutes = [34, 33, 32, 30, 29, 24, 20, 17, 12, 9, 0, 0, 0, 0, 0]
        jerseys = self.rng.sample(range(0, 100), len(chosen))
        spots = []
        for i, player in enumerate(chosen):
            pos = positions[i]
            spots.append(
                RosterSpot(
                    player=player,
                    jersey=str(jerseys[i]),
                    position=pos,
                    usage=self.rng.uniform(0.6, 1.4) * (1.5 if i < 5 else 1.0),
                    rebounding={"G": 0.6, "F": 1.0, "C": 1.6}[pos] * self.rng.uniform(0.7, 1.3),
                    minutes_target=minutes[i] if i < len(minutes) else 0,
                )
            )
        return spots

    def team_of_player(self, person_id: int) -> int | None:
        for team_id, spots in self.rosters.items():
            if any(s.player.person_id == person_id for s in spots):
                return team_id
        return None

    # ----- scores --------------------------------------------------------------------
    def _line_score(self, home_id: int, away_id: int) -> tuple[list[int], list[int]]:
        edge = (self.strength[home_id] - self.strength[away_id]) / 4 + 0.4
        base = 27.5 if self.start_year >= 2017 else 26.0
        home = [max(12, round(self.rng.gauss(base + edge, 5.0))) for _ in range(4)]
        away = [max(12, round(self.rng.gauss(base - edge, 5.0))) for _ in range(4)]
        while sum(home) == sum(away):  # overtime until somebody leads
            home.append(max(2, round(self.rng.gauss(10.5, 3.0))))
            away.append(max(2, round(self.rng.gauss(10.5, 3.0))))
        return home, away

    def _game_id(self, type_code: str, number: int) -> str:
        return f"00{type_code}{self.start_year % 100:02d}{number:05d}"

    # ----- regular season ------------------------------------------------------------
    def _matchups(self) -> list[tuple[int, int]]:
        """(home, away) pairs: each team 41 home and 41 away games."""
        ids = [t.team_id for t in self.teams]
        self.rng.shuffle(ids)
        n = len(ids)
        pairs = [(h, a) for h in ids for a in ids if h != a]  # double round robin
        extra_per_team = GAMES_PER_TEAM // 2 - (n - 1)
        for offset in range(1, extra_per_team + 1):  # circulant top-up, no repeated pair
            pairs += [(ids[i], ids[(i + offset) % n]) for i in range(n)]
        self.rng.shuffle(pairs)
        return pairs

    def _regular_season_dates(self) -> tuple[dt.date, dt.date]:
        oct20 = dt.date(self.start_year, 10, 20)
        opening = oct20 + dt.timedelta(days=(1 - oct20.weekday()) % 7 + 1)  # a Tuesday
        return opening, dt.date(self.start_year + 1, 4, 13)

    def _build_regular_season(self) -> None:
        pending = self._matchups()
        first, last = self._regular_season_dates()
        days = (last - first).days + 1
        dated: list[tuple[dt.date, int, int, int]] = []
        day_index = 0
        played_yesterday: set[int] = set()
        cup_day = self._cup_final_date() if self.start_year >= 2023 else None
        while pending:
            date = first + dt.timedelta(days=day_index)
            if date == cup_day:  # the Cup final is the only game that night
                day_index += 1
                continue
            days_left = max(1, days - day_index)
            quota = -(-len(pending) // days_left) + self.rng.randint(0, 3)
            busy: set[int] = set()
            leftover = []
            for home, away in pending:
                free = home not in busy and away not in busy
                rested = days_left <= 3 or not {home, away} & played_yesterday
                if len(busy) < 2 * quota and free and rested:
                    busy.update((home, away))
                    tip = self.rng.choice([19 * 60, 19 * 60 + 30, 20 * 60, 22 * 60])
                    dated.append((date, tip, home, away))
                else:
                    leftover.append((home, away))
            pending = leftover
            played_yesterday = busy
            day_index += 1
        dated.sort(key=lambda row: (row[0], row[1], row[2]))
        records = {t.team_id: [0, 0] for t in self.teams}
        for number, (date, tip, home, away) in enumerate(dated, start=1):
            home_periods, away_periods = self._line_score(home, away)
            game = GameRecord(
                game_id=self._game_id("2", number),
                date=date,
                season_type=REGULAR,
                home_team_id=home,
                away_team_id=away,
                home_periods=home_periods,
                away_periods=away_periods,
                tip_minutes=tip,
            )
            self._count_result(game, records)
            self.games.append(game)
        self.standings = records

    @staticmethod
    def _count_result(game: GameRecord, records: dict[int, list[int]]) -> None:
        home, away = game.home_team_id, game.away_team_id
        if game.home_score > game.away_score:
            records[home][0] += 1
            records[away][1] += 1
        else:
            records[away][0] += 1
            records[home][1] += 1
        game.home_wins, game.home_losses = records[home]
        game.away_wins, game.away_losses = records[away]

    def _ranked(self, conference: str | None) -> list[int]:
        teams = [t for t in self.teams if conference is None or t.conference == conference]
        return [
            t.team_id
            for t in sorted(
                teams, key=lambda t: (-self.standings[t.team_id][0], -self.strength[t.team_id])
            )
        ]

    def _conferences(self) -> list[list[int]]:
        east, west = self._ranked("East"), self._ranked("West")
        if len(east) >= 10 and len(west) >= 10:
            return [east, west]
        overall = self._ranked(None)  # small early leagues: two brackets from the top 16
        return [overall[0::2], overall[1::2]]

    # ----- cup, play-in, playoffs ----------------------------------------------------
    def _cup_final_date(self) -> dt.date:
        dec = dt.date(self.start_year, 12, 14)
        return dec + dt.timedelta(days=(1 - dec.weekday()) % 7)  # a Tuesday, mid December

    def _build_cup_final(self) -> None:
        east, west = self._ranked("East"), self._ranked("West")
        home = self.rng.choice(east[:4])
        away = self.rng.choice(west[:4])
        if self.rng.random() < 0.5:
            home, away = away, home
        date = self._cup_final_date()
        home_periods, away_periods = self._line_score(home, away)
        self.games.append(
            GameRecord(
                game_id=self._game_id("6", 1),
                date=date,
                season_type=CUP,
                home_team_id=home,
                away_team_id=away,
                home_periods=home_periods,
                away_periods=away_periods,
                tip_minutes=20 * 60 + 30,
                series_text="NBA Cup Final",
            )
        )

    def _single_game(self, code: str, number: int, date, home, away, label) -> GameRecord:
        home_periods, away_periods = self._line_score(home, away)
        record = self.standings
        game = GameRecord(
            game_id=self._game_id(code, number),
            date=date,
            season_type=PLAYIN if code == "5" else PLAYOFFS,
            home_team_id=home,
            away_team_id=away,
            home_periods=home_periods,
            away_periods=away_periods,
            tip_minutes=self.rng.choice([19 * 60, 19 * 60 + 30, 21 * 60 + 30]),
            home_wins=record[home][0],
            home_losses=record[home][1],
            away_wins=record[away][0],
            away_losses=record[away][1],
            series_text=label,
        )
        self.games.append(game)
        return game

    def _build_play_in(self) -> list[list[int]]:
        start = dt.date(self.start_year + 1, 4, 15)
        seeds = []
        number = 1
        for conf_index, ranked in enumerate(self._conferences()):
            s7, s8, s9, s10 = ranked[6:10]
            day = start + dt.timedelta(days=conf_index)
            first = self._single_game("5", number, day, s7, s8, "Play-In Tournament")
            second = self._single_game("5", number + 1, day, s9, s10, "Play-In Tournament")
            number += 2
            loser_78 = s8 if first.winner_id == s7 else s7
            decider = self._single_game(
                "5",
                0,
                day + dt.timedelta(days=2),
                loser_78,
                second.winner_id,
                "Play-In Tournament",
            )
            seeds.append(ranked[:6] + [first.winner_id, decider.winner_id])
        # Number the deciders after the first four, in date order, like the real ids.
        deciders = [g for g in self.games if g.game_id.endswith("00000")]
        for offset, game in enumerate(deciders):
            game.game_id = self._game_id("5", number + offset)
        return seeds

    def _top_eight(self) -> list[list[int]]:
        return [ranked[:8] for ranked in self._conferences()]

    def _series(self, round_no, series_no, high, low, first_day) -> int:
        wins = {high: 0, low: 0}
        game_no = 0
        while max(wins.values()) < 4:
            game_no += 1
            home, away = (high, low) if game_no in (1, 2, 5, 7) else (low, high)
            date = first_day + dt.timedelta(days=2 * (game_no - 1))
            game = self._single_game("4", 0, date, home, away, f"Round {round_no}")
            game.game_id = f"004{self.start_year % 100:02d}00{round_no}{series_no}{game_no}"
            game.extra = {"round": round_no, "series": series_no, "game": game_no}
            wins[game.winner_id] += 1
            leader = max(wins, key=wins.get)
            game.series_text = (
                f"Series tied {wins[high]}-{wins[low]}"
                if wins[high] == wins[low]
                else f"{TEAMS_BY_ID[leader].abbreviation} "
                f"{'wins' if wins[leader] == 4 else 'leads'} "
                f"{max(wins.values())}-{min(wins.values())}"
            )
        return max(wins, key=wins.get)

    def _build_playoffs(self, seeds: list[list[int]]) -> None:
        day = dt.date(self.start_year + 1, 4, 19)
        bracket_order = [(0, 7), (3, 4), (2, 5), (1, 6)]  # 1v8, 4v5, 3v6, 2v7
        alive = [[(conf[a], conf[b]) for a, b in bracket_order] for conf in seeds]
        series_no = 0
        winners: list[list[int]] = [[], []]
        for conf_index, pairs in enumerate(alive):
            for high, low in pairs:
                first_day = day + dt.timedelta(days=series_no % 2)
                winners[conf_index].append(self._series(1, series_no, high, low, first_day))
                series_no += 1
        round_no = 2
        day += dt.timedelta(days=16)
        while len(winners[0]) > 1:
            series_no = 0
            next_winners: list[list[int]] = [[], []]
            for conf_index in (0, 1):
                teams = winners[conf_index]
                for i in range(0, len(teams), 2):
                    high, low = self._by_record(teams[i], teams[i + 1])
                    first_day = day + dt.timedelta(days=series_no % 2)
                    next_winners[conf_index].append(
                        self._series(round_no, series_no, high, low, first_day)
                    )
                    series_no += 1
            winners = next_winners
            round_no += 1
            day += dt.timedelta(days=15)
        high, low = self._by_record(winners[0][0], winners[1][0])
        self._series(4, 0, high, low, day + dt.timedelta(days=2))

    def _by_record(self, a: int, b: int) -> tuple[int, int]:
        return (a, b) if self.standings[a][0] >= self.standings[b][0] else (b, a)

    def _apply_today(self, today: dt.date) -> None:
        """Earlier games are final, today's are being played, later ones are scheduled."""
        for game in self.games:
            if game.date < today:
                game.status = STATUS_FINAL
            else:
                game.status = STATUS_LIVE if game.date == today else STATUS_SCHEDULED

    # ----- queries -------------------------------------------------------------------
    @cached_property
    def game_days(self) -> list[dt.date]:
        return sorted({g.date for g in self.games})

    def played(self, season_type: str | None = None) -> list[GameRecord]:
        return [
            g
            for g in self.games
            if g.is_final and (season_type is None or g.season_type == season_type)
        ]
