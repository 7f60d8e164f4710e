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

from pipeline import config
from pipeline.nba import endpoints
from pipeline.tasks.season import SeasonBackfill


def season_range(start: str, end: str) -> list[str]:
    first, last = config.season_year(start), config.season_year(end)
    if first > last:
        raise config.BadInput(f"start season {start} is after end season {end}")
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(first, last + 1)]


class SeasonRange(luigi.Task):
    """Every season from --start-season to --end-season, oldest first. Seasons before
    1996-97 get box scores only (the catalogue's first_season_year says which)."""

    start_season = config.SeasonParameter()
    end_season = config.SeasonParameter()
    season_types = luigi.Parameter(default=",".join(endpoints.SEASON_TYPES))
    limit = luigi.IntParameter(default=0, description="At most N games per season (0: all)")
    no_box_scores = luigi.BoolParameter(default=False)
    no_play_by_play = luigi.BoolParameter(default=False)
    no_game_summary = luigi.BoolParameter(default=False)
    no_player_info = luigi.BoolParameter(default=False)
    no_team_info = luigi.BoolParameter(default=False)
    retry_dead_letters = luigi.BoolParameter(default=False, significant=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seasons = season_range(self.start_season, self.end_season)

    def season_tasks(self) -> list[SeasonBackfill]:
        tasks = []
        for rank, season in enumerate(self.seasons):
            task = SeasonBackfill(
                season=season, season_types=self.season_types, limit=self.limit,
                no_box_scores=self.no_box_scores, no_play_by_play=self.no_play_by_play,
                no_game_summary=self.no_game_summary, no_player_info=self.no_player_info,
                no_team_info=self.no_team_info, retry_dead_letters=self.retry_dead_letters,
            )
            task.priority = len(self.seasons) - rank  # oldest first
            tasks.append(task)
        return tasks

    def requires(self):
        return self.season_tasks()

    def complete(self):
        return all(task.complete() for task in self.season_tasks())

    def run(self):
        pass  # the seasons are the work
