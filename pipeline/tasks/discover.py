"""DiscoverGames: the season's game index, one row per game, as Parquet."""

from __future__ import annotations

from pipeline import runtime
from pipeline.config import SeasonParameter
from pipeline.lake.parquet import to_parquet_bytes
from pipeline.nba import endpoints
from pipeline.nba.games import index_from_finder
from pipeline.tasks.common import PipelineTask, lake_target


class DiscoverGames(PipelineTask):
    """Every game of a season, all season types, from LeagueGameFinder (4 requests)."""

    season = SeasonParameter()
    resources = {"nba_api": 1}

    def output(self):
        return lake_target(runtime.lake().layout.game_index(self.season))

    def complete(self):
        lake = runtime.lake()
        return lake.exists(lake.layout.game_index(self.season))

    def run(self):
        lake = runtime.lake()
        rows: list[dict] = []
        for season_type in endpoints.SEASON_TYPES:
            fetched = (
                runtime.current()
                .client()
                .fetch(
                    endpoints.GAME_FINDER,
                    **endpoints.GAME_FINDER.nba_kwargs(
                        season_nullable=self.season, season_type_nullable=season_type
                    ),
                )
            )
            rows.extend(fetched.tables["game_finder"].to_pylist())
            key = season_type.replace(" ", "_")
            raw = lake.layout.raw_file("game_finder", self.season, None, key)
            lake.write_raw(raw, fetched.body)
        index = index_from_finder(self.season, rows)
        lake.write_bytes(
            lake.layout.game_index(self.season),
            to_parquet_bytes(index, {"endpoint": "leaguegamefinder", "season": self.season}),
        )
