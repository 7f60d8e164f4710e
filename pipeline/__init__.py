"""nba-season-backfill: a Luigi graph that fills a Parquet lake with NBA seasons.

Run it as `luigi --module pipeline SeasonBackfill --season 2024-25`.
"""

from pipeline.tasks.discover import DiscoverGames
from pipeline.tasks.entities import DiscoverPlayers, EntityEndpoint
from pipeline.tasks.fetch import DeadLetter
from pipeline.tasks.game import GameEndpoint
from pipeline.tasks.season import SeasonBackfill
from pipeline.tasks.seasons import SeasonRange
from pipeline.tasks.validate import ValidateSeason

__all__ = [
    "DeadLetter",
    "DiscoverGames",
    "DiscoverPlayers",
    "EntityEndpoint",
    "GameEndpoint",
    "SeasonBackfill",
    "SeasonRange",
    "ValidateSeason",
]
