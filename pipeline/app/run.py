"""Watching a run: structured logs, run events, progress line, run summary, one alert.

Hooks the tasks call (kept tiny so tasks stay thin):
- start_run(coverage): in the process that launched the run (once): id, logging.
- track_run(): once Luigi works on the run: the whole run's plan, progress line, and the
  summary and alert at exit.
- record(event): one unit of work finished (any process, any worker).
- report_progress(task, work): from SeasonBackfill.run, to the scheduler and the log.
- interrupted(): Ctrl-C: the summary says so, and one line says how to resume.

The launcher makes the run id and exports it (BACKFILL_RUN_ID, BACKFILL_EVENTS_PATH) so
forked workers log and record under it; at exit it writes the summary and sends the alert.
The run itself lives in the process runtime (pipeline.app.runtime), with the lake root and
settings it started with: `luigi` sets --lake-root only while it builds and runs the tasks,
and the summary is written after that, at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import os
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# Importing alerts and logs registers their luigi.Config sections ([alerts], [log]) and so
# the --alerts-* and --log-format flags.
from pipeline.app import alerts as alerting
from pipeline.app import runtime
from pipeline.core import config, events
from pipeline.core.events import RUN_ID_ENV, SEASON_ENV, record, run_id
from pipeline.core.logs import current_format, setup_logging

if TYPE_CHECKING:
    from pipeline.model.work import Coverage, Outlook, SeasonWork

__all__ = [
    "interrupted",
    "record",
    "report_progress",
    "run_id",
    "start_run",
    "track_run",
]

logger = logging.getLogger("pipeline.app.run")
INTERRUPTED_EXIT_CODE = 130  # 128 + SIGINT, as shells report it


@dataclass
class Run:
    run_id: str
    coverage: Coverage
    events_path: str
    # Where the run writes and what it runs with, taken when it starts: the summary follows
    # the task's own parameters (`luigi ... --lake-root X`), not what is configured at exit.
    lake_root: str = field(default_factory=config.lake_root)
    effective: dict = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)
    progress: object = None
    finished: bool = False
    tracked: bool = False  # Luigi started on it: summarise at exit
    interrupted: bool = False  # Ctrl-C (SIGINT)
    reported: str = ""  # the last progress report logged by this process

    def lake(self):
        return runtime.current().lake(self.lake_root)


def current() -> Run | None:
    return runtime.current().run


def new_run_id() -> str:
    """Sortable and unique enough: UTC start time plus 6 random hex digits."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{now}-{secrets.token_hex(3)}"


def effective_settings() -> dict:
    from pipeline.nba.egress import host_rate

    return {
        "lake_root": config.lake_root(),
        "base_url": config.base_url(),
        "rate_limit_seconds": config.rate_limit_seconds(),
        "max_retries": config.nba().max_retries,
        "host_rate_per_s": host_rate(),
    }


def start_run(coverage: Coverage, dry_run: bool = False) -> Run | None:
    """Called when the run's task is built, in the launching process. Idempotent per
    process: a range's seasons join the range's run."""
    setup_logging()
    if dry_run:
        return None  # a dry run writes nothing: no events, no summary, no alert
    state = runtime.current()
    if state.run is not None:
        return state.run
    # An id given by the caller (a scheduler, CI) is kept as the correlation id.
    rid = os.environ.get(RUN_ID_ENV) or new_run_id()
    path = events.events_path(rid)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ[RUN_ID_ENV] = rid
    os.environ[SEASON_ENV] = coverage.label
    os.environ[events.EVENTS_ENV] = str(path)
    state.run = Run(rid, coverage, str(path), effective=effective_settings())
    _catch_interrupts()
    record({"event_type": "run_started", "task_id": coverage.task_id})
    logger.info("run %s started for %s", rid, coverage.task_id, extra={"event_type": "run_started"})
    return state.run


def _catch_interrupts() -> None:
    """Ctrl-C marks the run interrupted (its summary says so), and an interrupt nobody
    catches (`luigi ...`) ends in one line, not a traceback."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return  # ignored (nohup, a background job) or someone else's: left alone

    def on_sigint(signum, frame):
        run = current()
        if run is not None and os.getpid() == run.pid:
            run.interrupted = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    previous_hook = sys.excepthook

    def excepthook(kind, value, trace):
        if issubclass(kind, KeyboardInterrupt):
            print(interrupted(), file=sys.stderr, flush=True)
            return
        previous_hook(kind, value, trace)

    sys.excepthook = excepthook


def track_run() -> None:
    """Called by SeasonBackfill.complete(): the whole run's plan and the progress line now,
    summary and alert at exit."""
    from pipeline.app import progress

    run = current()
    if run is None or run.tracked or os.getpid() != run.pid:
        return
    run.tracked = True
    # Each season whose index this run can trust is planned now; the others (no index yet,
    # or a season in progress not discovered again yet) when their task runs. A throwaway
    # cache of indexes: an index read here must not outlive its rediscovery in the workers
    # this process forks.
    with contextlib.suppress(Exception):
        for work in run.coverage.seasons(run.lake(), {}):
            if work.has_index() and work.index_current():
                report_progress(None, work)
    if progress.wanted(current_format()):
        run.progress = progress.ProgressLine(run.events_path)
        run.progress.start()
    atexit.register(finish_run)


def _record_plan(work: SeasonWork, outlook: Outlook) -> None:
    record(
        {
            "event_type": "planned",
            "season": work.season,
            "games": outlook.games.as_dict(),
            "others": outlook.others.as_dict(),
            "seconds_per_request": _seconds_per_request(),
        }
    )


def _seconds_per_request() -> float | None:
    run = current()
    rate = (run.effective if run else effective_settings()).get("host_rate_per_s")
    return round(1 / rate, 6) if rate else None


def report_progress(task, work: SeasonWork) -> None:
    """Record the season's plan, phase by phase (the progress line reads it), and tell the
    scheduler and the log how far it is. From track_run (task None: the run's start) and
    SeasonBackfill.run (the only place Luigi lets a task report); each call with a task is
    two scheduler requests, so call it per round."""
    outlook = work.outlook()
    _record_plan(work, outlook)
    phases = {"games": outlook.games, "players and teams": outlook.others}
    done = sum(p.done for p in phases.values())
    total = sum(p.total for p in phases.values())
    about = "~" if outlook.others.estimated else ""
    message = f"run {run_id() or '-'}: {work.season}: " + ", ".join(
        f"{name} {p.done}/{'~' if p.estimated else ''}{p.total}" for name, p in phases.items()
    )
    message += f" done; {about}{outlook.requests} to fetch"
    if task is not None:
        try:
            task.set_progress_percentage(round(100 * done / total) if total else 100)
            task.set_status_message(message)
        except (AttributeError, TypeError):  # outside run(): no scheduler callbacks to call
            pass
    run = current()
    if run is None or run.reported != message:  # each round asks; the log says it once
        logger.info(message, extra={"event_type": "progress"})
    if run is not None:
        run.reported = message


def finish_run() -> dict | None:
    """atexit, launching process only: summary into the lake, short text, one alert."""
    from pipeline.app import summary as summaries

    run = current()
    if run is None or run.finished or os.getpid() != run.pid:
        return None
    run.finished = True
    if run.progress:
        run.progress.stop()
    try:
        result = summaries.build(run, time.time())
        try:
            summaries.write(run, result)
        except Exception as exc:
            logger.error(
                "could not write the run summary: %s",
                exc,
                extra={"event_type": "summary_failed", "error_type": type(exc).__name__},
            )
        text = summaries.short_text(result)
        logger.info(
            "run summary: %s",
            result.get("summary_path"),
            extra={
                "event_type": "run_summary",
                **{
                    k: result[k]
                    for k in (
                        "status",
                        "requests",
                        "retries",
                        "bytes_stored",
                        "counts",
                        "rate_achieved_per_s",
                    )
                },
            },
        )
        if current_format() == "text" and not run.interrupted:
            print(text, file=sys.stderr, flush=True)
        result["alerts_sent"] = alerting.send(result, text)
        if result.get("summary_path") and result["alerts_sent"]:
            summaries.write(run, result)  # note which alerts went out
        with contextlib.suppress(OSError):
            os.unlink(run.events_path)
        return result
    except Exception:
        logger.exception("run summary failed", extra={"event_type": "summary_failed"})
        return None


def interrupted() -> str:
    """Ctrl-C: finish the run as interrupted and say, in one line, where it stands."""
    run = current()
    if run is None or os.getpid() != run.pid:
        return "interrupted"
    run.interrupted = True
    result = finish_run() or {}
    counts = result.get("counts") or {}
    stored = counts.get("fetched", 0) + counts.get("rederived", 0)
    left = (result.get("remaining") or {}).get("requests")
    exact = (result.get("remaining") or {}).get("exact")
    left_text = "" if left is None else f", {'' if exact else 'about '}{left} requests left"
    return f"interrupted; {stored} stored{left_text}, rerun the same command to resume"
