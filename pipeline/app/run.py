"""Watching a run: structured logs, run events, progress line, run summary, one alert.

Hooks the tasks call (kept tiny so tasks stay thin):
- start_run(coverage): in the process that launched the run (once): id, logging.
- track_run(): once Luigi works on the run: progress line, summary and alert at exit.
- record(event): one unit of work finished (any process, any worker).
- report_progress(task, counts): from SeasonBackfill.run, to the scheduler (two requests).

The launcher makes the run id and exports it (BACKFILL_RUN_ID, BACKFILL_EVENTS_PATH) so
forked workers log and record under it; at exit it writes the summary and sends the alert.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# Importing alerts and logs registers their luigi.Config sections ([alerts], [log]) and so
# the --alerts-* and --log-format flags.
from pipeline.app import alerts as alerting
from pipeline.core import events
from pipeline.core.events import RUN_ID_ENV, SEASON_ENV, record, run_id
from pipeline.core.logs import current_format, setup_logging

if TYPE_CHECKING:
    from pipeline.model.work import Coverage

__all__ = ["record", "report_progress", "run_id", "start_run", "track_run"]

logger = logging.getLogger("pipeline.app.run")


@dataclass
class Run:
    run_id: str
    coverage: Coverage
    events_path: str
    started: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)
    progress: object = None
    finished: bool = False
    tracked: bool = False  # Luigi started on it: summarise at exit


_run: Run | None = None


def new_run_id() -> str:
    """Sortable and unique enough: UTC start time plus 6 random hex digits."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{now}-{secrets.token_hex(3)}"


def start_run(coverage: Coverage, dry_run: bool = False) -> Run | None:
    """Called when the run's task is built, in the launching process. Idempotent per
    process: a range's seasons join the range's run."""
    global _run
    setup_logging()
    if dry_run:
        return None  # a dry run writes nothing: no events, no summary, no alert
    if _run is not None:
        return _run
    # An id given by the caller (a scheduler, CI) is kept as the correlation id.
    rid = os.environ.get(RUN_ID_ENV) or new_run_id()
    path = events.events_path(rid)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ[RUN_ID_ENV] = rid
    os.environ[SEASON_ENV] = coverage.label
    os.environ[events.EVENTS_ENV] = str(path)
    _run = Run(rid, coverage, str(path))
    record({"event_type": "run_started", "task_id": coverage.task_id})
    logger.info("run %s started for %s", rid, coverage.task_id, extra={"event_type": "run_started"})
    return _run


def track_run() -> None:
    """Called by SeasonBackfill.complete(): progress line now, summary and alert at exit."""
    from pipeline.app import progress

    if _run is None or _run.tracked:
        return
    _run.tracked = True
    if progress.wanted(current_format()):
        _run.progress = progress.ProgressLine(_run.events_path)
        _run.progress.start()
    atexit.register(finish_run)


def report_progress(task, counts: dict) -> None:
    """Tell the scheduler how far the season is, from SeasonBackfill.run (the only place
    Luigi lets a task do so). Each call is two scheduler requests, so call it per round."""
    done, dead, missing = counts["done"], counts["dead_letter"], counts["missing"]
    total = done + dead + missing
    record({"event_type": "planned", "done": done, "missing": missing, "dead_letter": dead})
    percent = round(100 * (done + dead) / total) if total else 100
    message = (
        f"run {run_id() or '-'}: {done}/{total} (endpoint, game) pairs done, "
        f"{missing} to fetch, {dead} dead-lettered"
    )
    try:
        task.set_progress_percentage(percent)
        task.set_status_message(message)
    except (AttributeError, TypeError):  # outside run(): no scheduler callbacks to call
        pass
    logger.info(message, extra={"event_type": "progress"})


def finish_run() -> dict | None:
    """atexit, launching process only: summary into the lake, short text, one alert."""
    from pipeline.app import summary as summaries

    run = _run
    if run is None or run.finished or os.getpid() != run.pid:
        return None
    run.finished = True
    if run.progress:
        run.progress.stop()
    try:
        result = summaries.build(run, time.time())
        try:
            summaries.write(result)
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
        if current_format() == "text":
            print(text, file=sys.stderr, flush=True)
        result["alerts_sent"] = alerting.send(result, text)
        if result.get("summary_path") and result["alerts_sent"]:
            summaries.write(result)  # note which alerts went out
        with contextlib.suppress(OSError):
            os.unlink(run.events_path)
        return result
    except Exception:
        logger.exception("run summary failed", extra={"event_type": "summary_failed"})
        return None
