"""One adaptive request limiter per host, shared by every worker process, with one rate
budget per egress.

stats.nba.com throttles silently (hangs, timeouts, lock-outs after bursts), so every request
from every ``luigi --workers N`` child on a host must go through one pacer that also slows
down when the server pushes back.

Why not pyrate-limiter (4.5.1, installed)?
    Its ``SQLiteBucket`` is a sliding log of ``Rate(limit, interval)`` windows: the rates are
    fixed when the bucket is built, so there is nowhere to keep an interval that every
    process adapts (429 doubling, +50% after timeouts, 5% easing, pauses, quiet hours).
    A window of ``Rate(10, 1s)`` also lets 10 requests out back to back, the kind of burst
    that gets clients locked out. Its cross-process mode needs the ``filelock`` package
    (not installed) and its blocking retry sleeps in steps padded by ``buffer_ms``, which
    costs rate. Bending it into an adaptive pacer would be more code than this module.

Egresses
    The API throttles and blocks per IP, so each way out (the direct connection, or one
    proxy: ``pipeline.nba.egress``) has a rate budget of its own: one row of shared state per
    egress. A request leaves through the egress that may send soonest, so k egresses send up
    to k / interval requests a second and none of them more than 1 / interval.

Design
    One row per egress in a small SQLite file (WAL, ``BEGIN IMMEDIATE``): the last granted
    start, the adapted interval, the run of timeouts, a pause deadline, the request counters
    and the bench. ``acquire()`` reads the rows in a write transaction and grants the egress
    with the earliest ready time, ``max(last_start + interval * (1 + jitter), pause_until)``,
    if *now* has reached it; otherwise it commits nothing, sleeps until then and checks
    again. Granting on the actual clock (not reserving future slots) means two grants of one
    egress are always more than one interval apart, and a 429 or 5xx reported by any
    process while others sleep applies to them at once.
    The jitter allowance (a fraction of the interval, 10% by default: the seeds' 0.5 s on
    5 s) is for the server's view: arrivals jitter by network latency and scheduling, and
    spacing grants by interval * (1 + f) keeps any window of max(1 s, interval) at the server
    within the rate while the jitter stays under f times that window.
    Each process opens its own connection lazily; every limiter closes it before a fork
    (``pipeline.app.runtime``'s fork hook), since SQLite must not have the file open across fork().
    The cost is one short transaction per request (well under a millisecond); waiting
    processes all wake at the same ready time and the losers simply sleep again.

Bench
    An egress that does not answer (a timeout, a reset, a refused connection) N times in a
    row is benched: no request goes through it for a cool-down (5 minutes, doubling up to an
    hour after each failed probe). Then one request at a time probes it: an answer of any
    kind restores it, a failure benches it again. The host as a whole is judged the same
    way: when every open egress is failing and together they have failed N times in a row
    with no answer anywhere, all are benched. When every egress is benched, ``acquire()``
    raises ``AllBenched``. A failure on an egress benched since it was granted is excused:
    the client does not count it against the item (``verdict``).
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")

THROTTLE_FACTOR = 2.0  # a 429 doubles the interval
TIMEOUT_FACTOR = 1.5  # three timeouts in a row add 50%
TIMEOUTS_BEFORE_SLOWDOWN = 3
EASE_FACTOR = 0.95  # each success takes 5% off, down to the base
DEFAULT_MAX_FACTOR = 20.0  # default cap: 20x the base interval
# Grants of one egress are 10% further apart than its interval: the allowance for network
# jitter between a grant and the request's arrival at the server ([nba] jitter_fraction).
DEFAULT_JITTER_FRACTION = 0.10
DIRECT = "direct"  # the egress name of the direct connection

_SCHEMA = """
CREATE TABLE IF NOT EXISTS egress_state (
    name TEXT PRIMARY KEY,          -- "direct", or a proxy's URL without its password
    last_start_at REAL,             -- clock() of the last granted request
    interval_s REAL,                -- adapted interval; NULL means the base
    consecutive_timeouts INTEGER NOT NULL DEFAULT 0,
    pause_until REAL NOT NULL DEFAULT 0,
    first_start_at REAL,            -- first granted request since reset()
    requests INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,    -- no answer (timeout, reset, refused) in a row
    last_answer_at REAL,            -- clock() of the last answer of any kind
    benched_until REAL NOT NULL DEFAULT 0,
    bench_s REAL,                   -- length of the last bench; NULL once it answers again
    benches INTEGER NOT NULL DEFAULT 0,     -- times benched: a grant's epoch
    probe_until REAL NOT NULL DEFAULT 0     -- a probe is out (no other grant) until then
);
"""
_COLUMNS = (
    "name, last_start_at, interval_s, consecutive_timeouts, pause_until, first_start_at,"
    " requests, failures, last_answer_at, benched_until, bench_s, benches, probe_until"
)

# SQLite must not have the file open across fork(): the child would reuse the parent's lock
# bookkeeping without holding its locks, and when the parent later closed, it would delete the
# WAL under the children (measured: children's writes lost). So every limiter closes its
# connection before any fork and reopens lazily. If a fork slips past the hook, the child
# leaves the inherited connection alone (never used, never closed): kept here.
_limiters: weakref.WeakSet[SharedRateLimiter] = weakref.WeakSet()
_connections_from_parent: list[sqlite3.Connection] = []


def close_connections() -> None:
    """Close every limiter's connection; pipeline.app.runtime calls this before any fork."""
    for limiter in list(_limiters):
        limiter._close()


@dataclass
class _State:
    name: str
    last_start_at: float | None
    interval_s: float | None
    consecutive_timeouts: int
    pause_until: float
    first_start_at: float | None
    requests: int
    failures: int
    last_answer_at: float | None
    benched_until: float
    bench_s: float | None
    benches: int
    probe_until: float


@dataclass(frozen=True)
class BenchPolicy:
    """When an egress is benched, and for how long ([nba] bench_* settings)."""

    after_failures: int = 3  # timeouts, resets or refused connections in a row
    seconds: float = 300.0  # the first cool-down; doubled after each failed probe
    max_seconds: float = 3600.0
    probe_seconds: float = 60.0  # a probe holds its egress this long at most (> the timeout)


@dataclass(frozen=True)
class Grant:
    """Permission to send one request now, through ``egress``."""

    egress: str
    epoch: int  # how many times the egress had been benched: a later bench excuses failures
    granted_at: float
    waited: float  # seconds waited for the slot
    probe: bool = False  # the egress is back from the bench: this request decides


@dataclass(frozen=True)
class Benched:
    """An egress just benched."""

    egress: str
    seconds: float
    until: float
    reason: str  # e.g. "3 requests in a row got no answer"


class AllBenched(Exception):
    """Every egress is benched: nothing can be sent from this host for now."""

    def __init__(self, benched_until: dict[str, float]):
        self.benched_until = benched_until
        self.soonest = min(benched_until.values())
        super().__init__(f"every egress is benched: {', '.join(benched_until)}")


def default_state_path(base_url: str) -> pathlib.Path:
    """One state file per API host per machine, e.g. /tmp/nba-backfill/ratelimit-<hash>.sqlite."""
    parts = urlsplit(base_url)
    host = (parts.hostname or base_url).lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    digest = hashlib.sha1(host.encode()).hexdigest()[:12]
    return pathlib.Path(tempfile.gettempdir()) / "nba-backfill" / f"ratelimit-{digest}.sqlite"


class SharedRateLimiter:
    """Paces requests across all processes that use the same ``state_path``, per egress.

    ``base_interval`` is the normal spacing in seconds per egress (0 turns pacing off but
    still counts and still benches). ``egresses`` names the ways out, in order of preference
    when several are equally ready. Report each response with ``on_success`` /
    ``on_throttled`` / ``on_timeout`` / ``on_unreachable`` / ``on_server_error`` and the
    egress it went through (optional when there is only one), so its state adapts.
    """

    def __init__(
        self,
        base_interval: float,
        state_path: str | os.PathLike,
        *,
        egresses: Sequence[str] = (DIRECT,),
        bench: BenchPolicy | None = None,
        pause_on_server_error: float = 30.0,
        max_interval: float | None = None,
        quiet_hours: tuple[int, int] | None = None,
        quiet_multiplier: float = 2.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        jitter_fraction: float = DEFAULT_JITTER_FRACTION,
    ):
        if base_interval < 0:
            raise ValueError("base_interval must be >= 0")
        if not egresses or len(set(egresses)) != len(egresses):
            raise ValueError("egresses must be distinct names, at least one")
        self.base_interval = float(base_interval)
        self.max_interval = (
            float(max_interval)
            if max_interval is not None
            else self.base_interval * DEFAULT_MAX_FACTOR
        )
        if self.max_interval < self.base_interval:
            raise ValueError("max_interval must be >= base_interval")
        self.egresses = tuple(egresses)
        self.bench = bench or BenchPolicy()
        self.pause_on_server_error = float(pause_on_server_error)
        self.quiet_hours = quiet_hours
        self.quiet_multiplier = float(quiet_multiplier)
        self.jitter_fraction = float(jitter_fraction)
        self.state_path = pathlib.Path(state_path)
        self._clock = clock
        self._sleep = sleep
        self._conn: sqlite3.Connection | None = None
        self._conn_pid: int | None = None
        self._lock = threading.Lock()  # one transaction at a time per object (threads, fork)
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        _limiters.add(self)
        self._connection()  # create the file and schema now, not in the first request

    @property
    def enabled(self) -> bool:
        return self.base_interval > 0

    def _name(self, egress: str | None) -> str:
        if egress is None:
            if len(self.egresses) > 1:
                raise ValueError("name the egress: this limiter has several")
            return self.egresses[0]
        if egress not in self.egresses:
            raise ValueError(f"unknown egress {egress!r}")
        return egress

    # -- pacing ------------------------------------------------------------------------

    def acquire(self) -> Grant:
        """Block until a request may start through some egress; say which.

        Raises AllBenched when every egress is benched (not when some are only busy).
        """
        called_at = None  # set once we wait: a slot free at once has waited 0
        while True:
            with self._transaction() as db:
                now = self._clock()
                states = self._read_all(db)
                open_ = [s for s in states if s.benched_until <= now]
                if not open_:
                    raise AllBenched({s.name: s.benched_until for s in states})
                free = [s for s in open_ if s.probe_until <= now]
                if free:
                    best = min(free, key=lambda s: (self._ready_at(s, now), s.last_start_at or 0))
                    ready_at = self._ready_at(best, now)
                    if now >= ready_at:
                        return self._grant(db, best, now, called_at)
                else:  # only egresses with a probe out: wait for its outcome
                    ready_at = min(s.probe_until for s in open_)
            # Sleep outside the transaction; re-check afterwards, because another process
            # may have taken the slot or reported a 429/5xx meanwhile.
            called_at = now if called_at is None else called_at
            self._sleep(max(ready_at - now, 0.001))

    def _grant(
        self, db: sqlite3.Connection, state: _State, now: float, called_at: float | None
    ) -> Grant:
        probe = state.bench_s is not None  # back from the bench, not yet answered
        db.execute(
            "UPDATE egress_state SET last_start_at = ?, requests = requests + 1,"
            " first_start_at = COALESCE(first_start_at, ?), probe_until = ? WHERE name = ?",
            (now, now, now + self.bench.probe_seconds if probe else 0.0, state.name),
        )
        waited = now - called_at if called_at is not None else 0.0
        return Grant(state.name, state.benches, now, waited, probe)

    def _ready_at(self, state: _State, now: float) -> float:
        if not self.enabled:
            return 0.0
        ready_at = state.pause_until
        if state.last_start_at is not None:
            spacing = self._effective_interval(state, now) * (1 + self.jitter_fraction)
            ready_at = max(ready_at, state.last_start_at + spacing)
        return ready_at

    def _effective_interval(self, state: _State, now: float) -> float:
        adapted = self._bounded(state.interval_s)
        if self._in_quiet_hours(now):
            adapted *= self.quiet_multiplier
        return min(adapted, self.max_interval) if self.enabled else 0.0

    def _bounded(self, interval: float | None) -> float:
        # Clamp on read too: another process may have run with a different base.
        if interval is None:
            return self.base_interval
        return min(max(interval, self.base_interval), self.max_interval)

    def _in_quiet_hours(self, now: float) -> bool:
        if self.quiet_hours is None:
            return False
        start, end = self.quiet_hours
        hour = datetime.fromtimestamp(now, EASTERN).hour
        if start <= end:
            return start <= hour < end
        return hour >= start or hour < end  # a span across midnight, e.g. (22, 6)

    # -- feedback from responses ---------------------------------------------------------

    def on_success(self, egress: str | None = None) -> None:
        """A good answer: the egress works; ease 5% toward the base."""
        name = self._name(egress)
        with self._transaction() as db:
            state = self._read(db, name)
            self._answered(db, name)
            if self.enabled and (state.interval_s is not None or state.consecutive_timeouts):
                eased = max(self.base_interval, self._bounded(state.interval_s) * EASE_FACTOR)
                self._write_interval(db, name, eased, consecutive_timeouts=0)

    def on_answer(self, egress: str | None = None) -> None:
        """An answer that is no success (404, a bad body): the egress works, pace unchanged."""
        name = self._name(egress)
        with self._transaction() as db:
            self._answered(db, name)

    def on_throttled(self, retry_after: float | None = None, egress: str | None = None) -> None:
        """A 429: double the interval and send nothing before ``now + retry_after``."""
        name = self._name(egress)
        with self._transaction() as db:
            self._answered(db, name)
            if not self.enabled:
                return
            state = self._read(db, name)
            self._write_interval(
                db, name, self._bounded(state.interval_s) * THROTTLE_FACTOR, consecutive_timeouts=0
            )
            if retry_after:
                self._pause_until(db, name, self._clock() + float(retry_after))

    def on_server_error(self, egress: str | None = None) -> None:
        """A 5xx: nothing goes through the egress for ``pause_on_server_error`` seconds."""
        name = self._name(egress)
        with self._transaction() as db:
            self._answered(db, name)
            if not self.enabled:
                return
            db.execute("UPDATE egress_state SET consecutive_timeouts = 0 WHERE name = ?", (name,))
            self._pause_until(db, name, self._clock() + self.pause_on_server_error)

    def on_timeout(self, egress: str | None = None) -> list[Benched]:
        """No answer in time: every third in a row adds 50% to the interval, and it counts
        toward the bench. Returns the egresses this benched."""
        name = self._name(egress)
        with self._transaction() as db:
            if self.enabled:
                state = self._read(db, name)
                timeouts = state.consecutive_timeouts + 1
                interval = self._bounded(state.interval_s)
                if timeouts >= TIMEOUTS_BEFORE_SLOWDOWN:
                    interval, timeouts = interval * TIMEOUT_FACTOR, 0
                self._write_interval(db, name, interval, consecutive_timeouts=timeouts)
            return self._no_answer(db, name)

    def on_unreachable(self, egress: str | None = None) -> list[Benched]:
        """A reset or refused connection: counts toward the bench. Returns the egresses this
        benched."""
        name = self._name(egress)
        with self._transaction() as db:
            return self._no_answer(db, name)

    def _answered(self, db: sqlite3.Connection, name: str) -> None:
        db.execute(
            "UPDATE egress_state SET failures = 0, bench_s = NULL, probe_until = 0,"
            " last_answer_at = ? WHERE name = ?",
            (self._clock(), name),
        )

    def _no_answer(self, db: sqlite3.Connection, name: str) -> list[Benched]:
        now = self._clock()
        state = self._read(db, name)
        if state.benched_until > now:
            return []  # granted before its bench: the bench already says it all
        failures = state.failures + 1
        benched = []
        if state.bench_s is not None:
            benched.append(self._bench_egress(db, state, now, "its probe got no answer"))
        elif failures >= self.bench.after_failures:
            reason = f"{failures} requests in a row got no answer"
            benched.append(self._bench_egress(db, state, now, reason))
        else:
            db.execute(
                "UPDATE egress_state SET failures = ?, probe_until = 0 WHERE name = ?",
                (failures, name),
            )
        # The host as a whole: every open egress is failing, N failures in all, no answer.
        open_ = [s for s in self._read_all(db) if s.benched_until <= now]
        failing = bool(open_) and all(s.failures >= 1 for s in open_)
        if failing and sum(s.failures for s in open_) >= self.bench.after_failures:
            reason = "no egress of this host answers any more"
            benched += [self._bench_egress(db, s, now, reason) for s in open_]
        return benched

    def _bench_egress(
        self, db: sqlite3.Connection, state: _State, now: float, reason: str
    ) -> Benched:
        seconds = (
            self.bench.seconds
            if state.bench_s is None
            else min(state.bench_s * 2, self.bench.max_seconds)
        )
        db.execute(
            "UPDATE egress_state SET benched_until = ?, bench_s = ?, benches = benches + 1,"
            " failures = 0, probe_until = 0 WHERE name = ?",
            (now + seconds, seconds, state.name),
        )
        return Benched(state.name, seconds, now + seconds, reason)

    def verdict(self, grant: Grant) -> str:
        """Whose fault was a granted request that got no answer? "excused": its egress has
        been benched since (the egress was blocked); "charged": the egress has answered
        since (it works, so the failure was the request's own); "pending": neither yet."""
        with self._transaction() as db:
            state = self._read(db, grant.egress)
        if state.benches > grant.epoch:
            return "excused"
        if state.last_answer_at is not None and state.last_answer_at > grant.granted_at:
            return "charged"
        return "pending"

    def _write_interval(
        self, db: sqlite3.Connection, name: str, interval: float, *, consecutive_timeouts: int
    ) -> None:
        interval = min(interval, self.max_interval)
        db.execute(
            "UPDATE egress_state SET interval_s = ?, consecutive_timeouts = ? WHERE name = ?",
            (None if interval <= self.base_interval else interval, consecutive_timeouts, name),
        )

    @staticmethod
    def _pause_until(db: sqlite3.Connection, name: str, until: float) -> None:
        db.execute(
            "UPDATE egress_state SET pause_until = MAX(pause_until, ?) WHERE name = ?",
            (until, name),
        )

    # -- reporting -----------------------------------------------------------------------

    def current_interval(self, egress: str | None = None) -> float:
        """The spacing the egress's next request gets: adapted, times the quiet-hours factor,
        capped (without the jitter allowance)."""
        name = self._name(egress)
        with self._transaction() as db:
            state = self._read(db, name)
        return self._effective_interval(state, self._clock())

    def benched(self) -> dict[str, float]:
        """The egresses benched now, and until when."""
        with self._transaction() as db:
            states = self._read_all(db)
        now = self._clock()
        return {s.name: s.benched_until for s in states if s.benched_until > now}

    def stats(self) -> dict:
        """Requests granted on this host since the first acquire (or reset), their rate, and
        the same per egress."""
        with self._transaction() as db:
            states = self._read_all(db)
        now = self._clock()

        def rate(requests: int, first: float | None) -> dict:
            elapsed = now - first if first is not None else 0.0
            return {
                "requests": requests,
                "elapsed_s": elapsed,
                "achieved_per_s": requests / elapsed if elapsed > 0 else 0.0,
            }

        firsts = [s.first_start_at for s in states if s.first_start_at is not None]
        return {
            **rate(sum(s.requests for s in states), min(firsts) if firsts else None),
            "interval_s": self._effective_interval(states[0], now),
            "egresses": {
                s.name: {
                    **rate(s.requests, s.first_start_at),
                    "interval_s": self._effective_interval(s, now),
                    "benched": s.benched_until > now,
                }
                for s in states
            },
        }

    def reset(self) -> None:
        """Forget adapted state and counters (new run). The last start is kept so a new run
        still cannot start closer than one interval after the previous request, and so is
        the bench: an egress that did not answer is not asked again before its time."""
        with self._transaction() as db:
            db.executemany(
                "UPDATE egress_state SET interval_s = NULL, consecutive_timeouts = 0,"
                " pause_until = 0, first_start_at = NULL, requests = 0 WHERE name = ?",
                [(name,) for name in self.egresses],
            )

    # -- storage -------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        pid = os.getpid()
        if self._conn is not None and self._conn_pid == pid:
            return self._conn
        if self._conn is not None:
            _connections_from_parent.append(self._conn)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so the write lock is
        # taken before the read and two processes can never grant the same slot.
        conn = sqlite3.connect(
            self.state_path, timeout=60.0, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # no fsync per request; state is soft
        conn.executescript(_SCHEMA)
        conn.executemany(
            "INSERT OR IGNORE INTO egress_state (name) VALUES (?)",
            [(name,) for name in self.egresses],
        )
        self._conn, self._conn_pid = conn, pid
        return conn

    def _close(self) -> None:
        with self._lock:
            if self._conn is not None and self._conn_pid == os.getpid():
                self._conn.close()
            self._conn = self._conn_pid = None

    def __del__(self) -> None:
        # sqlite3.Connection sits in a reference cycle, so without this it would stay open
        # until the cyclic GC runs, possibly across a fork (see close_connections).
        with suppress(Exception):
            self._close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _read(db: sqlite3.Connection, name: str) -> _State:
        row = db.execute(f"SELECT {_COLUMNS} FROM egress_state WHERE name = ?", (name,)).fetchone()
        return _State(*row)

    def _read_all(self, db: sqlite3.Connection) -> list[_State]:
        """The configured egresses' rows, in configured order (the file may hold others)."""
        marks = ",".join("?" * len(self.egresses))
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM egress_state WHERE name IN ({marks})", self.egresses
        ).fetchall()
        by_name = {row[0]: _State(*row) for row in rows}
        return [by_name[name] for name in self.egresses]

    def __getstate__(self) -> dict:
        # Picklable for spawned processes: they open their own connection.
        state = self.__dict__.copy()
        state["_conn"] = state["_conn_pid"] = state["_lock"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())
        _limiters.add(self)
