"""The terminal progress line: done/total, request rate, failures, ETA.

A daemon thread in the launching process tails the run's events file; it writes to stderr
only when stderr is a terminal and logs are text, at most every INTERVAL_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time

from pipeline.core.events import Reader

INTERVAL_SECONDS = 2.0
ITEM_EVENTS = ("fetched", "rederived", "dead_letter", "failed")


class Progress:
    """Counts from events; `line()` renders them. Separate from the thread to test it."""

    def __init__(self):
        self.total = None
        self.done = self.failed = self.requests = 0
        self.first_ts = self.last_ts = None

    def add(self, events: list[dict]) -> None:
        for event in events:
            kind = event.get("event_type")
            if kind == "planned" and self.total is None:
                self.total = int(event.get("missing") or 0)
            elif kind == "request":
                self.requests += 1
            elif kind in ITEM_EVENTS:
                self.done += 1
                self.failed += kind == "failed"
            else:
                continue
            ts = event.get("ts") or time.time()
            self.first_ts = self.first_ts or ts
            self.last_ts = ts

    def line(self, now: float | None = None) -> str:
        now = now or time.time()
        elapsed = max(now - self.first_ts, 1e-6) if self.first_ts else 0.0
        rate = self.requests / elapsed if elapsed else 0.0
        total = "?" if self.total is None else str(self.total)
        eta = "?"
        if self.total is not None and self.done and elapsed:
            remaining = max(self.total - self.done, 0)
            eta = str(dt.timedelta(seconds=round(remaining * elapsed / self.done)))
        return f"{self.done}/{total} done | {rate:.2f} req/s | {self.failed} failed | ETA {eta}"


class ProgressLine(threading.Thread):
    def __init__(self, events_path, stream=None, interval: float = INTERVAL_SECONDS):
        super().__init__(name="backfill-progress", daemon=True)
        self.reader = Reader(events_path)
        self.progress = Progress()
        self.stream = stream or sys.stderr
        self.interval = interval
        self._halt = threading.Event()
        self._shown = ""

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.refresh()

    def refresh(self) -> None:
        self.progress.add(self.reader.read_new())
        if self.progress.first_ts is None:
            return
        text = self.progress.line()
        if text != self._shown:
            self.stream.write("\r\033[K" + text)
            self.stream.flush()
            self._shown = text

    def stop(self) -> None:
        self._halt.set()
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def wanted(log_format: str, stream=None) -> bool:
    stream = stream or sys.stderr
    return log_format == "text" and getattr(stream, "isatty", lambda: False)()
