"""Which task lands an (endpoint, item): one task class per kind of item."""

from __future__ import annotations

from pipeline.model.ingest import Item
from pipeline.nba import endpoints
from pipeline.tasks.entities import EntityEndpoint, SeasonEndpoint
from pipeline.tasks.fetch import FetchTask
from pipeline.tasks.game import GameEndpoint

TASK_FOR: dict[str, type[FetchTask]] = {
    "game": GameEndpoint,
    "season": SeasonEndpoint,
    "player": EntityEndpoint,
    "team": EntityEndpoint,
}


def fetch_task(
    endpoint: endpoints.Endpoint, item: Item, season: str, retry_dead_letters: bool
) -> FetchTask:
    """The task that lands one (endpoint, item) for a season's run (a lake-wide item, such
    as a bio, has no season of its own)."""
    return TASK_FOR[endpoint.per](
        season=season, endpoint=endpoint.key, key=item.key, retry_dead_letters=retry_dead_letters
    )
