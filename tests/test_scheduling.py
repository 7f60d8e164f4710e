"""The in-process scheduler (pipeline/tasks/scheduling.py): pruned once a second, not on
every request for work, and still retrying a failed task after retry_delay."""

import time

import luigi
import luigi.interface
from luigi import scheduler

import pipeline  # noqa: F401  (installs the local scheduler)
from pipeline.tasks.scheduling import PRUNE_EVERY_SECONDS, LocalScheduler


def test_a_local_build_prunes_its_task_graph_at_most_once_a_second(monkeypatch):
    made = luigi.interface._WorkerSchedulerFactory().create_local_scheduler()
    assert isinstance(made, LocalScheduler)
    pruned = []
    monkeypatch.setattr(scheduler.Scheduler, "prune", lambda self: pruned.append(1))
    for task in range(200):
        made.add_task(worker="w", task_id=f"t{task}", status="PENDING", runnable=True)
    started = time.monotonic()
    for _ in range(200):
        made.get_work(worker="w")
    assert len(pruned) <= 1 + (time.monotonic() - started) / PRUNE_EVERY_SECONDS
    time.sleep(PRUNE_EVERY_SECONDS)
    made.get_work(worker="w")
    assert len(pruned) >= 2  # a second later: pruned again


class FailsOnce(luigi.Task):
    """Fails its first run; done after its second."""

    root = luigi.Parameter()

    def output(self):
        return luigi.LocalTarget(f"{self.root}/done")

    def run(self):
        tried = luigi.LocalTarget(f"{self.root}/tried")
        if not tried.exists():
            tried.open("w").close()
            raise RuntimeError("first run fails")
        self.output().open("w").close()


def test_a_failed_task_is_still_retried_after_retry_delay(tmp_path):
    """Pruning is what puts a failed task back to pending once retry_delay has passed."""
    config = luigi.configuration.get_config()
    before = config.get("scheduler", "retry_delay", None)
    config.set("scheduler", "retry_delay", "1")
    try:
        luigi.build([FailsOnce(root=str(tmp_path))], local_scheduler=True, workers=1)
    finally:
        if before:
            config.set("scheduler", "retry_delay", before)
        else:
            config.remove_option("scheduler", "retry_delay")
    assert (tmp_path / "tried").exists() and (tmp_path / "done").exists()
