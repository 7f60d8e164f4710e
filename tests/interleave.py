"""Two seasons want one player's bio at the same moment, on purpose (issue 22).

    python -m tests.interleave LAKE SIM_BASE_URL PLAYER_ID

Run as its own process (it builds Luigi tasks with its own scheduler and forks workers).
A root task requires the bio as each of two seasons' SeasonBackfill asks for it, and Luigi
runs that with two workers. A loopback proxy holds every answer for the bio until each
fetch task the scheduler has handed out has asked for it, and none is still pending: if
the two seasons' requests were two tasks, both would run at once and both would ask, every
time, whatever the machine's load; if they are one task, it asks once and is let through.
Prints one JSON line: the bio's requests and the fetch tasks Luigi ran.
"""

from __future__ import annotations

import json
import os
import sys
import time

HOLD_AT_MOST_SECONDS = 60  # a safety net only: the scheduler's state releases the hold


def main(lake: str, base_url: str, player_id: str) -> None:
    from tests.proxies import ForwardProxy

    arrived = []
    scheduler = {}

    def fetch_tasks(status: str) -> int:
        while True:
            try:  # the worker's thread may change the scheduler's state while we count
                tasks = scheduler["it"]._state.get_active_tasks_by_status(status)
                return sum(1 for t in tasks if t.family != "BothSeasons")
            except RuntimeError:
                time.sleep(0.01)

    def hold(endpoint, params, body):
        if endpoint != "commonplayerinfo":
            return body
        arrived.append(params.get("PlayerID"))
        deadline = time.monotonic() + HOLD_AT_MOST_SECONDS
        while time.monotonic() < deadline:
            running = fetch_tasks("RUNNING") + fetch_tasks("BATCH_RUNNING")
            if not fetch_tasks("PENDING") and len(arrived) >= running:
                break
            time.sleep(0.02)
        return body

    proxy = ForwardProxy(rewrite=hold).start()
    os.environ.update(
        LAKE_ROOT=lake,
        NBA_API_BASE_URL=base_url,
        NBA_API_PROXIES=proxy.url,
        NBA_RATE_LIMIT_SECONDS="0",
    )
    import luigi
    import luigi.interface
    import luigi.scheduler

    import pipeline
    from pipeline.model.ingest import entity_item
    from pipeline.nba import endpoints

    settings = luigi.configuration.get_config()
    settings.set("nba", "limiter_state_path", os.path.join(lake, "..", "limiter.sqlite"))
    settings.set("worker", "keep_alive", "false")

    class Factory(luigi.interface._WorkerSchedulerFactory):
        def create_local_scheduler(self):
            scheduler["it"] = luigi.scheduler.Scheduler(prune_on_get_work=True)
            return scheduler["it"]

    bio = endpoints.PLAYER_INFO

    class BothSeasons(luigi.WrapperTask):
        def requires(self):
            return [
                task
                for season in ("2023-24", "2024-25")
                for task in pipeline.SeasonBackfill(season=season).fetch_tasks(
                    [(bio, entity_item(bio, season, player_id))]
                )
            ]

    result = luigi.build(
        [BothSeasons()],
        worker_scheduler_factory=Factory(),
        local_scheduler=True,
        workers=2,
        detailed_summary=True,
    )
    proxy.stop()
    ran = sorted(t.task_id for t in result.worker._scheduled_tasks.values())
    print(
        json.dumps(
            {
                "requests": [e["params"].get("PlayerID") for e in proxy.log],
                "tasks": [t for t in ran if not t.startswith("BothSeasons")],
                "status": result.status.name,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
