"""The run's events file: one JSON line per finished unit of work, from any process.

A local file keyed by run id, appended with O_APPEND and one write() per line, so forked
workers can write at once without a lock and the launcher can tail it for progress.
"""

from __future__ import annotations

import json
import logging
import os
import pathlib
import tempfile
import time

# A run's identity and its events file reach forked workers through the environment.
EVENTS_ENV = "BACKFILL_EVENTS_PATH"
RUN_ID_ENV = "BACKFILL_RUN_ID"
SEASON_ENV = "BACKFILL_SEASON"

logger = logging.getLogger("pipeline.core.events")


def run_id() -> str | None:
    """The id of the run this process works for (None outside a run)."""
    return os.environ.get(RUN_ID_ENV)


def record(event: dict) -> None:
    """Append one event to the run's events file (no-op outside a run, e.g. a dry run)."""
    path = os.environ.get(EVENTS_ENV)
    if not path:
        return
    try:
        append(path, {"run_id": run_id(), **event})
    except OSError as exc:  # observing must never fail the work itself
        logger.warning("could not record event: %s", exc, extra={"event_type": "observe_error"})


def events_path(run_id: str) -> pathlib.Path:
    folder = pathlib.Path(tempfile.gettempdir()) / "nba-backfill" / "runs"
    return folder / f"{run_id}.events.jsonl"


def append(path: str | os.PathLike, event: dict) -> None:
    line = json.dumps({"ts": time.time(), "pid": os.getpid(), **event}, default=str) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


class Reader:
    """Reads new complete lines since the last call (a half-written line waits)."""

    def __init__(self, path: str | os.PathLike):
        self.path = pathlib.Path(path)
        self.offset = 0

    def read_new(self) -> list[dict]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        events = []
        for line in data[:end].splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        return events


def read_all(path: str | os.PathLike) -> list[dict]:
    return Reader(path).read_new()
