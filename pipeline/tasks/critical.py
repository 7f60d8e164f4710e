"""Task failures: every one is in the run's summary, and critical errors stop the whole run
at once (issue 5).

Luigi logs a task's exception in the process that ran it, and a task process that dies
(a signal, a crash in native code) only as an INFO line. `record_*` put each failure
in the run's events, so the summary names the task and the error however long the log.

A CriticalError (storage denied, disk full) fails every task the same way, so going on
would only fail the rest of the season one task at a time. Luigi's worker stops asking for
work on SIGUSR1 (`Worker.handle_interrupt`, installed unless
`[worker] no_install_shutdown_handler`): it lets running tasks end, does not wait out
keep-alive, and exits with `[retcode] task_failed`.

`install()` (called once, from pipeline/__init__.py) puts the handler on our tasks' base
class only. Luigi fires FAILURE in the process that ran the task: the worker itself with
`--workers 1`, a forked task process (whose parent is the worker) with more.

A launcher that wants to know about the stop (`nba-backfill` exits 7, or 9 for
ApiUnreachableError) wraps the build in `watch()`: each stop is appended, one JSON line, to
a file named in the environment, which forked task processes inherit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import pathlib
import signal
import tempfile
from collections.abc import Iterator

import luigi
import luigi.worker

from pipeline.core import events
from pipeline.core.errors import CriticalError
from pipeline.core.redact import redact
from pipeline.tasks.common import PipelineTask

log = logging.getLogger("pipeline.tasks")

STOPS_ENV = "BACKFILL_CRITICAL_STOPS_PATH"


def install() -> None:
    """Record every failure of our tasks, and stop the run on a CriticalError (idempotent).
    On their common base only: other packages' tasks run by the same worker are left alone."""
    PipelineTask.event_handler(luigi.Event.FAILURE)(record_failure)
    PipelineTask.event_handler(luigi.Event.PROCESS_FAILURE)(record_death)
    PipelineTask.event_handler(luigi.Event.TIMEOUT)(record_timeout)
    PipelineTask.event_handler(luigi.Event.FAILURE)(stop_on_critical)


def record_failure(task: luigi.Task, exception: BaseException) -> None:
    """The task raised: in the process that ran it."""
    _record(task, type(exception).__name__, str(exception))


def record_death(task: luigi.Task, message: str) -> None:
    """The task's process died (a signal, a crash): in the worker, with Luigi's words."""
    log.error("%s", message, extra={"event_type": "task_failed"})
    _record(task, "TaskProcessDied", message)


def record_timeout(task: luigi.Task, message: str) -> None:
    """[worker] timeout ended the task's process: in the worker, with Luigi's words."""
    log.error("%s", message, extra={"event_type": "task_failed"})
    _record(task, "TaskTimedOut", message)


def _record(task: luigi.Task, error_type: str, message: str) -> None:
    """One event per failed task, for the run's summary."""
    events.record(
        {
            "event_type": "task_failed",
            "task": _shortened(str(task), 160),  # its parameters (a batch: 50 game ids)
            "error_type": error_type,
            "error": redact(message)[:500],
        }
    )


def _shortened(text: str, at_most: int) -> str:
    return text if len(text) <= at_most else text[: at_most - 4] + "...)"


def _worker_pid() -> int:
    """The Luigi worker's pid, found now: the parent of a forked task process, else us."""
    if isinstance(multiprocessing.current_process(), luigi.worker.TaskProcess):
        return os.getppid()
    return os.getpid()


def _worker_listens(pid: int) -> bool:
    """True when the process `pid` is a Luigi worker with its SIGUSR1 handler installed. A
    forked task process inherits its parent's handlers, so it can tell without asking; the
    worker records the pid it was created in."""
    worker = getattr(signal.getsignal(signal.SIGUSR1), "__self__", None)
    return (
        isinstance(worker, luigi.worker.Worker)
        and dict(getattr(worker, "_worker_info", ())).get("pid") == pid
    )


def stop_on_critical(task: luigi.Task, exception: BaseException) -> None:
    if not isinstance(exception, CriticalError):
        return
    error_type = type(exception).__name__
    log.critical(
        "critical: %s: %s; stopping the run",
        error_type,
        exception,
        extra={"event_type": "critical", "error_type": error_type},
    )
    _note_stop(task, error_type, exception)
    worker_pid = _worker_pid()
    if _worker_listens(worker_pid):
        os.kill(worker_pid, signal.SIGUSR1)
    else:  # e.g. luigi.build(..., no_install_shutdown_handler=True): nothing to tell
        log.error(
            "no Luigi worker to stop (no SIGUSR1 handler): the run goes on",
            extra={"event_type": "critical"},
        )


def _note_stop(task: luigi.Task, error_type: str, exception: BaseException) -> None:
    path = os.environ.get(STOPS_ENV)
    if not path:
        return
    note = {"error_type": error_type, "error": str(exception), "task": task.task_id}
    try:  # task processes may write at once: events.append is one write() per line
        events.append(path, note)
    except OSError as exc:  # the stop itself matters more than its note
        log.error("could not note the critical stop: %s", exc, extra={"event_type": "critical"})


@contextlib.contextmanager
def watch() -> Iterator[list[dict]]:
    """Collect the critical stops of the Luigi run inside the block, from every process.

    Yields a list that is filled, once the block ends, with one dict (error_type, error,
    task) per stop, in order.
    """
    stops: list[dict] = []
    previous = os.environ.get(STOPS_ENV)
    with tempfile.TemporaryDirectory(prefix="nba-backfill-") as folder:
        path = pathlib.Path(folder) / "critical-stops.jsonl"
        os.environ[STOPS_ENV] = str(path)
        try:
            yield stops
        finally:
            if previous is None:
                os.environ.pop(STOPS_ENV, None)
            else:
                os.environ[STOPS_ENV] = previous
            if path.exists():
                stops.extend(
                    json.loads(line) for line in path.read_text().splitlines() if line.strip()
                )
