"""GameEndpoint: one per-game endpoint (box scores, play-by-play, summary) for one game."""

from __future__ import annotations

import luigi

from pipeline.config import SeasonParameter
from pipeline.ingest import Item, game_item
from pipeline.nba import endpoints
from pipeline.tasks.common import current_lake, season_games
from pipeline.tasks.fetch import FetchTask, join_keys


class GameEndpoint(FetchTask):
    season = SeasonParameter()
    endpoint = luigi.ChoiceParameter(choices=[e.key for e in endpoints.GAME_ENDPOINTS])
    game_id = luigi.Parameter(batch_method=join_keys)

    def items(self) -> list[Item]:
        games = season_games(current_lake(), self.season)
        return [game_item(games[gid]) for gid in self.game_id.split(",")]
