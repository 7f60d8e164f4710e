"""Which task lands an (endpoint, item): one task class per kind of item.

A task's parameters are the item's identity and nothing else (a lake-wide item, such as a
bio, has no season): Luigi runs one task id once, so every (endpoint, item) that seasons,
batches or hosts ask for twice is one task, fetched once.
"""

from __future__ import annotations

from pipeline.model.ingest import Item
from pipeline.nba import endpoints
from pipeline.tasks.entities import EntityEndpoint, LakeEndpoint, SeasonEndpoint
from pipeline.tasks.fetch import FetchTask
from pipeline.tasks.game import GameEndpoint

TASK_FOR: dict[str, type[FetchTask]] = {
    "game": GameEndpoint,
    "season": SeasonEndpoint,
    "player": EntityEndpoint,
    "team": EntityEndpoint,
}


def task_class(endpoint: endpoints.Endpoint) -> type[FetchTask]:
    return LakeEndpoint if endpoint.lake_wide else TASK_FOR[endpoint.per]


def fetch_task(endpoint: endpoints.Endpoint, item: Item, retry_dead_letters: bool) -> FetchTask:
    """The task that lands one (endpoint, item), named by the item alone."""
    season = {} if item.season is None else {"season": item.season}
    return task_class(endpoint)(
        endpoint=endpoint.key, key=item.key, retry_dead_letters=retry_dead_letters, **season
    )
