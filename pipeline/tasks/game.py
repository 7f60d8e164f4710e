"""GameEndpoint: one per-game endpoint (box scores, play-by-play, summary) for one game."""

from __future__ import annotations

import luigi

from pipeline.app import runtime
from pipeline.core.config import SeasonParameter
from pipeline.model.ingest import Item, game_item
from pipeline.nba import endpoints
from pipeline.tasks.fetch import FetchTask, join_keys


class GameEndpoint(FetchTask):
    season = SeasonParameter()
    endpoint = luigi.ChoiceParameter(choices=[e.key for e in endpoints.GAME_ENDPOINTS])
    key = luigi.Parameter(batch_method=join_keys)  # game ids

    def items(self) -> list[Item]:
        games = runtime.current().season_games(runtime.lake(), self.season)
        endpoint = endpoints.get(self.endpoint)
        return [game_item(games[gid], endpoint) for gid in self.key.split(",")]
