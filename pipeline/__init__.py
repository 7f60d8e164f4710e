"""nba-season-backfill: a Luigi graph that fills a Parquet lake with NBA seasons.

Run it as `nba-backfill run --season 2024-25`, or `luigi --module pipeline SeasonBackfill
--season 2024-25`.
"""

# First, before anything reads Luigi's config: our defaults, beneath the user's luigi.cfg.
from pipeline.app import defaults

defaults.apply()

from pipeline.tasks import critical, hosts
from pipeline.tasks.discover import DiscoverGames
from pipeline.tasks.entities import DiscoverPlayers, EntityEndpoint, LakeEndpoint, SeasonEndpoint
from pipeline.tasks.fetch import DeadLetter
from pipeline.tasks.game import GameEndpoint
from pipeline.tasks.season import SeasonBackfill
from pipeline.tasks.seasons import SeasonRange
from pipeline.tasks.validate import ValidateSeason

# A critical error in any of our tasks stops the whole run (pipeline/tasks/critical.py).
critical.install()
# Each host's exit code is what the lake holds, whoever fetched it (pipeline/tasks/hosts.py).
hosts.install()

__all__ = [
    "DeadLetter",
    "DiscoverGames",
    "DiscoverPlayers",
    "EntityEndpoint",
    "GameEndpoint",
    "LakeEndpoint",
    "SeasonBackfill",
    "SeasonEndpoint",
    "SeasonRange",
    "ValidateSeason",
]
