"""Answer an API request: ``Responder(league).answer(endpoint, params) -> Reply``.

The bodies come from pipeline/sim/renderers, one function per endpoint registered under its
path name. The Responder holds what they share: the league, the games simulated so far, and
the season-level numbers, each computed once per season under that season's lock:
- team lines (game finder, team game log, schedule scores) from the games' plans, without
  playing them out: a full season in a fraction of a second;
- player lines (player game log, schedule points leaders) from playing the games out without
  their play-by-play: about a millisecond a game, nothing for a game already played for its
  box score or play-by-play.
Season-level replies are kept whole (today is fixed, so they never change).

Stat corrections: ``corrections={game_id: date}``; from that date on (``league.today``), the
game's box scores, play-by-play and game-log rows carry the corrected numbers.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import replace

from .game import GameResult, simulate, totals
from .league import GameRecord, League, Season, season_string
from .plan import Cut, draw_plan, full_game_lines, live_cut
from .renderers import (  # noqa: F401  (registers each renderer)
    box_scores,
    entities,
    play_by_play,
    rotation,
    season_lists,
    shots,
    summary,
    tracking,
    win_probability,
)
from .renderers.common import BadRequest, NotFound, Reply, game_id, pct
from .renderers.registry import RENDERERS

__all__ = ["Responder", "Reply", "pct"]

SEASONS_KEPT = 6  # season-level caches kept (a few MB each); older ones are recomputed
SEASON_LEVEL = {"leaguegamefinder", "leaguegamelog", "scheduleleaguev2", "playerindex"}
REPLIES_KEPT = 16  # season-level replies kept whole: a player log's rows take a while


class _SeasonCache:
    def __init__(self):
        # Two locks: a game finder need not wait for a season's player lines.
        self.team_lock = threading.Lock()
        self.team_lines: dict[str, tuple[dict, dict]] = {}
        self.player_lock = threading.Lock()
        self.player_lines: dict[str, GameResult] = {}  # without actions


class Responder:
    """Answers API requests from a League. Thread-safe."""

    def __init__(
        self,
        league: League,
        cache_size: int = 256,
        corrections: dict[str, dt.date | str] | None = None,
    ):
        self.league = league
        self.cache_size = cache_size
        self.corrections = {
            game: dt.date.fromisoformat(day) if isinstance(day, str) else day
            for game, day in (corrections or {}).items()
        }
        self._games: OrderedDict[str, GameResult] = OrderedDict()  # LRU, with actions
        self._seasons: OrderedDict[str, _SeasonCache] = OrderedDict()
        self._replies: OrderedDict[tuple, Reply] = OrderedDict()  # LRU, season-level
        self._lock = threading.Lock()

    # ----- dispatch -------------------------------------------------------------------
    def answer(self, endpoint: str, params: dict) -> Reply:
        endpoint = endpoint.lower()
        renderer = RENDERERS.get(endpoint)
        if renderer is None:
            return Reply(404, "The requested resource does not exist.")
        key = (endpoint, tuple(sorted(params.items())))
        with self._lock:
            reply = self._replies.get(key)
        if reply is not None:
            return reply
        try:
            reply = renderer(self, params)
        except BadRequest as error:
            return Reply(400, str(error))
        except NotFound as error:
            return Reply(404, str(error))
        if endpoint in SEASON_LEVEL:  # the same answer all day (today is fixed)
            with self._lock:
                self._replies[key] = reply
                while len(self._replies) > REPLIES_KEPT:
                    self._replies.popitem(last=False)
        return reply

    # ----- lookups --------------------------------------------------------------------
    def season(self, name: str) -> Season:
        try:
            return self.league.season(name)
        except (KeyError, ValueError):
            raise NotFound(f"No data for Season {name}.") from None

    def current_season(self) -> Season:
        """The season today belongs to (a new one starts in September)."""
        today = self.league.today
        return self.season(season_string(today.year if today.month >= 9 else today.year - 1))

    def game_record(self, params: dict) -> tuple[Season, GameRecord]:
        """The game of ``GameID``; 404 for an unknown id and for a game not played yet."""
        wanted = game_id(params)
        season = self.league.season_of_game(wanted)
        record = season.games_by_id.get(wanted) if season else None
        if record is None or not record.has_started:
            raise NotFound(f"No game found for GameID {wanted}.")
        return season, record

    def corrected(self, record: GameRecord) -> bool:
        day = self.corrections.get(record.game_id)
        return record.is_final and day is not None and self.league.today >= day

    def cut(self, record: GameRecord) -> Cut | None:
        """Where a live game stands (None unless it is live)."""
        if not record.is_live:
            return None
        season = self.league.season_of_game(record.game_id)
        return live_cut(season, draw_plan(season, record))

    # ----- one game -------------------------------------------------------------------
    def game(self, record: GameRecord) -> GameResult:
        """The game with its play-by-play (kept in an LRU of cache_size games)."""
        with self._lock:
            cached = self._games.get(record.game_id)
            if cached is not None:
                self._games.move_to_end(record.game_id)
                return cached
        result = self._play(record, actions=True)
        with self._lock:
            self._games[record.game_id] = result
            while len(self._games) > self.cache_size:
                self._games.popitem(last=False)
        # Its lines serve the season's player log later (a backfill fetches every game's box
        # score first, so the log then costs nothing). A plain dict store: no lock to wait on.
        season = self.league.season_of_game(record.game_id)
        lines = self._season_cache(season).player_lines
        lines.setdefault(record.game_id, replace(result, actions=None))
        return result

    def _play(self, record: GameRecord, actions: bool) -> GameResult:
        season = self.league.season_of_game(record.game_id)
        plan = draw_plan(season, record)
        cut = live_cut(season, plan) if record.is_live else None
        return simulate(
            season, record, plan, actions=actions, cut=cut, correction=self.corrected(record)
        )

    # ----- season level ---------------------------------------------------------------
    def _season_cache(self, season: Season) -> _SeasonCache:
        with self._lock:
            cache = self._seasons.get(season.name)
            if cache is None:
                cache = self._seasons[season.name] = _SeasonCache()
            self._seasons.move_to_end(season.name)
            while len(self._seasons) > SEASONS_KEPT:
                self._seasons.popitem(last=False)
            return cache

    def team_lines(self, season: Season, records: list[GameRecord]) -> dict[str, tuple]:
        """game id -> (home, away) team lines, for games that have started."""
        cache = self._season_cache(season)
        with cache.team_lock:
            for record in records:
                if record.game_id not in cache.team_lines:
                    cache.team_lines[record.game_id] = self._team_lines(season, record)
            return {r.game_id: cache.team_lines[r.game_id] for r in records}

    def _team_lines(self, season: Season, record: GameRecord) -> tuple[dict, dict]:
        if record.is_final:
            return full_game_lines(season, record)  # a correction leaves team totals alone
        live = self._play(record, actions=False)  # the score so far: a handful of games a day
        home, away = (totals(side.lines) for side in (live.home, live.away))
        home["plus_minus"], away["plus_minus"] = (
            home["pts"] - away["pts"],
            away["pts"] - home["pts"],
        )
        return home, away

    def player_lines(self, season: Season, records: list[GameRecord]) -> dict[str, GameResult]:
        """game id -> the game's lines, without play-by-play, for games that have started."""
        cache = self._season_cache(season)
        with cache.player_lock:
            for record in records:
                if record.game_id not in cache.player_lines:
                    cache.player_lines[record.game_id] = self._play(record, actions=False)
            return {r.game_id: cache.player_lines[r.game_id] for r in records}
