"""DiscoverGames: the season's game index, one row per game, as Parquet."""

from __future__ import annotations

import luigi

from pipeline.app import runtime
from pipeline.core import seasons
from pipeline.core.config import SeasonParameter
from pipeline.model.work import Scope, SeasonWork
from pipeline.nba import endpoints
from pipeline.nba.games import index_from_finder
from pipeline.tasks.common import PipelineTask, lake_target


class DiscoverGames(PipelineTask):
    """Every game of a season, all season types, from LeagueGameFinder (4 requests).

    as_of names one discovery of a season in progress (each run makes one, so new games
    are picked up); "" is the final index of a season that is over."""

    season = SeasonParameter()
    as_of = luigi.Parameter(default="")
    resources = {"nba_api": 1}

    @property
    def work(self) -> SeasonWork:
        return runtime.current().season_work(Scope(season=self.season), as_of=self.as_of or None)

    def _path(self) -> str:
        layout = runtime.lake().layout
        if self.as_of:
            return layout.game_index_snapshot(self.season, self.as_of)
        return layout.game_index(self.season)

    def output(self):
        return lake_target(self._path())

    def complete(self):
        if self.as_of:
            return runtime.lake().exists(self._path())
        return self.work.index_final()

    def run(self):
        lake = runtime.lake()
        client = runtime.current().client()
        rows: list[dict] = []
        # Only the season types the league played that season (no play-in before 2020-21).
        for season_type in seasons.season_types_of(seasons.season_year(self.season)):
            kwargs = endpoints.GAME_FINDER.nba_kwargs(
                season_nullable=self.season, season_type_nullable=season_type
            )
            fetched = client.fetch(endpoints.GAME_FINDER, **kwargs)
            rows.extend(fetched.tables["game_finder"].to_pylist())
            key = "-".join(filter(None, [season_type.replace(" ", "_"), self.as_of]))
            lake.write_raw(
                lake.layout.raw_file("game_finder", self.season, None, key), fetched.body
            )
        self.work.write_index(index_from_finder(self.season, rows), self.as_of)
