"""FetchTask: land one endpoint for a batch of items. Thin: the work is in pipeline.model.ingest.

One task per (item, endpoint), where an item is a game, a player or a team. The scheduler
may hand a worker a batch of items of one endpoint at once (the key parameter joined with
commas): Luigi's scheduler is O(N^2) in tasks per build, and batching cuts the number of
scheduling rounds by max_batch_size while keeping one task per (item, endpoint).
"""

from __future__ import annotations

import logging
import time

import luigi

from pipeline.app import run as observe
from pipeline.app import runtime
from pipeline.core.config import run_started
from pipeline.core.errors import CriticalError, TransientError
from pipeline.model.ingest import Item, ingest, standing, table_paths
from pipeline.nba import endpoints
from pipeline.tasks.common import PipelineTask, lake_target
from pipeline.tasks.hosts import batches_are_safe

log = logging.getLogger("pipeline.tasks")


def join_keys(keys) -> str:
    return ",".join(keys)


class FetchTask(PipelineTask):
    """Subclasses say which endpoint and how keys become items; the rest is shared."""

    retry_dead_letters = luigi.BoolParameter(default=False, significant=False)
    resources = {"nba_api": 1}

    @property
    def max_batch_size(self) -> int:
        # Measured on a full-season rebuild from raw with 2 workers: 47-54 s at 50 against
        # 55-62 s at 25 (fewer forks and scheduling rounds). At 5 s per request a batch is
        # about 4 minutes, and progress within it is reported item by item. Not with luigid:
        # Luigi 3.8.1 batches (hosts.batches_are_safe says why) break its resource cap.
        return 50 if batches_are_safe() else 1

    @property
    def _endpoint(self) -> endpoints.Endpoint:
        return endpoints.get(self.endpoint)

    def items(self) -> list[Item]:
        raise NotImplementedError

    def output(self):
        lake = runtime.lake()
        return [
            lake_target(path)
            for item in self.items()
            for path, _ in table_paths(lake, self._endpoint, item)
        ]

    def _settled(self, item: Item) -> bool:
        since = run_started() if self.retry_dead_letters else None
        return standing(runtime.lake(), self._endpoint, item, since) != "missing"

    def complete(self):
        return all(self._settled(item) for item in self.items())

    def run(self):
        lake = runtime.lake()
        todo = [item for item in self.items() if not self._settled(item)]
        failures = []
        for number, item in enumerate(todo, 1):
            started = time.monotonic()
            event = {
                "season": item.season,
                "endpoint": self.endpoint,
                "key": item.key,
                **({"game_id": item.key} if self._endpoint.per == "game" else {}),
            }
            try:
                outcome = ingest(lake, self._endpoint, item, runtime.current().client().fetch)
            except CriticalError:
                raise
            except TransientError as exc:
                # Keep going: one stubborn item must not hold up the rest of the batch.
                failures.append(f"{item.key}: {type(exc).__name__}: {exc}")
                event.update(
                    event_type="failed",
                    error_type=type(exc).__name__,
                    error=str(exc),
                    processing_time_ms=round((time.monotonic() - started) * 1000, 1),
                )
                observe.record(event)
                log.error("gave up on %s %s for now: %s", self.endpoint, item.key, exc, extra=event)
                continue
            event.update(
                event_type=outcome.status,
                rows=outcome.rows,
                bytes_stored=outcome.bytes_stored,
                api_calls=outcome.api_calls,
                api_response_ms=outcome.api_response_ms,
                error=outcome.error,
                processing_time_ms=round((time.monotonic() - started) * 1000, 1),
            )
            observe.record(event)
            log.info(
                "%s %s %s: %d rows",
                outcome.status,
                self.endpoint,
                item.key,
                outcome.rows,
                extra=event,
            )
            if len(todo) > 1:
                self.set_progress_percentage(round(100 * number / len(todo)))
        if failures:
            raise TransientError(
                f"{len(failures)} of {len(todo)} items failed after retries; "
                f"Luigi will retry them: {'; '.join(failures[:3])}"
            )


class DeadLetter(luigi.ExternalTask):
    """Data the API does not have. Never complete: it makes the run exit with
    [retcode] missing_data, distinct from a failure, while the rest of the season lands."""

    season = luigi.Parameter()  # "": a lake-wide item
    endpoint = luigi.Parameter()
    key = luigi.Parameter()

    def output(self):
        lake = runtime.lake()
        return lake_target(lake.layout.dead_letter(self.season or None, self.endpoint, self.key))

    def complete(self):
        return False
