"""Several hosts on one luigid: each host's exit code is the lake's, and a host that cannot
get an API slot says why.

Exit codes. Luigi decides a run's exit code (`luigi` and `nba-backfill` alike) from the
worker's own view, `luigi.execution_summary._summary_dict`: a task another host ran counts
here as "run by another worker" (6) or "not run" (3), and a task that failed here but that
another host then landed as "failed" (4), though the lake has it all. `install()` wraps that
one function: a task of ours in one of those states that is complete now, in the lake, is
counted as done. So a host exits 0 when everything asked for is there, whoever fetched it;
3 only for dead letters (never complete); 4 only for what is still missing after a failure.

API slots. luigid enforces `[resources] nba_api` over every host together. When it is less
than hosts x workers, the first host's workers can hold every slot and the others sit idle.
`watch_slots()` (from the season task, in the launching process) asks luigid every few
seconds, and if this host has API tasks waiting while other hosts' workers hold every slot,
it says so once, with the cap, the workers waiting and the cap that would use them all.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

import luigi
import luigi.execution_summary
import luigi.rpc
import luigi.worker

from pipeline.app import runtime
from pipeline.tasks.common import PipelineTask

log = logging.getLogger("pipeline.tasks")

# Luigi's outcomes that a task done by another host (or redone by one) ends up in. A task
# that yielded dynamic dependencies and was then finished by another host is left pending
# "external" here; a dead letter (never complete) stays there and keeps its code, 3.
UNSETTLED = (
    "failed",
    "run_by_other_worker",
    "not_run",
    "still_pending_ext",
    "still_pending_not_ext",
    "upstream_failure",
    "upstream_run_by_other_worker",
    "upstream_missing_dependency",
    "upstream_scheduling_error",
)
POLL_SECONDS = 1.0
PENDING_WAIT_SECONDS = 600.0
STARVED_POLLS = 2  # in a row, before saying so: a slot freed between batches is not news


def install() -> None:
    """Count tasks the lake has as done in Luigi's run summary (idempotent)."""
    summary = luigi.execution_summary
    if getattr(summary._summary_dict, "lake_says", False):
        return
    luigi_says = summary._summary_dict

    def lake_says(worker):
        tasks = luigi_says(worker)
        settle_by_lake(tasks, worker)
        return tasks

    lake_says.lake_says = True
    summary._summary_dict = lake_says


def settle_by_lake(tasks: dict[str, set], worker) -> None:
    ours = {
        t
        for name in UNSETTLED
        for t in tasks[name]
        if isinstance(t, PipelineTask) and t.lake_settles
    }
    if not ours:
        return
    wait_for_other_hosts(worker, ours)
    runtime.lake().forget_listings()  # other hosts wrote since this process listed
    done = {t for t in ours if _complete(t)}
    for name in UNSETTLED:
        tasks[name] -= done
    tasks["already_done"] |= done


def wait_for_other_hosts(worker, tasks: set) -> None:
    """A host runs out of work (or of patience: keep-alive) while another host still works
    on tasks of this one's, such as the season's last rounds (the game logs, compaction,
    the report): their outcome is this host's too. Wait while luigid has one of them
    running, or pending while another worker is busy (a host that dies is failed by luigid,
    which ends the wait)."""
    scheduler = getattr(worker, "_scheduler", None)
    if not isinstance(scheduler, luigi.rpc.RemoteScheduler):
        return
    ids = {t.task_id for t in tasks}

    def waiting_on(*statuses: str) -> set[str]:
        return ids & {
            task_id
            for status in statuses
            for task_id in scheduler.task_list(status, "", limit=False)
        }

    said = False
    # Pending tasks may wait on what never comes (a dead letter) while another host works on
    # something else: that part of the wait is bounded.
    pending_until = time.monotonic() + PENDING_WAIT_SECONDS
    while True:
        try:
            waiting = waiting_on("RUNNING", "BATCH_RUNNING")
            if not waiting:
                others = [w for w in scheduler.worker_list() if w["name"] != worker._id]
                busy = any(w.get("num_running") for w in others)
                if not busy or time.monotonic() > pending_until:
                    return
                waiting = waiting_on("PENDING")
        except Exception:  # luigid gone: the lake as it is now
            return
        if not waiting:
            return
        if not said:
            log.info("waiting for other hosts to finish %d of this run's tasks", len(waiting))
            said = True
        time.sleep(POLL_SECONDS)


def _complete(task: luigi.Task) -> bool:
    try:
        return bool(task.complete())
    except Exception:  # unknown is not done; the run's own outcome stands
        return False


# --- batches ---------------------------------------------------------------------------


def batches_are_safe() -> bool:
    """Whether this process's Luigi worker may take batches: not from luigid. Luigi 3.8.1's
    scheduler marks a batch's tasks BATCH_RUNNING, which [resources] does not count, until
    the worker reports the batch running: in between, another host gets a slot that is not
    free (two API requests at once under nba_api = 1). And it puts other hosts' pending
    tasks in a batch, then fails them at its next prune (the worker running them is not
    theirs): their host waits [scheduler] retry_delay, 15 minutes by default. One task per
    item under luigid; the local scheduler batches."""
    worker = _this_worker()
    return worker is None or not isinstance(worker._scheduler, luigi.rpc.RemoteScheduler)


def _this_worker() -> luigi.worker.Worker | None:
    # Luigi's worker installs its SIGUSR1 handler (a bound method) when it is made.
    worker = getattr(signal.getsignal(signal.SIGUSR1), "__self__", None)
    return worker if isinstance(worker, luigi.worker.Worker) else None


# --- API slots ------------------------------------------------------------------------


_watching: set[str] = set()


def watch_slots(resource: str = "nba_api") -> None:
    """Start the slot watch for this process's Luigi worker, if it works for luigid."""
    worker = _this_worker()
    if worker is None:
        return
    if dict(worker._worker_info).get("pid") != os.getpid():
        return  # a forked task process: its parent watches
    scheduler = worker._scheduler
    if not isinstance(scheduler, luigi.rpc.RemoteScheduler) or worker._id in _watching:
        return
    _watching.add(worker._id)
    watch = SlotWatch(scheduler._url, worker._id, resource)
    threading.Thread(target=watch.run, name="slot-watch", daemon=True).start()


class SlotWatch:
    def __init__(self, url: str, worker_id: str, resource: str):
        self.luigid = luigi.rpc.RemoteScheduler(url)
        self.worker_id = worker_id
        self.resource = resource
        self.stop = threading.Event()

    def run(self) -> None:
        starved = 0
        while not self.stop.wait(POLL_SECONDS):
            try:
                message = self.starved()
            except Exception:  # luigid busy or gone: the worker itself will say so
                message = None
            starved = starved + 1 if message else 0
            if starved >= STARVED_POLLS:
                log.warning(message)
                return

    def starved(self) -> str | None:
        """What to say, if this host waits for a slot that other hosts' workers all hold."""
        slots = next((r for r in self.luigid.resource_list() if r["name"] == self.resource), None)
        if slots is None or slots["num_used"] < slots["num_total"]:
            return None
        if any(t.get("worker_running") == self.worker_id for t in slots["running"].values()):
            return None
        workers = self.luigid.worker_list()
        me = next((w for w in workers if w["name"] == self.worker_id), None)
        # A worker tells luigid its number of processes when it starts asking for work.
        if me is None or not me.get("workers") or me["num_running"] or not me["num_pending"]:
            return None
        waiting_here = self.luigid.task_list("PENDING", "", limit=False, search="Endpoint(")
        if not any(self.worker_id in t["workers"] for t in waiting_here.values()):
            return None  # what this host waits for is not an API slot
        hosts = [w for w in workers if w.get("workers") and (w["num_pending"] or w["num_running"])]
        waiting = sum(max(0, w["workers"] - w["num_running"]) for w in hosts if w["num_pending"])
        wanted = sum(w["workers"] for w in hosts)
        return (
            f"this host has API tasks waiting but no {self.resource} slot: luigid allows "
            f"{self.resource} = {slots['num_total']} at once, all held by other hosts' "
            f"workers, and {waiting} workers wait for one. Give every worker of every host a "
            f"slot: [resources] {self.resource} = {wanted} ({len(hosts)} hosts x their "
            f"--workers) in luigid's own config, then restart luigid."
        )
