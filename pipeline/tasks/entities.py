"""Players and teams of a season: bios, team details, rosters and coaches.

Players are known only once box scores land, so SeasonBackfill asks DiscoverPlayers for
them after the games: it reads one column of the season's box scores once and keeps the
answer as a small file (pipeline.model.work says where), so later scheduling passes read one
file, not the whole lake.
"""

from __future__ import annotations

import luigi

from pipeline.app import runtime
from pipeline.core.config import SeasonParameter
from pipeline.model.ingest import Item, entity_item, season_item, season_type_of_key
from pipeline.model.work import Scope, SeasonWork
from pipeline.nba import endpoints
from pipeline.tasks.common import PipelineTask, lake_target
from pipeline.tasks.fetch import FetchTask, join_keys


class EntityEndpoint(FetchTask):
    """A player or team of one season (a team's details, its roster, its coaches)."""

    season = SeasonParameter()
    endpoint = luigi.ChoiceParameter(
        choices=[e.key for e in endpoints.ENTITY_ENDPOINTS if not e.lake_wide]
    )
    key = luigi.Parameter(batch_method=join_keys)

    def items(self) -> list[Item]:
        return [entity_item(self._endpoint, self.season, k) for k in self.key.split(",")]


class LakeEndpoint(FetchTask):
    """A lake-wide answer (a player's bio): one file per key, whichever season asks.

    No season parameter: Luigi knows a task by its id, made of its parameters, so a season
    here would make two tasks of one bio when two seasons (in one run, or on two hosts)
    both want it, and both would run at once. Without it, one bio is one task, run once."""

    endpoint = luigi.ChoiceParameter(
        choices=[e.key for e in endpoints.ENTITY_ENDPOINTS if e.lake_wide]
    )
    key = luigi.Parameter(batch_method=join_keys)

    def items(self) -> list[Item]:
        return [entity_item(self._endpoint, None, k) for k in self.key.split(",")]


class SeasonEndpoint(FetchTask):
    """A season-level answer: PlayerIndex, or a game log of one season type."""

    season = SeasonParameter()
    endpoint = luigi.ChoiceParameter(choices=[e.key for e in endpoints.SEASON_ENDPOINTS])
    key = luigi.Parameter(batch_method=join_keys)

    def items(self) -> list[Item]:
        return [
            season_item(self._endpoint, self.season, season_type_of_key(k))
            for k in self.key.split(",")
        ]


class DiscoverPlayers(PipelineTask):
    """The distinct player ids in the box scores of a set of games."""

    season = SeasonParameter()
    digest = luigi.Parameter()  # of the game ids: names the task and its output
    game_ids = luigi.ListParameter(
        significant=False, visibility=luigi.parameter.ParameterVisibility.HIDDEN
    )

    @property
    def work(self) -> SeasonWork:
        return runtime.current().season_work(Scope(season=self.season))

    def output(self):
        return lake_target(self.work.players_path(list(self.game_ids)))

    def complete(self):
        return self.work.lake.exists(self.work.players_path(list(self.game_ids)))

    def run(self):
        self.work.collect_player_ids(list(self.game_ids))
