"""Critical errors stop the whole run at once (issue 5).

A CriticalError (storage denied, disk full, invalid configuration) fails every task the same
way, so going on would only fail the rest of the season one task at a time. Luigi's worker
stops asking for work on SIGUSR1 (`Worker.handle_interrupt`, installed unless
`[worker] no_install_shutdown_handler`): it lets running tasks end, does not wait out
keep-alive, and exits with `[retcode] task_failed`.

Luigi fires the FAILURE event in the process that ran the task: the worker itself with
`--workers 1`, a forked child with more. Either way the worker is the process that imported
the pipeline (`luigi --module pipeline ...`), whose pid is recorded here at import and
inherited by the forked children.
"""

from __future__ import annotations

import logging
import os
import signal

import luigi
import luigi.worker

from pipeline.errors import CriticalError

log = logging.getLogger("pipeline.tasks")

# The Luigi worker's process: the one importing this module (children inherit the value).
WORKER_PID = os.getpid()


def _worker_listens() -> bool:
    """True when the worker we would signal has Luigi's SIGUSR1 handler installed. A forked
    task process inherits its parent's handlers, so it can tell without asking."""
    handler = signal.getsignal(signal.SIGUSR1)
    return isinstance(getattr(handler, "__self__", None), luigi.worker.Worker) and WORKER_PID in (
        os.getpid(),
        os.getppid(),
    )


@luigi.Task.event_handler(luigi.Event.FAILURE)
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
    if _worker_listens():
        os.kill(WORKER_PID, signal.SIGUSR1)
    else:  # e.g. luigi.build(..., no_install_shutdown_handler=True): nothing to tell
        log.error(
            "no Luigi worker to stop (no SIGUSR1 handler): the run goes on",
            extra={"event_type": "critical"},
        )
