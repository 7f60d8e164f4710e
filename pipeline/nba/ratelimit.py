"""One adaptive request limiter per host, shared by every worker process.

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

Design
    One row of shared state in a small SQLite file (WAL, ``BEGIN IMMEDIATE``): the last
    granted start, the adapted interval, the run of timeouts, a pause deadline and the
    request counters. ``acquire()`` reads the row in a write transaction and grants the
    slot only if *now* >= ``max(last_start + interval * 1.01, pause_until)``; otherwise it
    commits nothing, sleeps until then and checks again. Granting on the actual clock
    (not reserving future slots) means two grants are always more than one interval apart,
    and a 429 or 5xx reported by any process while others sleep applies to them at once.
    The 1% ``spacing_margin`` absorbs the jitter between a grant and the caller's request
    (commit, scheduling), which could otherwise put one start too many in a window.
    Each process opens its own connection lazily; every limiter closes it before a fork
    (``pipeline.runtime``'s fork hook), since SQLite must not have the file open across fork().
    The cost is one short transaction per request (well under a millisecond); waiting
    processes all wake at the same ready time and the losers simply sleep again.
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
from collections.abc import Callable, Iterator
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
# Grants are 1% further apart than the interval, so any window of length W has W/100 of slack
# for a caller descheduled between its grant and its request (10 ms in a 1-s window).
DEFAULT_SPACING_MARGIN = 0.01

_SCHEMA = """
CREATE TABLE IF NOT EXISTS limiter_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_start_at REAL,             -- clock() of the last granted request
    interval_s REAL,                -- adapted interval; NULL means the base
    consecutive_timeouts INTEGER NOT NULL DEFAULT 0,
    pause_until REAL NOT NULL DEFAULT 0,
    first_start_at REAL,            -- first granted request since reset()
    requests INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO limiter_state (id) VALUES (1);
"""

# SQLite must not have the file open across fork(): the child would reuse the parent's lock
# bookkeeping without holding its locks, and when the parent later closed, it would delete the
# WAL under the children (measured: children's writes lost). So every limiter closes its
# connection before any fork and reopens lazily. If a fork slips past the hook, the child
# leaves the inherited connection alone (never used, never closed): kept here.
_limiters: weakref.WeakSet[SharedRateLimiter] = weakref.WeakSet()
_connections_from_parent: list[sqlite3.Connection] = []


def close_connections() -> None:
    """Close every limiter's connection; pipeline.runtime calls this before any fork."""
    for limiter in list(_limiters):
        limiter._close()


@dataclass
class _State:
    last_start_at: float | None
    interval_s: float | None
    consecutive_timeouts: int
    pause_until: float
    first_start_at: float | None
    requests: int


def default_state_path(base_url: str) -> pathlib.Path:
    """One state file per API host per machine, e.g. /tmp/nba-backfill/ratelimit-<hash>.sqlite."""
    parts = urlsplit(base_url)
    host = (parts.hostname or base_url).lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    digest = hashlib.sha1(host.encode()).hexdigest()[:12]
    return pathlib.Path(tempfile.gettempdir()) / "nba-backfill" / f"ratelimit-{digest}.sqlite"


class SharedRateLimiter:
    """Paces requests across all processes that use the same ``state_path``.

    ``base_interval`` is the normal spacing in seconds (0 turns pacing off but still counts).
    Report each response with ``on_success`` / ``on_throttled`` / ``on_timeout`` /
    ``on_server_error`` so the shared interval adapts.
    """

    def __init__(
        self,
        base_interval: float,
        state_path: str | os.PathLike,
        *,
        pause_on_server_error: float = 30.0,
        max_interval: float | None = None,
        quiet_hours: tuple[int, int] | None = None,
        quiet_multiplier: float = 2.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        spacing_margin: float = DEFAULT_SPACING_MARGIN,
    ):
        if base_interval < 0:
            raise ValueError("base_interval must be >= 0")
        self.base_interval = float(base_interval)
        self.max_interval = (
            float(max_interval)
            if max_interval is not None
            else self.base_interval * DEFAULT_MAX_FACTOR
        )
        if self.max_interval < self.base_interval:
            raise ValueError("max_interval must be >= base_interval")
        self.pause_on_server_error = float(pause_on_server_error)
        self.quiet_hours = quiet_hours
        self.quiet_multiplier = float(quiet_multiplier)
        self.spacing_margin = float(spacing_margin)
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

    # -- pacing ------------------------------------------------------------------------

    def acquire(self) -> float:
        """Block until this request may start; return the seconds waited."""
        called_at = self._clock()
        if not self.enabled:
            with self._transaction() as db:
                self._count_request(db, called_at)
            return 0.0
        while True:
            with self._transaction() as db:
                state = self._read(db)
                now = self._clock()
                ready_at = self._ready_at(state, now)
                if now >= ready_at:
                    db.execute("UPDATE limiter_state SET last_start_at = ? WHERE id = 1", (now,))
                    self._count_request(db, now)
                    return now - called_at
            # Sleep outside the transaction; re-check afterwards, because another process
            # may have taken the slot or reported a 429/5xx meanwhile.
            self._sleep(ready_at - now)

    def _ready_at(self, state: _State, now: float) -> float:
        ready_at = state.pause_until
        if state.last_start_at is not None:
            spacing = self._effective_interval(state, now) * (1 + self.spacing_margin)
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

    @staticmethod
    def _count_request(db: sqlite3.Connection, now: float) -> None:
        db.execute(
            "UPDATE limiter_state SET requests = requests + 1,"
            " first_start_at = COALESCE(first_start_at, ?) WHERE id = 1",
            (now,),
        )

    # -- feedback from responses ---------------------------------------------------------

    def on_success(self) -> None:
        if not self.enabled:
            return
        with self._transaction() as db:
            state = self._read(db)
            if state.interval_s is None and state.consecutive_timeouts == 0:
                return  # already at base: nothing to write
            eased = max(self.base_interval, self._bounded(state.interval_s) * EASE_FACTOR)
            self._write_interval(db, eased, consecutive_timeouts=0)

    def on_throttled(self, retry_after: float | None) -> None:
        """A 429: double the interval and send nothing before ``now + retry_after``."""
        if not self.enabled:
            return
        with self._transaction() as db:
            state = self._read(db)
            self._write_interval(
                db, self._bounded(state.interval_s) * THROTTLE_FACTOR, consecutive_timeouts=0
            )
            if retry_after:
                self._pause_until(db, self._clock() + float(retry_after))

    def on_timeout(self) -> None:
        """Every third timeout in a row adds 50% to the interval."""
        if not self.enabled:
            return
        with self._transaction() as db:
            state = self._read(db)
            timeouts = state.consecutive_timeouts + 1
            interval = self._bounded(state.interval_s)
            if timeouts >= TIMEOUTS_BEFORE_SLOWDOWN:
                interval, timeouts = interval * TIMEOUT_FACTOR, 0
            self._write_interval(db, interval, consecutive_timeouts=timeouts)

    def on_server_error(self) -> None:
        """A 5xx: every process on the host waits ``pause_on_server_error`` seconds."""
        if not self.enabled:
            return
        with self._transaction() as db:
            db.execute("UPDATE limiter_state SET consecutive_timeouts = 0 WHERE id = 1")
            self._pause_until(db, self._clock() + self.pause_on_server_error)

    def _write_interval(
        self, db: sqlite3.Connection, interval: float, *, consecutive_timeouts: int
    ) -> None:
        interval = min(interval, self.max_interval)
        db.execute(
            "UPDATE limiter_state SET interval_s = ?, consecutive_timeouts = ? WHERE id = 1",
            (None if interval <= self.base_interval else interval, consecutive_timeouts),
        )

    @staticmethod
    def _pause_until(db: sqlite3.Connection, until: float) -> None:
        db.execute(
            "UPDATE limiter_state SET pause_until = MAX(pause_until, ?) WHERE id = 1", (until,)
        )

    # -- reporting -----------------------------------------------------------------------

    def current_interval(self) -> float:
        """The spacing the next request gets: adapted, times the quiet-hours factor, capped."""
        with self._transaction() as db:
            state = self._read(db)
        return self._effective_interval(state, self._clock())

    def stats(self) -> dict:
        """Requests granted on this host since the first acquire (or reset), and their rate."""
        with self._transaction() as db:
            state = self._read(db)
        now = self._clock()
        elapsed = now - state.first_start_at if state.first_start_at is not None else 0.0
        return {
            "requests": state.requests,
            "elapsed_s": elapsed,
            "achieved_per_s": state.requests / elapsed if elapsed > 0 else 0.0,
            "interval_s": self._effective_interval(state, now),
        }

    def reset(self) -> None:
        """Forget adapted state and counters (new run). The last start is kept so a new run
        still cannot start closer than one interval after the previous request."""
        with self._transaction() as db:
            db.execute(
                "UPDATE limiter_state SET interval_s = NULL, consecutive_timeouts = 0,"
                " pause_until = 0, first_start_at = NULL, requests = 0 WHERE id = 1"
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
        self._conn, self._conn_pid = conn, pid
        return conn

    def _close(self) -> None:
        with self._lock:
            if self._conn is not None and self._conn_pid == os.getpid():
                self._conn.close()
            self._conn = self._conn_pid = None

    def __del__(self) -> None:
        # sqlite3.Connection sits in a reference cycle, so without this it would stay open
        # until the cyclic GC runs, possibly across a fork (see _close_connections_before_fork).
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
    def _read(db: sqlite3.Connection) -> _State:
        row = db.execute(
            "SELECT last_start_at, interval_s, consecutive_timeouts, pause_until,"
            " first_start_at, requests FROM limiter_state WHERE id = 1"
        ).fetchone()
        return _State(*row)

    def __getstate__(self) -> dict:
        # Picklable for spawned processes: they open their own connection.
        state = self.__dict__.copy()
        state["_conn"] = state["_conn_pid"] = state["_lock"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())
        _limiters.add(self)
