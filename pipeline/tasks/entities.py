"""Players and teams of a season: bios, team details, rosters and coaches.

Players are known only once box scores land, so SeasonBackfill asks DiscoverPlayers for
them after the games: it reads one column of the season's box scores once and keeps the
answer as a small file, so later scheduling passes read one file, not the whole lake.
A player's bio is fetched once per season backfilled (CommonPlayerInfo has no season
argument; keeping it per season records who played that season, and costs one request
per player per season).
"""

from __future__ import annotations

import hashlib

import luigi
import pyarrow as pa

from pipeline.config import SeasonParameter
from pipeline.ingest import Item, entity_item
from pipeline.lake.parquet import to_parquet_bytes
from pipeline.nba import endpoints
from pipeline.tasks.common import current_lake, season_games
from pipeline.tasks.fetch import FetchTask, join_keys

PLAYER_SOURCE_TABLE = "box_traditional_players"


class EntityEndpoint(FetchTask):
    season = SeasonParameter()
    endpoint = luigi.ChoiceParameter(choices=[e.key for e in endpoints.ENTITY_ENDPOINTS])
    key = luigi.Parameter(batch_method=join_keys)

    def items(self) -> list[Item]:
        return [entity_item(self._endpoint, self.season, k) for k in self.key.split(",")]


def games_digest(game_ids: list[str]) -> str:
    return hashlib.sha1(",".join(sorted(game_ids)).encode()).hexdigest()[:12]


class DiscoverPlayers(luigi.Task):
    """The distinct player ids in the box scores of a set of games (named by its digest)."""

    season = SeasonParameter()
    digest = luigi.Parameter()
    game_ids = luigi.ListParameter(
        significant=False, visibility=luigi.parameter.ParameterVisibility.HIDDEN
    )

    def path(self) -> str:
        layout = current_lake().layout
        return layout.state_file("player-ids", self.season, f"{self.digest}.parquet")

    def output(self):
        from pipeline.tasks.common import lake_target

        return lake_target(self.path())

    def complete(self):
        return current_lake().exists(self.path())

    def run(self):
        lake = current_lake()
        games = season_games(lake, self.season)
        ids: set[int] = set()
        for game_id in self.game_ids:
            path = lake.layout.table_file(
                PLAYER_SOURCE_TABLE, self.season, games[game_id].month, game_id
            )
            ids.update(lake.read_table(path).column("personId").to_pylist())
        table = pa.table({"personId": sorted(i for i in ids if i is not None)})
        lake.write_bytes(self.path(), to_parquet_bytes(table, {"season": self.season}))

    def player_ids(self) -> list[int]:
        return current_lake().read_table(self.path()).column("personId").to_pylist()


def season_team_ids(season: str) -> list[int]:
    """Every team in the season's game index (all 30 for a modern season)."""
    teams = set()
    for game in season_games(current_lake(), season).values():
        teams.update((game.home_team_id, game.away_team_id))
    return sorted(t for t in teams if t)
