"""Per-process state, in one place: the lakes, the API client, the S3 client, caches,
the current run.

Luigi forks a process per task run (`--workers N`), and a forked child inherits its
parent's memory: sockets, SQLite connections, locks that were held at fork time and
listings that other workers have since made stale. Every such thing lives in the one
Runtime of the process, built lazily from configuration; the lower layers hold none of it
(the Lake is handed its S3 client, the work model its game indexes). The package's one
fork hook is registered here: before a fork it closes the limiters' SQLite connections,
and a forked child starts from a fresh Runtime. Only pure data is handed down: game
indexes read from the lake (keyed by their path), the work lists made from them, and the
run the process works for (its id, scope and lake; pipeline.app.run), which only its
launching process finishes.

What is process-wide by nature and so lives outside the Runtime, each for a reason:
- the secrets to mask (core.redact): every log line of the process, in any layer, must
  mask every secret known to it, and a forked child must keep masking its parent's;
- the open limiter connections (nba.ratelimit): only so that the fork hook above can
  close them, whoever built the limiter;
- nba_api's session, which nba_api keeps on its class: the client installs its own on
  first use in each process (a child builds a new client, so a new session);
- the run's id and events file (core.events): environment variables, the only channel
  from the launcher to Luigi's forked workers;
- Arrow's allocator: glibc's, set once at import for the process and its forked children;
- the threads that issue a local store's fsyncs (lake.store): the lake layer cannot reach
  the Runtime, and a forked child, whose copy has no threads, starts its own.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

import pyarrow as pa

from pipeline.core import config

# Arrow's buffers from glibc's allocator, not pyarrow's bundled mimalloc, which keeps the
# pages of freed buffers: a season's end passes (game-log check, compaction, validation)
# in one process peaked at 498 MB with mimalloc and 369 MB with this, and ran no slower
# (issue 23; `python bench/bench_passes.py`, in the README's Performance section).
pa.set_memory_pool(pa.system_memory_pool())

if TYPE_CHECKING:
    from pipeline.lake.lake import Lake
    from pipeline.model.work import Scope, SeasonWork
    from pipeline.nba.client import NbaClient
    from pipeline.nba.games import Game


class Runtime:
    def __init__(self, game_indexes: dict | None = None, run=None, work_lists: dict | None = None):
        self._lock = threading.Lock()
        self._lakes: dict[str, Lake] = {}
        self._client: NbaClient | None = None
        self._s3_client = None
        self.game_indexes: dict[str, dict[str, Game]] = dict(game_indexes or {})
        # Seasons' work lists, made from those indexes (SeasonWork.game_work).
        self.work_lists: dict = dict(work_lists or {})
        self.preflighted: set[str] = set()
        # The run this process launched or works for (pipeline.app.run.Run), or None.
        self.run = run

    def lake(self, root: str | None = None) -> Lake:
        """One Lake per root, so its listing cache is shared by every task of the process."""
        from pipeline.lake.lake import Lake

        root = (root or config.lake_root()).rstrip("/")
        with self._lock:
            if root not in self._lakes:
                self._lakes[root] = Lake(root, s3_client=self.s3_client)
            return self._lakes[root]

    def client(self) -> NbaClient:
        from pipeline.nba.client import NbaClient

        with self._lock:
            if self._client is None:
                self._client = NbaClient.from_config()
            return self._client

    def s3_client(self):
        """The process's S3 client (boto3 plus Luigi's S3Client), built from [s3] config."""
        from pipeline.lake.s3.client import build_client

        with self._lock:
            if self._s3_client is None:
                self._s3_client = build_client()
            return self._s3_client

    def season_games(self, lake: Lake, season: str) -> dict[str, Game]:
        """The season's game index by game id, read once per process and index file."""
        from pipeline.model.work import season_games

        return season_games(lake, season, self.game_indexes)

    def season_work(self, scope: Scope, **options) -> SeasonWork:
        """A season's work model over the configured lake, sharing this process's indexes."""
        from pipeline.model.work import SeasonWork

        return SeasonWork(
            self.lake(), scope, indexes=self.game_indexes, work_lists=self.work_lists, **options
        )

    def preflight(self) -> None:
        """Check the settings for stats.nba.com, the lake and the Glue database before any
        API call (each once per process: an S3 bucket we can list and write, a local folder
        we can create and write): bad input if unusable."""
        from pipeline.core.errors import BadInput, StorageError
        from pipeline.nba.egress import configured

        configured()  # proxies (and their passwords, for the redactor)
        config.request_headers()
        database = config.glue_database()  # its name, before any request
        root = config.lake_root()
        if root not in self.preflighted:
            from pipeline.lake.s3.preflight import preflight
            from pipeline.lake.store import check_writable

            try:
                if root.startswith("s3://"):
                    preflight(root)
                else:
                    check_writable(root)
            except StorageError as exc:
                raise BadInput(str(exc)) from None
            self.preflighted.add(root)
        if database and f"glue:{database}" not in self.preflighted:
            from pipeline.app import glue

            glue.preflight(database, root)
            self.preflighted.add(f"glue:{database}")


_current: Runtime | None = None


def current() -> Runtime:
    global _current
    if _current is None:
        _current = Runtime()
    return _current


def lake() -> Lake:
    """The lake configured for this process."""
    return current().lake()


def reset() -> None:
    """A fresh runtime (after a configuration change, e.g. in tests)."""
    global _current
    _current = None


def _before_fork() -> None:
    # SQLite connections must not be open across fork(). Only a limiter already imported
    # can hold one (and importing while forking could deadlock on the import lock).
    ratelimit = sys.modules.get("pipeline.nba.ratelimit")
    if ratelimit is not None:
        ratelimit.close_connections()


def _after_fork_in_child() -> None:
    global _current
    if _current is None:
        return
    _current = Runtime(
        game_indexes=_current.game_indexes, run=_current.run, work_lists=_current.work_lists
    )


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
