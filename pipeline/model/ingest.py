"""One unit of work: fetch (or re-read) one endpoint for one game, player or team, and land it.

Order matters for crash safety: the raw body is written first, then each table, each write
atomic. A rerun that finds the raw body re-derives the tables from it without calling the
API, so a kill at any moment costs at most the one request in flight.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.core import seasons
from pipeline.core.errors import BadPayloadError, PermanentError
from pipeline.lake import schema
from pipeline.lake.lake import Lake
from pipeline.lake.parquet import gzip_text, to_parquet_bytes, with_lineage
from pipeline.nba import parse
from pipeline.nba.endpoints import Endpoint
from pipeline.nba.games import Game

log = logging.getLogger("pipeline.model.ingest")


@dataclass(frozen=True)
class Item:
    """What one request covers: its lake key and partition, lineage columns and API ids."""

    season: str | None  # None: lake-wide (no season partition)
    key: str
    month: int | None
    lineage: dict = field(default_factory=dict, hash=False, compare=False)
    api_kwargs: dict = field(default_factory=dict, hash=False, compare=False)


def game_item(game: Game, endpoint: Endpoint | None = None) -> Item:
    """One game for one endpoint: asked by game id, plus the season and season type where
    the catalogue entry takes them (ShotChartDetail). Without an endpoint: by game id."""
    return Item(
        season=game.season,
        key=game.game_id,
        month=game.month,
        lineage={
            "game_id": game.game_id,
            "season": game.season,
            "season_type": game.season_type,
            "game_date": game.game_date,
        },
        api_kwargs=(
            endpoint.item_kwargs(game.game_id, game.season, game.season_type)
            if endpoint
            else {"game_id": game.game_id}
        ),
    )


def entity_item(endpoint: Endpoint, season: str | None, key: str) -> Item:
    """A player or team of a season: one file per season, no month partition; or one file
    for the whole lake when the endpoint is lake-wide (a bio, whichever season asks)."""
    return Item(
        season=None if endpoint.lake_wide else season,
        key=str(key),
        month=None,
        lineage={} if endpoint.lake_wide else {"season": season},
        api_kwargs=endpoint.item_kwargs(str(key), season),
    )


def season_item(endpoint: Endpoint, season: str, season_type: str | None = None) -> Item:
    """One season-level answer: per season type (game logs) or for the whole season."""
    key = season_type.lower().replace(" ", "_") if season_type else "season"
    return Item(
        season=season,
        key=key,
        month=None,
        lineage={"season": season, **({"season_type": season_type} if season_type else {})},
        api_kwargs=endpoint.item_kwargs(season_type or "", season),
    )


def season_type_of_key(key: str) -> str | None:
    """season_item's key back to the season type ("season": none)."""
    return {t.lower().replace(" ", "_"): t for t in seasons.SEASON_TYPES}.get(key)


@dataclass
class Outcome:
    status: str  # "fetched", "rederived" or "dead_letter"
    rows: int = 0
    bytes_stored: int = 0
    api_response_ms: float | None = None
    api_calls: int = 0
    error: str | None = None


def table_paths(lake: Lake, endpoint: Endpoint, item: Item) -> tuple[tuple[str, str], ...]:
    """(file, listing prefix) for every table this endpoint writes for this item."""
    return _table_paths(lake.layout, endpoint.table_names, item.season, item.month, item.key)


# A season's state is asked several times a run (each round's progress, the report):
# the paths of its ~20,000 targets are made once.
@functools.lru_cache(maxsize=1 << 16)
def _table_paths(layout, tables: tuple, season, month, key) -> tuple[tuple[str, str], ...]:
    return layout.table_files(tables, season, month, key)


def raw_path(lake: Lake, endpoint: Endpoint, item: Item) -> str:
    return lake.layout.raw_file(endpoint.key, item.season, item.month, item.key)


def is_done(lake: Lake, endpoint: Endpoint, item: Item) -> bool:
    return lake.has_all(table_paths(lake, endpoint, item))


def is_dead_lettered(lake: Lake, endpoint: Endpoint, item: Item, since: str | None = None) -> bool:
    """Is there a dead letter (last attempted at or after `since`, if given)?"""
    path = lake.layout.dead_letter(item.season, endpoint.key, item.key)
    if not lake.has(path, lake.layout.dead_letter_prefix(item.season)):
        return False
    return since is None or lake.read_json(path)["last_attempt"] >= since


def standing(lake: Lake, endpoint: Endpoint, item: Item, dead_letters_since: str | None) -> str:
    """Where an (endpoint, item) stands: "done", "dead_letter" or "missing". The one rule
    the tasks, the work model and the plan share. Under --retry-dead-letters the caller
    passes the run's start: only a dead letter written by this run settles an item."""
    if is_done(lake, endpoint, item):
        return "done"
    if is_dead_lettered(lake, endpoint, item, since=dead_letters_since):
        return "dead_letter"
    return "missing"


def land(
    lake: Lake,
    endpoint: Endpoint,
    item: Item,
    body: str,
    response_ms=None,
    tables: dict | None = None,
    raw: tuple[str, bytes] | None = None,
) -> Outcome:
    """Parse a body (unless the client already did) and write its tables, after the raw
    body (path, gzipped bytes) if it is not stored yet."""
    if tables is None:  # a stored body: check it is the one asked for, as the client does
        tables = parse.parse(endpoint, body, asked=item.api_kwargs)
    outcome = Outcome(status="fetched", api_response_ms=response_ms)
    files = [raw] if raw else []
    for table_name, table in tables.items():
        path = lake.layout.table_file(table_name, item.season, item.month, item.key)
        table = with_lineage(table, item.lineage)
        # Every file of a table gets the table's one schema (pipeline/lake/schema.py).
        table, schema_metadata = schema.apply(
            endpoint, table_name, table, where=f"{table_name} {item.season} {item.key}"
        )
        metadata = {
            **schema_metadata,
            "endpoint": endpoint.api_name,
            "season": item.season,
            "key": item.key,
            "api_response_ms": f"{response_ms:.1f}" if response_ms is not None else "",
            **({"game_id": item.lineage["game_id"]} if "game_id" in item.lineage else {}),
        }
        files.append((path, to_parquet_bytes(table, metadata)))
        outcome.rows += table.num_rows
    outcome.bytes_stored = lake.write_many(files)
    return outcome


def ingest(lake: Lake, endpoint: Endpoint, item: Item, fetch: Callable) -> Outcome:
    """Land one (endpoint, item): from the stored raw body if there is one, else from the API.

    A permanent failure is written to the dead-letter ledger and reported, not raised.
    Transient failures (after the client's retries) and critical ones propagate.
    """
    raw = raw_path(lake, endpoint, item)
    if lake.exists(raw):
        try:
            outcome = land(lake, endpoint, item, lake.read_raw(raw))
            outcome.status = "rederived"
            return outcome
        except (PermanentError, BadPayloadError):
            lake.delete(raw)  # a stored body that no longer passes: fetch it again
    started = time.monotonic()
    try:
        fetched = fetch(endpoint, **item.api_kwargs)
    except PermanentError as exc:
        record_dead_letter(lake, endpoint, item, exc, attempts=getattr(exc, "attempts", 1))
        return Outcome(status="dead_letter", api_calls=1, error=f"{type(exc).__name__}: {exc}")
    body = gzip_text(fetched.body)
    try:  # the raw body and the tables written together: their fsyncs at once
        outcome = land(
            lake, endpoint, item, fetched.body, fetched.response_ms, fetched.tables, (raw, body)
        )
    except Exception:
        with contextlib.suppress(Exception):  # the first error is the one to tell
            lake.write_bytes(raw, body)  # kept, as ever: the next run derives the tables again
        raise
    outcome.api_calls = fetched.attempts
    log.debug("landed %s %s in %.0f ms", endpoint.key, item.key, (time.monotonic() - started) * 1e3)
    # A success clears an old dead letter (a --retry-dead-letters run).
    dead = lake.layout.dead_letter(item.season, endpoint.key, item.key)
    if is_dead_lettered(lake, endpoint, item):
        lake.delete(dead)
    return outcome


def record_dead_letter(lake: Lake, endpoint: Endpoint, item: Item, exc: Exception, attempts: int):
    path = lake.layout.dead_letter(item.season, endpoint.key, item.key)
    previous = lake.read_json(path) if lake.exists(path) else {}
    lake.write_json(
        path,
        {
            "season": item.season,
            "endpoint": endpoint.key,
            "key": item.key,
            **({"game_id": item.lineage["game_id"]} if "game_id" in item.lineage else {}),
            "error_type": type(exc).__name__,
            "error": str(exc),
            "attempts": previous.get("attempts", 0) + attempts,
            "first_attempt": previous.get("first_attempt") or _now(),
            "last_attempt": _now(),
        },
    )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
