"""What a run covers and where it stands: one plain model, no Luigi.

    scope = Scope(season="2024-25", groups_off=frozenset({"play_by_play"}), limit=5)
    work = SeasonWork(lake, scope)
    work.state(work.known_work())   # -> State(done, missing, dead_letter), from listings

A Scope is what the user asked for (season, season types, dates, limit, datasets off). A
SeasonWork turns it into the (endpoint, item) list and reads that list's state from the
lake's listings. The season task, the dry run, the run summary and the report all use
this model; none of them reaches into another.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import pyarrow as pa

from pipeline.core import config, seasons
from pipeline.core.errors import BadInput
from pipeline.lake import compact
from pipeline.lake.lake import Lake
from pipeline.lake.parquet import to_parquet_bytes
from pipeline.model import eras, gamelog
from pipeline.model.ingest import (
    Item,
    entity_item,
    game_item,
    is_done,
    raw_path,
    season_item,
    standing,
    table_paths,
)
from pipeline.nba import endpoints
from pipeline.nba.endpoints import Endpoint
from pipeline.nba.games import Game, games_from_index, season_over, select_games

Work = list[tuple[Endpoint, Item]]
# Players are known once the traditional box scores of the run's games exist.
PLAYER_SOURCE = endpoints.BOX_TRADITIONAL
# What the game logs check, and what a stat correction can touch: every box score.
CHECKED = endpoints.BOX_TRADITIONAL
GAME_LOGS = {"player": endpoints.GAME_LOG_PLAYERS, "team": endpoints.GAME_LOG_TEAMS}


def switch_name(group: str) -> str:
    """The parameter that turns a dataset group on or off: no_<group>, or <group> for the
    optional groups that are off by default."""
    return group if group in endpoints.OPTIONAL_GROUPS else f"no_{group}"


# Every dataset switch, in catalogue order: SeasonBackfill's, SeasonRange's,
# ValidateSeason's and the CLI's parameters.
SWITCHES: tuple[str, ...] = tuple(switch_name(group) for group in endpoints.GROUPS)


def switches_of(task) -> dict[str, bool]:
    """A task's (or parsed arguments') dataset switches, by name."""
    return {name: getattr(task, name) for name in SWITCHES}


def groups_off(switches: dict[str, bool]) -> frozenset[str]:
    """The groups switched off, from {switch_name(group): value}."""
    off = set()
    for group in endpoints.GROUPS:
        value = bool(switches.get(switch_name(group), False))
        if value != (group in endpoints.OPTIONAL_GROUPS):
            off.add(group)
    return frozenset(off)


@dataclass(frozen=True)
class Scope:
    """What a run covers for one season. Checked when built: bad input raises BadInput."""

    season: str
    season_types: tuple[str, ...] = seasons.SEASON_TYPES
    start: dt.date | None = None
    end: dt.date | None = None
    limit: int = 0
    groups_off: frozenset[str] = endpoints.OPTIONAL_GROUPS
    retry_dead_letters: bool = False

    def __post_init__(self):
        object.__setattr__(self, "season", seasons.parse_season(self.season))
        chosen = seasons.parse_season_types(self.season_types)
        # Only the season types the league played that season (no play-in before 2020-21).
        played = seasons.season_types_of(seasons.season_year(self.season))
        object.__setattr__(self, "season_types", tuple(t for t in chosen if t in played))
        config.check_date_range(self.start, self.end)
        if self.limit < 0:
            raise BadInput(f"invalid limit {self.limit}: must be 0 or more")
        unknown = set(self.groups_off) - set(endpoints.GROUPS)
        if unknown:
            raise BadInput(f"unknown dataset group {sorted(unknown)[0]!r}")

    @property
    def year(self) -> int:
        return seasons.season_year(self.season)

    def game_endpoints(self) -> list[Endpoint]:
        return endpoints.endpoints_for(self.year, self.groups_off)

    def season_endpoints(self) -> list[Endpoint]:
        return [
            e
            for e in endpoints.SEASON_ENDPOINTS
            if e.group not in self.groups_off and e.era.records(self.year)
        ]

    def checks_game_logs(self) -> bool:
        return CHECKED in self.game_endpoints() and GAME_LOGS["player"] in self.season_endpoints()

    def correctable_endpoints(self) -> list[Endpoint]:
        """The per-game endpoints a stat correction can change: the box scores."""
        return [
            e
            for e in self.game_endpoints()
            if e.api_name.startswith("boxscore") and e is not endpoints.GAME_SUMMARY
        ]

    def entity_endpoints(self, kind: str) -> list[Endpoint]:
        return [
            e
            for e in endpoints.ENTITY_ENDPOINTS
            if e.per == kind and e.group not in self.groups_off and e.era.records(self.year)
        ]

    def wants_players(self) -> bool:
        return bool(self.entity_endpoints("player")) and PLAYER_SOURCE in self.game_endpoints()

    def as_dict(self) -> dict:
        """What the scope selects, as JSON (run summaries record it; validate reads it)."""
        return {
            "season": self.season,
            "season_types": list(self.season_types),
            "start_date": self.start.isoformat() if self.start else None,
            "end_date": self.end.isoformat() if self.end else None,
            "limit": self.limit,
            "groups_off": sorted(self.groups_off),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Scope:
        def day(value):
            return dt.date.fromisoformat(value) if value else None

        return cls(
            season=data["season"],
            season_types=tuple(data["season_types"]),
            start=day(data.get("start_date")),
            end=day(data.get("end_date")),
            limit=int(data.get("limit") or 0),
            groups_off=frozenset(data.get("groups_off", ())),
        )

    def digest(self) -> str:
        """A short name for the selection: reports of different scopes live side by side."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def describe(self) -> str:
        """One line a user can check against the command they ran."""
        parts = [self.season]
        if self.start or self.end:
            parts.append(f"{self.start or '...'} to {self.end or '...'}")
        if tuple(self.season_types) != tuple(seasons.SEASON_TYPES):
            parts.append(", ".join(self.season_types))
        parts.append(f"first {self.limit} games" if self.limit else "all games")
        default_off = endpoints.OPTIONAL_GROUPS
        off = sorted(set(self.groups_off) - set(default_off))
        on = sorted(set(default_off) - set(self.groups_off))
        if off:
            parts.append("without " + ", ".join(off))
        if on:
            parts.append("with " + ", ".join(on))
        return ", ".join(parts)


@dataclass
class State:
    done: Work = field(default_factory=list)
    missing: Work = field(default_factory=list)
    dead_letter: Work = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Nothing left to fetch and nothing dead-lettered."""
        return not self.missing and not self.dead_letter

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in vars(self).items()}


def season_games(lake: Lake, season: str, indexes: dict) -> dict[str, Game]:
    """The season's game index by game id, read once per index file into indexes."""
    path = lake.layout.game_index(season)
    if path not in indexes:
        indexes[path] = {g.game_id: g for g in games_from_index(lake.read_table(path))}
    return indexes[path]


class SeasonWork:
    """The (endpoint, item) work of one season's scope, and its state in the lake."""

    def __init__(
        self,
        lake: Lake,
        scope: Scope,
        dead_letters_since: str | None = None,
        as_of: str | None = None,
        indexes: dict[str, dict[str, Game]] | None = None,
        work_lists: dict | None = None,
    ):
        self.lake = lake
        self.scope = scope
        # Game indexes read so far, by path: the runtime hands in the process's own.
        self.indexes = {} if indexes is None else indexes
        # Under --retry-dead-letters only dead letters written by this run count as settled.
        self.dead_letters_since = dead_letters_since
        # This run's stamp: a season in progress is looked at afresh once per run.
        self.as_of = as_of or config.run_stamp()
        # What runs learned of the season's uncertain eras (pipeline/model/eras.py).
        self.learned = eras.Learned(lake, scope.season)
        self.assume_recorded = False  # count uncertain eras as recorded (outlook)
        # game_work's lists by (index, scope, era verdicts): shared with copies (outlook's)
        # and, when the runtime hands in its own, with the process's other models.
        self._game_work: dict[tuple, tuple] = {} if work_lists is None else work_lists

    @property
    def season(self) -> str:
        return self.scope.season

    def has_index(self) -> bool:
        return self.lake.exists(self.lake.layout.game_index(self.season))

    # --- a season in progress -----------------------------------------------------------

    def index_final(self) -> bool:
        """The stored index is of a season that is over: it is never asked for again."""
        path = self.lake.layout.game_index(self.season)
        return self.lake.exists(path) and self.lake.read_metadata(path).get("final") == "true"

    def discovery_as_of(self) -> str:
        """ "" once the season is over (one final index), else this run's stamp: a season in
        progress is discovered again by every run, so its new games are picked up."""
        return "" if self.index_final() else self.as_of

    def index_current(self) -> bool:
        as_of = self.discovery_as_of()
        if not as_of:
            return True
        return self.lake.exists(self.lake.layout.game_index_snapshot(self.season, as_of))

    def write_index(self, index: pa.Table, as_of: str) -> None:
        """Store a discovery: its snapshot (kept), and the season's current index."""
        final = season_over(games_from_index(index))
        meta = {
            "endpoint": "leaguegamefinder",
            "season": self.season,
            "as_of": as_of,
            "final": str(final).lower(),
        }
        data = to_parquet_bytes(index, meta)
        if as_of:
            self.lake.write_bytes(self.lake.layout.game_index_snapshot(self.season, as_of), data)
        self.lake.write_bytes(self.lake.layout.game_index(self.season), data)
        self.indexes.pop(self.lake.layout.game_index(self.season), None)

    def all_games(self) -> dict[str, Game]:
        return season_games(self.lake, self.season, self.indexes)

    def games(self) -> list[Game]:
        s = self.scope
        return select_games(
            list(self.all_games().values()),
            season_types=s.season_types,
            start=s.start,
            end=s.end,
            limit=s.limit,
        )

    # --- eras: what the season records, and what is still to learn -------------------------

    def undecided(self, endpoint: Endpoint) -> bool:
        """An uncertain era no run has settled for this season: only probes are listed
        (unless the work is counted as the contract assumes it: see outlook)."""
        if self.assume_recorded:
            return False
        return endpoint.era.uncertain(self.scope.year) and self.learned.recorded(endpoint) is None

    def recorded(self, endpoint: Endpoint) -> bool:
        """Not learned to be unrecorded (the scope already leaves out what the era lacks)."""
        return self.learned.recorded(endpoint) is not False

    def _items(self, endpoint: Endpoint, items: list) -> list:
        return eras.probe_slice(items) if self.undecided(endpoint) else items

    def game_endpoints(self) -> list[Endpoint]:
        return [e for e in self.scope.game_endpoints() if self.recorded(e)]

    def entity_endpoints(self, kind: str) -> list[Endpoint]:
        return [e for e in self.scope.entity_endpoints(kind) if self.recorded(e)]

    def season_endpoints(self) -> list[Endpoint]:
        return [e for e in self.scope.season_endpoints() if self.recorded(e)]

    def not_recorded(self) -> list[Endpoint]:
        """The endpoints a run learned (or the era says) this season does not have."""
        chosen = [
            *endpoints.GAME_ENDPOINTS,
            *endpoints.ENTITY_ENDPOINTS,
            *endpoints.SEASON_ENDPOINTS,
        ]
        return [
            e
            for e in chosen
            if e.group not in self.scope.groups_off
            and (not e.era.records(self.scope.year) or not self.recorded(e))
        ]

    def wants_players(self) -> bool:
        return bool(self.entity_endpoints("player")) and PLAYER_SOURCE in self.game_endpoints()

    def checks_game_logs(self) -> bool:
        return (
            self.scope.checks_game_logs()
            and CHECKED in self.game_endpoints()
            and GAME_LOGS["player"] in self.season_endpoints()
        )

    def undecided_endpoints(self) -> list[Endpoint]:
        """The run's endpoints whose era this season no run has settled yet."""
        chosen = [
            *self.game_endpoints(),
            *self.entity_endpoints("team"),
            *self.entity_endpoints("player"),
            *self.season_endpoints(),
        ]
        return [e for e in chosen if self.undecided(e)]

    def probe_work(self) -> Work:
        """The listed items of the endpoints whose era this season is still to learn."""
        if not self.undecided_endpoints():
            return []  # the usual case once a season has run: no list to build
        work = self.game_work() + self.team_work() + self.season_work(logs=False)
        work += self.season_work(logs=True)
        if self.wants_players() and (ids := self.player_ids()) is not None:
            work += self.player_work(ids)
        return [(e, item) for e, item in work if self.undecided(e)]

    def settle_probes(self) -> list[eras.Verdict]:
        """Decide each uncertain era whose probes are all settled; keep the verdict."""
        by_endpoint: dict[str, tuple[Endpoint, list]] = {}
        for e, item in self.probe_work():
            by_endpoint.setdefault(e.key, (e, []))[1].append(item)
        verdicts = []
        for endpoint, items in by_endpoint.values():
            standings = [standing(self.lake, endpoint, i, self.dead_letters_since) for i in items]
            recorded = eras.decide(standings)
            if recorded is not None:
                verdicts.append(self.learned.write(endpoint, recorded, [i.key for i in items]))
        return verdicts

    # --- the work list ------------------------------------------------------------------

    def game_work(self) -> Work:
        # Game by game: Luigi hands out work in this order, so a game's endpoints are fetched
        # close together (and the simulator simulates each game once, not once per endpoint).
        eps = self.game_endpoints()
        index = self.all_games()
        # Asked several times a round (progress, state, players, complete()): made once per
        # game index read, scope and era verdicts, which are all it depends on.
        key = (id(index), self.scope, tuple((e.key, self.undecided(e)) for e in eps))
        made = self._game_work.get(key)
        if made is not None and made[0] is index:
            return list(made[1])
        games = self.games()
        probes = {g.game_id for g in eras.probe_slice(games)}
        work = [
            (e, game_item(g, e))
            for g in games
            for e in eps
            if g.game_id in probes or not self.undecided(e)
        ]
        for old in [k for k, (i, _) in self._game_work.items() if i is not index]:
            if old[1] == self.scope:  # made from an index read before: not asked again
                del self._game_work[old]
        while len(self._game_work) >= WORK_LISTS_KEPT:  # a range's seasons: the latest
            del self._game_work[next(iter(self._game_work))]
        self._game_work[key] = (index, work)
        return list(work)

    def team_ids(self) -> list[int]:
        """Every team in the season's game index (all 30 for a modern season)."""
        teams = set()
        for game in self.all_games().values():
            teams.update((game.home_team_id, game.away_team_id))
        return sorted(t for t in teams if t)

    def team_work(self) -> Work:
        teams = self.team_ids()
        return [
            (e, entity_item(e, self.season, t))
            for e in self.entity_endpoints("team")
            for t in self._items(e, teams)
        ]

    def player_source_games(self) -> list[str]:
        """The run's games whose traditional box scores are in the lake."""
        if not self.wants_players():
            return []
        return [
            item.key
            for e, item in self.game_work()
            if e is PLAYER_SOURCE and is_done(self.lake, e, item)
        ]

    @staticmethod
    def games_digest(game_ids: list[str]) -> str:
        return hashlib.sha1(",".join(sorted(game_ids)).encode()).hexdigest()[:12]

    def players_path(self, game_ids: list[str]) -> str:
        """Where the player ids of a set of games are kept, named by a digest of the set."""
        digest = self.games_digest(game_ids)
        return self.lake.layout.state_file("player-ids", self.season, f"{digest}.parquet")

    def collect_player_ids(self, game_ids: list[str]) -> None:
        """Read personId from the games' box scores once, and keep the answer. Each game's
        players are kept too, with its box score file's version (by-game.parquet), so the
        next set of games (tomorrow's: a few more) reads only its new or changed games."""
        games = self.all_games()
        name = PLAYER_SOURCE.tables["PlayerStats"]
        versions = self.lake.store.list_versions(self.lake.layout.table_prefix(name, self.season))
        boxes = {}
        for game_id in game_ids:
            item = game_item(games[game_id], PLAYER_SOURCE)
            boxes[game_id] = self.lake.layout.table_file(name, self.season, item.month, item.key)
        kept_path = self.lake.layout.state_file("player-ids", self.season, "by-game.parquet")
        kept = self._players_by_game(kept_path)
        by_game = {}
        for game_id, box in boxes.items():
            version = "/".join(map(str, versions.get(box, ())))
            if game_id in kept and kept[game_id][0] == version:
                by_game[game_id] = kept[game_id]
        todo = [g for g in boxes if g not in by_game]
        read = self.lake.map_paths(lambda g: self.lake.read_table(boxes[g]), todo)
        for game_id, table in zip(todo, read, strict=True):
            people = [p for p in table.column("personId").to_pylist() if p is not None]
            by_game[game_id] = ("/".join(map(str, versions.get(boxes[game_id], ()))), people)
        rows = [(g, v, p) for g, (v, people) in {**kept, **by_game}.items() for p in people]
        kept_table = pa.table(
            {
                "game_id": pa.array([g for g, _, _ in rows], pa.string()),
                "version": pa.array([v for _, v, _ in rows], pa.string()),
                "personId": pa.array([p for _, _, p in rows], pa.int64()),
            }
        )
        meta = {"season": self.season}
        self.lake.write_bytes(kept_path, to_parquet_bytes(kept_table, meta))
        ids = sorted({p for _, people in by_game.values() for p in people})
        table = pa.table({"personId": pa.array(ids, pa.int64())})
        self.lake.write_bytes(self.players_path(game_ids), to_parquet_bytes(table, meta))

    def _players_by_game(self, path: str) -> dict[str, tuple[str, list[int]]]:
        """Game id -> (its box score's version, its players), as last collected."""
        if not self.lake.exists(path):
            return {}
        kept: dict[str, tuple[str, list[int]]] = {}
        columns = self.lake.read_table(path).to_pydict()
        for game_id, version, person in zip(
            columns["game_id"], columns["version"], columns["personId"], strict=True
        ):
            kept.setdefault(game_id, (version, []))[1].append(person)
        return kept

    def player_ids(self) -> list[int] | None:
        """The players of the run's games, or None while they are not known yet."""
        path = self.players_path(self.player_source_games())
        if not self.lake.exists(path):
            return None
        return self.lake.read_table(path).column("personId").to_pylist()

    def player_work(self, ids: list[int]) -> Work:
        return [
            (e, entity_item(e, self.season, p))
            for e in self.entity_endpoints("player")
            for p in self._items(e, ids)
        ]

    def known_work(self) -> Work:
        """Everything the run covers that can be listed now (players once they are known)."""
        if not self.has_index():
            return []
        work = self.game_work() + self.team_work() + self.season_work(logs=False)
        work += self.season_work(logs=True)
        if self.wants_players():
            ids = self.player_ids()
            if ids is not None:
                work += self.player_work(ids)
        return work

    def season_items(self, endpoint: Endpoint) -> list[Item]:
        if endpoint in GAME_LOGS.values():
            items = [season_item(endpoint, self.season, t) for t in self.scope.season_types]
        else:
            items = [season_item(endpoint, self.season)]
        return self._items(endpoint, items)

    def season_work(self, *, logs: bool) -> Work:
        """Season-level answers: PlayerIndex (logs=False), or the game logs (logs=True)."""
        return [
            (e, item)
            for e in self.season_endpoints()
            if (e in GAME_LOGS.values()) == logs
            for item in self.season_items(e)
        ]

    def fetched_this_run(self, endpoint: Endpoint, item: Item) -> bool:
        path = table_paths(self.lake, endpoint, item)[0][0]
        stamp = self.lake.read_metadata(path).get("ingested_at", "")
        return stamp >= config.run_started()

    def stale_season_work(self, work: Work) -> Work:
        """Season-level answers stored by an earlier run of a season still in progress."""
        if self.index_final():
            return []
        return [
            (e, item)
            for e, item in work
            if is_done(self.lake, e, item) and not self.fetched_this_run(e, item)
        ]

    def supersede(self, work: Work) -> list[str]:
        """Move the stored files of this work (tables and raw body) aside, to
        superseded/<run stamp>/, so the work is fetched again and nothing is lost."""
        moved = []
        for endpoint, item in work:
            paths = [p for p, _ in table_paths(self.lake, endpoint, item)]
            for path in [raw_path(self.lake, endpoint, item), *paths]:
                if self.lake.exists(path):
                    moved.append(self.lake.supersede(path, self.as_of))
        return moved

    # --- the check against the game logs -------------------------------------------------

    def _check(self) -> dict | None:
        path = self.lake.layout.game_log_check(self.season)
        return self.lake.read_json(path) if self.lake.exists(path) else None

    def check_done(self) -> bool:
        """The game-log check is done for good (season over) or by this run."""
        check = self._check()
        if check is None or check.get("unresolved") is None:
            return False
        return bool(check.get("final")) or check.get("as_of") == self.as_of

    def corrections_under_way(self) -> list[str] | None:
        """The games this run decided to fetch again, while it is fetching them."""
        check = self._check()
        if check and check.get("as_of") == self.as_of and check.get("unresolved") is None:
            return check["corrected_games"]
        return None

    def _checked_path(self) -> str:
        return self.lake.layout.state_file("game-log-check", self.season, "games.json")

    def compare_with_logs(self, only: set[str] | None = None) -> list[gamelog.Difference]:
        """Every game of the run (or of `only`) whose stored box score differs from the
        game logs. Reads each log once, and the box scores only of the games whose box
        score file or log rows changed since they last agreed (the check's own state keeps,
        per game and side, the box file's version and a digest of its log rows); the
        games read are in `self.compared_games`."""
        checked = {
            item.key: item
            for e, item in self.game_work()
            if e is CHECKED and (only is None or item.key in only) and is_done(self.lake, e, item)
        }
        path = self._checked_path()
        agreed = self.lake.read_json(path) if self.lake.exists(path) else {}
        self.compared_games: set[str] = set()
        differences = []
        for side, log_endpoint in GAME_LOGS.items():
            # An empty log (a season type with no games yet) adds nothing to compare.
            logs = [
                table
                for e, item in self.season_work(logs=True)
                if e is log_endpoint and is_done(self.lake, e, item)
                for path, _ in table_paths(self.lake, e, item)
                if (table := self.lake.read_table(path)).num_rows
            ]
            if not logs or not checked:
                continue
            log = pa.concat_tables(logs, promote_options="permissive")
            digests = gamelog.log_digests(log, side)
            name = CHECKED.tables["PlayerStats" if side == "player" else "TeamStats"]
            versions = self.lake.store.list_versions(
                self.lake.layout.table_prefix(name, self.season)
            )
            seen = agreed.setdefault(side, {})
            todo = {}
            for game_id, item in checked.items():
                box = self.lake.layout.table_file(name, self.season, item.month, item.key)
                now = [list(versions.get(box, ())), digests.get(game_id)]
                if seen.get(game_id) != now:
                    todo[game_id] = (box, now)
            if not todo:
                continue
            boxes = self.lake.map_paths(self.lake.read_table, [box for box, _ in todo.values()])
            box = pa.concat_tables(boxes, promote_options="permissive")
            # Only games in `box` are compared, and only the stats both sides record.
            year = self.scope.year
            unrecorded = log_endpoint.era.unrecorded_columns(year) | CHECKED.era.unrecorded_columns(
                year, name
            )
            found = gamelog.compare(log, box, side, unrecorded)
            differing = {d.game_id for d in found}
            for game_id, (_, now) in todo.items():
                if game_id in differing:  # compared again next time, until it agrees
                    seen.pop(game_id, None)
                else:
                    seen[game_id] = now
            self.compared_games.update(todo)
            differences += found
        if self.compared_games:
            self.lake.write_json(path, agreed)
        return differences

    def correction_work(self, game_ids: set[str]) -> Work:
        return [
            (e, item)
            for e, item in self.game_work()
            if item.key in game_ids and e in self.scope.correctable_endpoints()
        ]

    def write_check(
        self, corrected: list[str], unresolved: list[gamelog.Difference] | None
    ) -> dict:
        """The check's result: games fetched again, and what still differs after that
        (None while the games are being fetched again)."""
        check = {
            "season": self.season,
            "as_of": self.as_of,
            "final": self.index_final(),
            "checked_games": len({i.key for e, i in self.game_work() if e is CHECKED}),
            "corrected_games": sorted(corrected),
            "unresolved": None if unresolved is None else [d.as_dict() for d in unresolved],
        }
        self.lake.write_json(self.lake.layout.game_log_check(self.season), check)
        return check

    # --- compaction ----------------------------------------------------------------------

    def _compaction_marker(self) -> str:
        return self.lake.layout.state_file("compaction", self.season, "done.json")

    def compaction_pending(self) -> None:
        """The season's files are about to change: not compacted until compact() says so
        (a run cut short before compact() leaves the season to be compacted next time)."""
        if self.lake.exists(self._compaction_marker()):
            self.lake.delete(self._compaction_marker())

    def compacted(self) -> bool:
        return self.lake.exists(self._compaction_marker())

    def compact(self, reader: compact.Reader | None = None):
        """One Parquet file per table of the season, remade where its inputs changed;
        reader is handed every file read (see compact.Reader)."""
        result = compact.compact_season(self.lake, self.season, reader=reader)
        self.lake.write_json(
            self._compaction_marker(), {"as_of": self.as_of, "written": result.written}
        )
        return result

    # --- what is left, phase by phase (progress, run summary) ---------------------------

    def outlook(self, *, rerun: bool = False) -> Outlook:
        """See _outlook. Counted as the era contract assumes (an uncertain era is recorded,
        its probes being ordinary items), so the totals are known from the first update."""
        assumed = copy.copy(self)
        assumed.assume_recorded = True
        return assumed._outlook(rerun=rerun)

    def _outlook(self, *, rerun: bool) -> Outlook:
        """Where the scope stands, phase by phase: games first, then players and teams (and
        the season-level answers). For the run under way, or (rerun) for a rerun of the
        same scope: then `requests` is what that rerun would ask for.

        Players are exact once their list exists. Before that, a rerun's count reads the
        players of the games already stored from their box scores, and the players of the
        games to come are an estimate, marked as such (Phase.estimated)."""
        if not self.has_index():
            return Outlook(known=False, discovery=len(seasons.SEASON_TYPES))
        final = self.index_final()
        games = self.state(self.game_work())
        season_level = self.season_work(logs=False)
        check = self._check()
        logs_left = (check is None or not check.get("final")) if rerun else not self.check_done()
        if self.scope.checks_game_logs() and logs_left:
            season_level += self.season_work(logs=True)
        others = self.state(self.team_work() + season_level)
        # A season in progress asks again for its season-level answers on every run.
        again = [] if final else (others.done if rerun else self.stale_season_work(others.done))
        again = [(e, item) for e, item in again if e.per == "season"]
        outlook = Outlook(
            known=True,
            discovery=len(seasons.SEASON_TYPES) if rerun and not final else 0,
            games=Phase(
                len(games.done) + len(games.dead_letter),
                len(games.missing),
                rederive=self._stored_raw(games.missing),
            ),
            others=Phase(
                len(others.done) + len(others.dead_letter) - len(again),
                len(others.missing) + len(again),
                rederive=self._stored_raw(others.missing),
            ),
        )
        if self.scope.wants_players():
            self._add_players(outlook, games, read_stored=rerun)
        return outlook

    def _stored_raw(self, work: Work) -> int:
        """How many of these missing items have their raw body stored: the next try
        re-derives their tables with no request (a run stopped between the two writes)."""
        return sum(
            self.lake.has(
                raw_path(self.lake, e, item), self.lake.layout.raw_prefix(e.key, item.season)
            )
            for e, item in work
        )

    def _add_players(self, outlook: Outlook, games: State, read_stored: bool) -> None:
        per_player = len(self.scope.entity_endpoints("player"))
        source = [item for e, item in self.game_work() if e is PLAYER_SOURCE]
        unknown = [item for e, item in games.missing if e is PLAYER_SOURCE]
        ids = self.player_ids() if not unknown else None
        if ids is None and read_stored:
            ids = self._stored_player_ids()
        elif ids is None:
            ids, unknown = [], source
        players = self.state(self.player_work(ids))
        outlook.others.done += len(players.done) + len(players.dead_letter)
        outlook.others.missing += len(players.missing)
        outlook.others.rederive += self._stored_raw(players.missing)
        if unknown:
            outlook.others.estimated += per_player * self._estimated_players(unknown, len(ids))

    def _stored_player_ids(self) -> list[int]:
        """personId of every box score of the scope's games stored so far."""
        name = PLAYER_SOURCE.tables["PlayerStats"]
        paths = [
            self.lake.layout.table_file(name, self.season, item.month, item.key)
            for e, item in self.game_work()
            if e is PLAYER_SOURCE and is_done(self.lake, e, item)
        ]
        ids: set[int] = set()
        for path in paths:
            ids.update(self.lake.read_table(path).column("personId").to_pylist())
        return sorted(i for i in ids if i is not None)

    def _estimated_players(self, unknown_games: list[Item], known: int) -> int:
        """Players of games whose box scores are not stored yet: about 13 a side, at most
        about 20 a team over a season (trades, call-ups), less those known already."""
        games = self.all_games()
        teams = {
            t
            for item in unknown_games
            for t in (games[item.key].home_team_id, games[item.key].away_team_id)
        }
        by_games = PLAYERS_PER_SIDE * 2 * len(unknown_games)
        by_teams = PLAYERS_PER_TEAM_SEASON * len(teams) - known
        return max(0, min(by_games, by_teams))

    # --- where it stands ----------------------------------------------------------------

    def state(self, work: Work) -> State:
        """Work by state: done, missing, dead-lettered. From listings only."""
        state = State()
        for endpoint, item in work:
            where = standing(self.lake, endpoint, item, self.dead_letters_since)
            getattr(state, where).append((endpoint, item))
        return state

    def is_complete(self) -> bool:
        """The index is current, every game and team is settled, the game logs have been
        checked, and the players are settled."""
        if not self.index_current() or not self.has_index():
            return False
        if self.probe_work():  # an uncertain era still to learn
            return False
        work = self.game_work() + self.team_work() + self.season_work(logs=False)
        if not self.state(work).complete:
            return False
        if self.checks_game_logs() and not (
            self.check_done() and self.state(self.season_work(logs=True)).complete
        ):
            return False
        if not self.compacted():
            return False
        if not self.wants_players():
            return True
        ids = self.player_ids()
        return ids is not None and self.state(self.player_work(ids)).complete


# Work lists kept at once (SeasonWork.game_work): a season's is 6,000 items, a few MB.
WORK_LISTS_KEPT = 4

# For the estimate of players not known yet (SeasonWork.outlook): a side dresses about 13, and a
# team uses about 20 players over a season.
PLAYERS_PER_SIDE = 13
PLAYERS_PER_TEAM_SEASON = 20


@dataclass
class Phase:
    done: int = 0  # settled: stored, or dead-lettered
    missing: int = 0  # to land, known item by item
    estimated: int = 0  # to land, not known item by item yet (players of games to come)
    rederive: int = 0  # of the missing, those whose raw body is stored: no request

    @property
    def total(self) -> int:
        return self.done + self.missing + self.estimated

    @property
    def requests(self) -> int:
        return self.missing - self.rederive + self.estimated

    def as_dict(self) -> dict:
        return {
            "done": self.done,
            "missing": self.missing,
            "estimated": self.estimated,
            "rederive": self.rederive,
        }


@dataclass
class Outlook:
    """A scope's work phase by phase; `requests` is what a rerun would ask for."""

    known: bool  # False: no game index yet, so nothing but the discovery is known
    discovery: int = 0
    games: Phase = field(default_factory=Phase)
    others: Phase = field(default_factory=Phase)  # players, teams, season-level answers

    @property
    def requests(self) -> int:
        return self.discovery + self.games.requests + self.others.requests

    @property
    def exact(self) -> bool:
        return self.known and not self.games.estimated and not self.others.estimated

    def as_dict(self) -> dict:
        return {
            "known": self.known,
            "discovery": self.discovery,
            "games": self.games.as_dict(),
            "players_and_teams": self.others.as_dict(),
            "requests": self.requests,
            "exact": self.exact,
        }


@dataclass(frozen=True)
class Coverage:
    """What one run (a season, or a range of seasons) covers: what its summary reports."""

    label: str  # "2024-25", or "1996-97..2024-25" for a range
    task_id: str
    params: dict
    scopes: tuple[Scope, ...]
    dead_letters_since: str | None = None

    def seasons(self, lake: Lake, indexes: dict | None = None) -> list[SeasonWork]:
        return [SeasonWork(lake, s, self.dead_letters_since, indexes=indexes) for s in self.scopes]
