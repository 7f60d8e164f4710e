"""SeasonRange: many seasons, one season's graph at a time.

    luigi --module pipeline SeasonRange --start-season 1996-97 --end-season 2024-25

Luigi's scheduler costs O(N^2) in the tasks pending in one build, so thirty seasons of
per-game tasks (180k) in one graph would never finish scheduling. Here each season is a
SeasonBackfill, which yields its fetch tasks only when it runs, and earlier seasons carry a
higher priority (Luigi passes it on to their fetch tasks): workers finish one season before
the next one's tasks are added, so at most about two seasons are pending at once and the
scheduling cost grows linearly with the number of seasons. A season left with dead letters
does not hold up the others.
"""

from __future__ import annotations

import luigi

from pipeline import config, observe
from pipeline.tasks.season import SeasonBackfill, SeasonChoices


def season_range(start: str, end: str) -> list[str]:
    first, last = config.season_year(start), config.season_year(end)
    if first > last:
        raise config.BadInput(f"start season {start} is after end season {end}")
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(first, last + 1)]


class SeasonRange(SeasonChoices, luigi.Task):
    """Every season from --start-season to --end-season, oldest first. Seasons before
    1996-97 get box scores only (the catalogue's first_season_year says which)."""

    start_season = config.SeasonParameter()
    end_season = config.SeasonParameter()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seasons = season_range(self.start_season, self.end_season)
        observe.start_run(self)  # one run summary for the whole range

    @property
    def season(self) -> str:
        """The range as the run summary and the logs name it."""
        return f"{self.seasons[0]}..{self.seasons[-1]}"

    def season_tasks(self) -> list[SeasonBackfill]:
        tasks = []
        for rank, season in enumerate(self.seasons):
            task = SeasonBackfill(season=season, **self.choices())
            task.priority = len(self.seasons) - rank  # oldest first
            tasks.append(task)
        return tasks

    def requires(self):
        return self.season_tasks()

    def complete(self):
        return all(task.complete() for task in self.season_tasks())

    def run(self):
        pass  # the seasons are the work
