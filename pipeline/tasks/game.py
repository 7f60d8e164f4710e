"""GameEndpoint: one endpoint for one game. Thin: the work is in pipeline.ingest.

The scheduler may hand a worker a batch of games of one endpoint at once (game_id joined
with commas): Luigi's scheduler is O(N^2) in tasks per build, and batching cuts the
number of scheduling rounds by max_batch_size while keeping one task per (game, endpoint).
"""

from __future__ import annotations

import logging

import luigi

from pipeline import observe
from pipeline.config import SeasonParameter
from pipeline.errors import CriticalError, TransientError
from pipeline.ingest import Item, game_item, ingest, is_dead_lettered, is_done, table_paths
from pipeline.nba import endpoints
from pipeline.nba.client import client
from pipeline.tasks.common import current_lake, lake_target, season_games

log = logging.getLogger("pipeline.tasks")


def join_ids(ids) -> str:
    return ",".join(ids)


class GameEndpoint(luigi.Task):
    season = SeasonParameter()
    endpoint = luigi.ChoiceParameter(choices=[e.key for e in endpoints.GAME_ENDPOINTS])
    game_id = luigi.Parameter(batch_method=join_ids)
    retry_dead_letters = luigi.BoolParameter(default=False, significant=False)

    resources = {"nba_api": 1}
    max_batch_size = 25

    @property
    def _endpoint(self) -> endpoints.Endpoint:
        return endpoints.get(self.endpoint)

    def items(self) -> list[Item]:
        games = season_games(current_lake(), self.season)
        return [game_item(games[gid]) for gid in self.game_id.split(",")]

    def output(self):
        lake = current_lake()
        return [lake_target(path) for item in self.items()
                for path, _ in table_paths(lake, self._endpoint, item)]

    def _settled(self, item: Item) -> bool:
        lake = current_lake()
        if is_done(lake, self._endpoint, item):
            return True
        return not self.retry_dead_letters and is_dead_lettered(lake, self._endpoint, item)

    def complete(self):
        return all(self._settled(item) for item in self.items())

    def run(self):
        lake = current_lake()
        todo = [item for item in self.items() if not self._settled(item)]
        failures = []
        for number, item in enumerate(todo, 1):
            try:
                outcome = ingest(lake, self._endpoint, item, client().fetch)
            except CriticalError:
                raise
            except TransientError as exc:
                # Keep going: one stubborn game must not hold up the rest of the batch.
                failures.append(f"{item.key}: {type(exc).__name__}: {exc}")
                observe.record({"event_type": "failed", "season": self.season,
                                "endpoint": self.endpoint, "key": item.key,
                                "error_type": type(exc).__name__, "error": str(exc)})
                log.error("gave up on %s %s for now: %s", self.endpoint, item.key, exc,
                          extra={"event_type": "task_failed", "game_id": item.key,
                                 "endpoint": self.endpoint, "error_type": type(exc).__name__})
                continue
            observe.record({"event_type": outcome.status, "season": self.season,
                            "endpoint": self.endpoint, "key": item.key, "rows": outcome.rows,
                            "bytes_stored": outcome.bytes_stored,
                            "api_calls": outcome.api_calls, "error": outcome.error})
            log.info("%s %s %s: %d rows", outcome.status, self.endpoint, item.key, outcome.rows,
                     extra={"event_type": outcome.status, "game_id": item.key,
                            "endpoint": self.endpoint, "rows": outcome.rows,
                            "bytes_stored": outcome.bytes_stored, "api_calls": outcome.api_calls,
                            "api_response_ms": outcome.api_response_ms,
                            "error_type": outcome.error})
            if len(todo) > 1:
                self.set_progress_percentage(round(100 * number / len(todo)))
        if failures:
            raise TransientError(
                f"{len(failures)} of {len(todo)} games failed after retries; "
                f"Luigi will retry them: {'; '.join(failures[:3])}"
            )


class DeadLetter(luigi.ExternalTask):
    """Data the API does not have. Never complete: it makes the run exit with
    [retcode] missing_data, distinct from a failure, while the rest of the season lands."""

    season = SeasonParameter()
    endpoint = luigi.Parameter()
    key = luigi.Parameter()

    def output(self):
        lake = current_lake()
        return lake_target(lake.layout.dead_letter(self.season, self.endpoint, self.key))

    def complete(self):
        return False
