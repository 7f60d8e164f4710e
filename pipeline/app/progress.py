"""The terminal progress line: the whole run's done/total phase by phase, rate, ETA.

    games 12/20, players and teams 0/~130 | 12/~150 done | 4.53 req/s | 0 failed | ETA ~0:00:31

The work model plans the whole run before its first request (pipeline.model.work.Outlook,
recorded as "planned" events, per season and phase, each time the season task looks
again): games first, then players, teams and the season-level answers; players not known
yet (their games' box scores are not stored) are an estimate, shown with "~". Items finished
(any worker) come from the run's events file. A daemon thread in the launching process
tails that file; it writes to stderr only when stderr is a terminal and logs are text, at
most every INTERVAL_SECONDS, and only once it can give a total and an ETA.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time

from pipeline.core.events import Reader

INTERVAL_SECONDS = 2.0
SETTLED = ("fetched", "rederived", "dead_letter")
PHASES = {"games": "games", "others": "players and teams"}


def phase_of(event: dict) -> str:
    return "games" if event.get("game_id") else "others"


class Progress:
    """Counts from events; `line()` renders them. Separate from the thread to test it."""

    def __init__(self):
        # (season, phase) -> [done, left to do (known), left to do (estimated)]
        self.plan: dict[tuple[str, str], list[int]] = {}
        self.done: dict[tuple[str, str], int] = {}
        self.failed = self.requests = 0
        self.seconds_per_request = None
        self.season = None  # the season planned last
        self.first_ts = self.first_item_ts = self.last_ts = None

    def add(self, events: list[dict]) -> None:
        for event in events:
            kind = event.get("event_type")
            ts = event.get("ts") or time.time()
            if kind == "planned":
                self._planned(event)
            elif kind == "request":
                self.requests += 1
            elif kind in SETTLED:
                # A bio is lake-wide (no season): it counts for the season being planned.
                key = (str(event.get("season") or self.season), phase_of(event))
                self.done[key] = self.done.get(key, 0) + 1
                self.first_item_ts = self.first_item_ts or ts
            elif kind == "failed":
                self.failed += 1
            else:
                continue
            self.first_ts = self.first_ts or ts
            self.last_ts = ts

    def _planned(self, event: dict) -> None:
        """Each plan says what is left, as seen when it was made: what this run has settled
        since its first plan counts as done beside it."""
        self.seconds_per_request = event.get("seconds_per_request") or self.seconds_per_request
        self.season = str(event.get("season"))
        for phase in PHASES:
            counts = event.get(phase) or {}
            key = (str(event.get("season")), phase)
            self.plan[key] = [
                self.done.get(key, 0),
                int(counts.get("missing") or 0),
                int(counts.get("estimated") or 0),
            ]

    def phase(self, phase: str) -> tuple[int, int, bool]:
        """(done, total, estimated) of a phase over every season planned."""
        done = total = 0
        estimated = False
        for (_, name), (done_then, missing, guess) in self.plan.items():
            if name != phase:
                continue
            now = self.done.get((_, name), 0)
            done += now
            total += now + max(missing + guess - (now - done_then), 0)
            estimated = estimated or (guess > 0 and now - done_then < missing + guess)
        return done, total, estimated

    def line(self, now: float | None = None) -> str | None:
        """The line, or None while the total or the ETA is not known yet."""
        if not self.plan:
            return None
        now = now or time.time()
        phases = {name: self.phase(key) for key, name in PHASES.items()}
        done = sum(d for d, _, _ in phases.values())
        total = sum(t for _, t, _ in phases.values())
        about = "~" if any(e for _, _, e in phases.values()) else ""
        eta = self._eta(total - done, done, now)
        if eta is None:
            return None
        elapsed = max(now - self.first_ts, 1e-6) if self.first_ts else 0.0
        rate = self.requests / elapsed if elapsed else 0.0
        shown = ", ".join(
            f"{name} {d}/{'~' if e else ''}{t}" for name, (d, t, e) in phases.items() if t
        )
        return (
            f"{shown or 'nothing to fetch'} | {done}/{about}{total} done | {rate:.2f} req/s | "
            f"{self.failed} failed | ETA {about}{eta}"
        )

    def _eta(self, remaining: int, done: int, now: float) -> str | None:
        if remaining <= 0:
            return str(dt.timedelta(0))
        if done and self.first_item_ts:
            # Measured from the plan on: the pace so far, over every phase.
            started = min(self.first_ts or now, self.first_item_ts)
            seconds = remaining * max(now - started, 1e-6) / done
        elif self.seconds_per_request:  # nothing finished yet: the configured pace
            seconds = remaining * self.seconds_per_request
        else:
            return None
        return str(dt.timedelta(seconds=round(seconds)))


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
        text = self.progress.line()
        if text and text != self._shown:
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
