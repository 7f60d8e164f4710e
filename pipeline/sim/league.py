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

# Seeds (0 = best) paired in bracket order, by bracket size; home games of the better seed,
# by the wins a series needs (2-2-1-1-1 in a best of 7).
BRACKETS = {2: [(0, 1)], 4: [(0, 3), (1, 2)], 8: [(0, 7), (3, 4), (2, 5), (1, 6)]}
HOME_GAMES = {2: (1, 3), 3: (1, 2, 5), 4: (1, 2, 5, 7)}
REGULAR, PLAYIN, PLAYOFFS, CUP = "Regular Season", "PlayIn", "Playoffs", "IST"
TYPE_CODE = {REGULAR: "2", PLAYIN: "5", PLAYOFFS: "4", CUP: "6"}
STATUS_SCHEDULED, STATUS_LIVE, STATUS_FINAL = 1, 2, 3
FIRST_SEASON = 1946  # 1946-47: the BAA's first season, which stats.nba.com counts as NBA
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

# The franchises that folded, with stats.nba.com's ids (its commonteamyears lists them as
# 1610610023-37 with MIN_YEAR/MAX_YEAR) and the seasons they played (start years, from
# basketball-reference.com's league index, https://www.basketball-reference.com/leagues/).
# A team that folded during a season (Washington Capitols in January 1951, Baltimore
# Bullets in November 1954) is left out of that season: its games were struck off.
# (id, abbreviation, city, nickname, first season, last season, conference)
DEFUNCT = (
    (1610610023, "AND", "Anderson", "Packers", 1949, 1949, "West"),
    (1610610024, "BLB", "Baltimore", "Bullets", 1947, 1953, "East"),
    (1610610025, "CHS", "Chicago", "Stags", 1946, 1949, "West"),
    (1610610026, "CLR", "Cleveland", "Rebels", 1946, 1946, "West"),
    (1610610027, "DNN", "Denver", "Nuggets", 1949, 1949, "West"),
    (1610610028, "DTF", "Detroit", "Falcons", 1946, 1946, "West"),
    (1610610029, "INJ", "Indianapolis", "Jets", 1948, 1948, "West"),
    (1610610030, "INO", "Indianapolis", "Olympians", 1949, 1952, "West"),
    (1610610031, "PIT", "Pittsburgh", "Ironmen", 1946, 1946, "West"),
    (1610610032, "PRO", "Providence", "Steamrollers", 1946, 1948, "East"),
    (1610610033, "SHE", "Sheboygan", "Red Skins", 1949, 1949, "West"),
    (1610610034, "STB", "St. Louis", "Bombers", 1946, 1949, "West"),
    (1610610035, "TRH", "Toronto", "Huskies", 1946, 1946, "East"),
    (1610610036, "WSC", "Washington", "Capitols", 1946, 1949, "East"),
    (1610610037, "WAT", "Waterloo", "Hawks", 1949, 1949, "West"),
)
# Today's franchises play from their static year_founded on, but for Charlotte: the Hornets
# moved to New Orleans in 2002 (today's Pelicans, founded 2002 in the static data) and
# Charlotte had no team in 2002-03 and 2003-04 (the Bobcats came in 2004-05).
_ABSENT = {1610612766: range(2002, 2004)}


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


# ----- the league's shape by season ----------------------------------------------------
# Games per team, from basketball-reference.com's season pages
# (https://www.basketball-reference.com/leagues/NBA_1950.html etc.). Where teams played
# unequal schedules (1949-50: 62 to 68; 1950-51: 66 to 68; 1952-53: 69 to 71; 2019-20: 63 to
# 67 before the pause) the simulator gives every team the most common count. (first season
# of the run, games per team); each row holds until the next.
_GAMES = (
    (1946, 60),
    (1947, 48),
    (1948, 60),
    (1949, 68),
    (1950, 66),
    (1952, 70),
    (1953, 72),
    (1959, 75),
    (1960, 79),
    (1961, 80),
    (1966, 81),
    (1967, 82),
    (1998, 50),  # lockout: 1998-99 opened on February 5, 1999
    (1999, 82),
    (2011, 66),  # lockout: 2011-12 opened on Christmas Day
    (2012, 82),
    (2019, 64),  # 2019-20 before the pause of March 11, 2020; then 8 games in Orlando
    (2020, 72),  # 2020-21 opened on December 22, 2020
    (2021, 82),
)
# Playoff teams and the wins that take a series, round by round (the last is the Finals),
# from the NBA playoffs' format history (https://en.wikipedia.org/wiki/NBA_playoffs#Format).
# The brackets are simplified: two halves, top seeds get the byes.
_PLAYOFFS = (
    (1946, 6, (2, 2, 4)),
    (1948, 8, (2, 2, 4)),
    (1949, 12, (2, 2, 2, 4)),
    (1950, 8, (2, 3, 4)),
    (1953, 6, (2, 3, 4)),
    (1957, 6, (2, 4, 4)),
    (1960, 6, (3, 4, 4)),
    (1966, 8, (3, 4, 4)),
    (1967, 8, (4, 4, 4)),
    (1974, 10, (2, 4, 4, 4)),
    (1976, 12, (2, 4, 4, 4)),
    (1983, 16, (3, 4, 4, 4)),  # 16 teams from 1983-84, first round best of 5
    (2002, 16, (4, 4, 4, 4)),  # first round best of 7 from 2002-03
)
# Points per team per quarter, by era (league averages from basketball-reference.com:
# about 68 a game in 1946-47, 90-100 once the shot clock came in 1954-55, 115 around 1960).
_QUARTER_POINTS = (
    (1946, 18.0),
    (1954, 24.0),
    (1958, 28.0),
    (1971, 26.5),
    (1976, 26.0),
    (2017, 27.5),
)
PLAY_IN_FIRST = 2020  # the play-in tournament, from 2020-21
CUP_FIRST = 2023  # the NBA Cup (In-Season Tournament), from 2023-24
BUBBLE = 2019  # 2019-20: paused on March 11, 2020, finished in Orlando


def _by_season(table, year: int):
    return [row for row in table if row[0] <= year][-1][1:]


@dataclass(frozen=True)
class Shape:
    """What a season looks like: schedule, playoff format, play-in and Cup."""

    year: int
    games: int  # per team, regular season
    playoff_teams: int
    series_wins: tuple[int, ...]  # wins that take a series, by round; the last is the Finals
    quarter_points: float

    @property
    def play_in(self) -> bool:
        return self.year >= PLAY_IN_FIRST

    @property
    def cup(self) -> bool:
        return self.year >= CUP_FIRST

    @property
    def dates(self) -> tuple[dt.date, dt.date]:
        """First and last day of the regular season."""
        year = self.year
        if year == 1998:
            return dt.date(1999, 2, 5), dt.date(1999, 5, 5)
        if year == 2011:
            return dt.date(2011, 12, 25), dt.date(2012, 4, 26)
        if year == BUBBLE:
            return dt.date(2019, 10, 22), dt.date(2020, 3, 11)
        if year == 2020:
            return dt.date(2020, 12, 22), dt.date(2021, 5, 16)
        if year < 1967:  # early seasons: November to March
            return dt.date(year, 11, 1), dt.date(year + 1, 3, 15)
        oct20 = dt.date(year, 10, 20)
        opening = oct20 + dt.timedelta(days=(1 - oct20.weekday()) % 7 + 1)  # a Tuesday
        return opening, dt.date(year + 1, 4, 13)


def shape(year: int) -> Shape:
    (games,) = _by_season(_GAMES, year)
    teams, wins = _by_season(_PLAYOFFS, year)
    (points,) = _by_season(_QUARTER_POINTS, year)
    return Shape(year, games, teams, wins, points)


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
    """Today's 30 franchises (nba_api's static data) and the 15 that folded (DEFUNCT)."""
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
    for team_id, abbr, city, nickname, first, _last, conf in DEFUNCT:
        full_name = f"{city} {nickname}"
        result.append(Team(team_id, abbr, nickname, city, full_name, first, conf, ""))
    return sorted(result, key=lambda t: t.team_id)


_DEFUNCT_SEASONS = {row[0]: range(row[4], row[5] + 1) for row in DEFUNCT}


def plays_in(team: Team, year: int) -> bool:
    """Did the franchise play the season starting in `year`?"""
    if team.team_id in _DEFUNCT_SEASONS:
        return year in _DEFUNCT_SEASONS[team.team_id]
    return team.year_founded <= year and year not in _ABSENT.get(team.team_id, ())


TEAMS = all_teams()
TEAMS_BY_ID = {t.team_id: t for t in TEAMS}
PLAYERS = [
    Player(p["id"], p["first_name"], p["last_name"], p["full_name"], p["is_active"])
    for p in static_players.get_players()
]
PLAYERS_BY_ID = {p.person_id: p for p in PLAYERS}


def career_window(player: Player, current_year: int) -> tuple[int, int]:
    """The first and last season a player can play in, guessed from the id scheme.

    stats.nba.com ids grew over time (legacy 76xxx-78xxx, alphabetical over every season
    to 1995, and 6000xx; then small ids in the 1990s, 2xxxxx from about 2007, 16xxxxx
    from 2015), which is good enough to field plausible historical rosters from real names
    (two legacy players in five play before the ABA merger, the others after). Rosters
    only draw a player inside his window, and the bios (FROM_YEAR, TO_YEAR, draft year)
    are this window, so they agree.
    """
    pid = player.person_id
    if player.is_active:  # rosters from last season on are active players only
        return (max(FIRST_SEASON, current_year - 1 - pid % 14), current_year + 1)
    if 76000 <= pid < 80000 and pid % 5 < 2 or 600000 <= pid < 700000:
        first, last = FIRST_SEASON, 1975
    elif 76000 <= pid < 80000:
        first, last = 1976, 1995
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
        self.shape = shape(start_year)
        self.rng = random.Random(f"{league.seed}:{self.name}:schedule")
        self.teams = [t for t in TEAMS if plays_in(t, start_year)]
        self.strength = {t.team_id: self.rng.gauss(0.0, 2.0) for t in self.teams}
        self.rosters = self._draw_rosters()
        self.games: list[GameRecord] = []
        self._build_regular_season()
        if self.shape.cup:
            self._build_cup_final()
        seeds = self._build_play_in() if self.shape.play_in else self._top_seeds()
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
        base = self.shape.quarter_points
        home = [max(12, round(self.rng.gauss(base + edge, 5.0))) for _ in range(4)]
        away = [max(12, round(self.rng.gauss(base - edge, 5.0))) for _ in range(4)]
        while sum(home) == sum(away):  # overtime until somebody leads
            home.append(max(2, round(self.rng.gauss(10.5, 3.0))))
            away.append(max(2, round(self.rng.gauss(10.5, 3.0))))
        return home, away

    def _game_id(self, type_code: str, number: int) -> str:
        return f"00{type_code}{self.start_year % 100:02d}{number:05d}"

    # ----- regular season ------------------------------------------------------------
    def _matchups(self, ids: list[int], games: int) -> list[tuple[int, int]]:
        """(home, away) pairs: each team `games` games, half at home (an odd count adds one
        round in which every team plays once)."""
        ids = list(ids)
        self.rng.shuffle(ids)
        n = len(ids)
        half, odd = divmod(games, 2)
        full, offsets = divmod(half, n - 1)
        pairs = [(h, a) for h in ids for a in ids if h != a] * full  # double round robins
        for offset in range(1, offsets + 1):  # circulant top-up, no repeated pair
            pairs += [(ids[i], ids[(i + offset) % n]) for i in range(n)]
        if odd:  # (every odd count in the table falls on an even number of teams)
            pairs += [(ids[i], ids[i + 1]) for i in range(0, n - 1, 2)]
        self.rng.shuffle(pairs)
        return pairs

    def _dated(self, pending, first: dt.date, last: dt.date) -> list[tuple]:
        """Spread the pairs over the days from first to last: (date, tip, home, away)."""
        days = (last - first).days + 1
        dated: list[tuple[dt.date, int, int, int]] = []
        day_index = 0
        played_yesterday: set[int] = set()
        cup_day = self._cup_final_date() if self.shape.cup else None
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
        return dated

    def _build_regular_season(self) -> None:
        first, last = self.shape.dates
        ids = [t.team_id for t in self.teams]
        dated = self._dated(self._matchups(ids, self.shape.games), first, last)
        records = {t.team_id: [0, 0] for t in self.teams}
        self._add_regular(dated, records, 1)
        if self.start_year == BUBBLE:
            # Orlando: the 22 teams still in the race played 8 seeding games each, from July
            # 30 to August 14, 2020, numbered on from 1231 (the ids of the 259 cancelled
            # games were never used: the first bubble game is 0021901231).
            ranked = sorted(ids, key=lambda t: (-records[t][0], -self.strength[t]))[:22]
            pairs = self._matchups(sorted(ranked), 8)
            dated = self._dated(pairs, dt.date(2020, 7, 30), dt.date(2020, 8, 14))
            self._add_regular(dated, records, 1231)
        self.standings = records

    def _add_regular(self, dated: list[tuple], records: dict, first_number: int) -> None:
        for number, (date, tip, home, away) in enumerate(dated, start=first_number):
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
        wanted = 10 if self.shape.play_in else self.shape.playoff_teams // 2
        if len(east) >= wanted and len(west) >= wanted:
            return [east, west]
        overall = self._ranked(None)  # small early leagues: two halves of one table
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

    def _after_regular_season(self, days: int) -> dt.date:
        """`days` after the regular season's planned end, or later if its last games ran
        over (a compressed schedule leaves fewer rest days)."""
        last = max(g.date for g in self.games if g.season_type == REGULAR)
        return max(self.shape.dates[1] + dt.timedelta(days=days), last + dt.timedelta(days - 1))

    def _build_play_in(self) -> list[list[int]]:
        start = self._after_regular_season(2)
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

    def _top_seeds(self) -> list[list[int]]:
        per_half = self.shape.playoff_teams // 2
        return [ranked[:per_half] for ranked in self._conferences()]

    def _series(self, round_no, series_no, high, low, first_day, needed=4) -> int:
        wins = {high: 0, low: 0}
        home_games = HOME_GAMES[needed]
        game_no = 0
        while max(wins.values()) < needed:
            game_no += 1
            home, away = (high, low) if game_no in home_games else (low, high)
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
                f"{'wins' if wins[leader] == needed else 'leads'} "
                f"{max(wins.values())}-{min(wins.values())}"
            )
        return max(wins, key=wins.get)

    def _playoff_start(self) -> dt.date:
        if self.start_year == BUBBLE:
            return dt.date(2020, 8, 17)  # after the seeding games (Finals ended October 11)
        return self._after_regular_season(6)

    def _build_playoffs(self, seeds: list[list[int]]) -> None:
        """Two halves (conferences, or one table split), each a bracket whose top seeds get
        byes when the half has fewer teams than slots; the halves' winners meet in the
        Finals. Series lengths follow the era (shape.series_wins)."""
        wins = self.shape.series_wins
        # The Finals are round 4 in the ids (004YY004SG) in every era, as the pipeline reads
        # them (no recorded body before 1995-96 says otherwise): a three-round era numbers
        # its rounds 2, 3, 4.
        skipped = 4 - len(wins)
        day = self._playoff_start()
        order = BRACKETS[2 ** (len(wins) - 1)]
        # (high, low) pairs in bracket order; None is a bye
        alive = [
            [tuple(half[i] if i < len(half) else None for i in pair) for pair in order]
            for half in seeds
        ]
        for round_no, needed in enumerate(wins[:-1], start=1):
            series_no = 0
            winners: list[list[int]] = [[], []]
            for half_index, pairs in enumerate(alive):
                for high, low in pairs:
                    if low is None or high is None:  # a bye
                        winners[half_index].append(high if low is None else low)
                        continue
                    if round_no > 1:
                        high, low = self._by_record(high, low)
                    first_day = day + dt.timedelta(days=series_no % 2)
                    winners[half_index].append(
                        self._series(round_no + skipped, series_no, high, low, first_day, needed)
                    )
                    series_no += 1
            alive = [list(zip(w[0::2], w[1::2], strict=False)) for w in winners]
            day += dt.timedelta(days=16 if round_no == 1 else 15)
        high, low = self._by_record(winners[0][0], winners[1][0])
        self._series(4, 0, high, low, day + dt.timedelta(days=2), wins[-1])

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
