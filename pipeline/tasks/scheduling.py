"""Luigi's in-process scheduler, its task graph pruned once a second rather than on every
request for work.

Luigi's local scheduler (`--local-scheduler`, and `nba-backfill run`) prunes its whole task
graph each time a worker asks for work: every task's status updated, every worker's last
contact checked. A season is 5,800 tasks, so a season run made 5,800 x 5,800 task visits in
the launching process, one pass between each task and the next: quadratic in the tasks a
build holds, and a whole history holds many seasons' (bench/bench_season.py). Pruning makes
seconds-scale decisions (a failed task retried after [scheduler] retry_delay, a dead
worker's tasks failed, done tasks dropped after remove_delay): once a second still makes
them in time. luigid, the central scheduler, is Luigi's own and unchanged.
"""

from __future__ import annotations

import time

import luigi.interface
from luigi import scheduler

PRUNE_EVERY_SECONDS = 1.0


class LocalScheduler(scheduler.Scheduler):
    _pruned_at = float("-inf")

    def prune(self):
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        super().prune()


def _create_local_scheduler(self) -> LocalScheduler:
    # As Luigi's own factory makes its local scheduler (luigi/interface.py), but ours.
    return LocalScheduler(prune_on_get_work=True, record_task_history=False)


def install() -> None:
    """Every in-process Luigi build of this process gets a LocalScheduler (idempotent)."""
    luigi.interface._WorkerSchedulerFactory.create_local_scheduler = _create_local_scheduler
