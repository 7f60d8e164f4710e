"""The run's events file: one JSON line per finished unit of work, from any process.

A local file keyed by run id, appended with O_APPEND and one write() per line, so forked
workers can write at once without a lock and the launcher can tail it for progress.
"""

from __future__ import annotations

import json
import os
import pathlib
import tempfile
import time

EVENTS_ENV = "BACKFILL_EVENTS_PATH"


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
