"""SeasonRange: many seasons, one season's graph at a time.

    luigi --module pipeline SeasonRange --start-season 1946-47 --end-season 2025-26

Luigi's scheduler costs O(N^2) in the tasks pending in one build, so thirty seasons of
per-game tasks (180k) in one graph would never finish scheduling. Here each season is a
SeasonBackfill, which yields its fetch tasks only when it runs, and earlier seasons carry a
higher priority (Luigi passes it on to their fetch tasks): workers finish one season before
the next one's tasks are added, so at most about two seasons are pending at once and the
scheduling cost grows linearly with the number of seasons. A season left with dead letters
does not hold up the others.
"""

from __future__ import annotations

from pipeline.app import run as observe
from pipeline.core import config, seasons
from pipeline.core.errors import BadInput
from pipeline.model.work import Coverage
from pipeline.tasks import hosts
from pipeline.tasks.common import PipelineTask
from pipeline.tasks.season import SeasonBackfill, SeasonChoices


def season_range(start: str, end: str) -> list[str]:
    first, last = seasons.season_year(start), seasons.season_year(end)
    if first > last:
        raise BadInput(f"start season {start} is after end season {end}")
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(first, last + 1)]


class SeasonRange(SeasonChoices, PipelineTask):
    """Every season from --start-season to --end-season, oldest first (1946-47 at the
    earliest). Each season lands what its era records (each catalogue entry's era says
    which, pipeline/nba/eras.py)."""

    start_season = config.SeasonParameter()
    end_season = config.SeasonParameter()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seasons = season_range(self.start_season, self.end_season)
        since = config.run_started() if self.retry_dead_letters else None
        coverage = Coverage(
            f"{self.seasons[0]}..{self.seasons[-1]}",
            self.task_id,
            self.to_str_params(),
            tuple(self.scope(season) for season in self.seasons),
            since,
        )
        observe.start_run(coverage)  # one run summary for the whole range

    def season_tasks(self) -> list[SeasonBackfill]:
        tasks = []
        for rank, season in enumerate(self.seasons):
            task = SeasonBackfill(season=season, list_work=False, **self.choices())
            task.priority = len(self.seasons) - rank  # oldest first
            tasks.append(task)
        return tasks

    def requires(self):
        return self.season_tasks()

    def complete(self):
        observe.track_run()
        hosts.watch_slots()
        return all(task.complete() for task in self.season_tasks())

    def run(self):
        pass  # the seasons are the work
