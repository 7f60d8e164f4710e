"""The lake: layout + store + a listing cache. Tasks only ever talk to a Lake (one per
root per process, held by pipeline.app.runtime, which hands in its S3 client)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pyarrow as pa

from pipeline.lake.layout import Layout
from pipeline.lake.parquet import (
    gunzip_text,
    gzip_text,
    read_footer,
    read_parquet_bytes,
    to_parquet_bytes,
)
from pipeline.lake.store import store_for

# How long a listing is trusted to say "missing". Files never vanish during a run, so
# "present" is trusted forever; "missing" may have been written since by another worker.
LISTING_TTL_SECONDS = 10.0

T = TypeVar("T")


class Lake:
    def __init__(self, root: str, s3_client: Callable[[], object] | None = None):
        self.layout = Layout(root.rstrip("/"))
        self.store = store_for(root, s3_client)
        self._listings: dict[str, tuple[float, set[str]]] = {}  # prefix -> (expiry, files)
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        # For another process (compaction's): the root and store, not this one's caches.
        return {"layout": self.layout, "store": self.store}

    def __setstate__(self, state: dict) -> None:
        self.layout, self.store = state["layout"], state["store"]
        self._listings, self._known, self._lock = {}, set(), threading.Lock()

    @property
    def root(self) -> str:
        return self.layout.root

    # --- completeness, from listings ---------------------------------------------------

    def map_paths(self, function: Callable[[str], T], paths: list[str]) -> list[T]:
        """function(path) for each path, as many at once as the store reads well."""
        threads = self.store.read_threads
        if len(paths) < 8 or threads == 1:
            return [function(p) for p in paths]
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(function, paths))

    def listing(self, prefix: str, *, fresh: bool = False) -> set[str]:
        """All files below prefix, from one listing (cached for LISTING_TTL_SECONDS)."""
        with self._lock:
            cached = self._listings.get(prefix)
            if fresh or cached is None or time.monotonic() > cached[0]:
                listed = self.store.list(prefix)
                cached = (time.monotonic() + LISTING_TTL_SECONDS, listed)
                self._listings[prefix] = cached
            return cached[1]

    def has(self, path: str, prefix: str) -> bool:
        """Does path exist? Answered from the listing of its prefix, not a request per file."""
        return self.has_all(((path, prefix),))

    def has_all(self, paths: Iterable[tuple[str, str]]) -> bool:
        """Do all these (path, listing prefix) exist? Asked for each of a season's 20,000
        targets several times a run, so kept lean: one clock read, and a listing still
        fresh is read without the lock (one dict read: atomic)."""
        now = time.monotonic()
        for path, prefix in paths:
            if path in self._known:
                continue
            cached = self._listings.get(prefix)
            listed = cached[1] if cached is not None and now <= cached[0] else self.listing(prefix)
            if path not in listed:
                return False
        return True

    def forget_listings(self) -> None:
        with self._lock:
            self._listings.clear()

    # --- writes and reads -------------------------------------------------------------

    def _wrote(self, path: str) -> None:
        self._known.add(path)

    def write_bytes(self, path: str, data: bytes) -> int:
        self.store.write_bytes(path, data)
        self._wrote(path)
        return len(data)

    def write_many(self, files: list[tuple[str, bytes]]) -> int:
        """Several files written together (see the store's write_many); their bytes."""
        self.store.write_many(files)
        for path, _ in files:
            self._wrote(path)
        return sum(len(data) for _, data in files)

    def write_table(self, path: str, table: pa.Table, metadata: dict) -> int:
        return self.write_bytes(path, to_parquet_bytes(table, metadata))

    def read_table(self, path: str) -> pa.Table:
        return read_parquet_bytes(self.store.read_bytes(path))

    def read_metadata(self, path: str) -> dict[str, str]:
        """A Parquet file's key-value metadata (ingested_at, final, ...), from its footer."""
        metadata = read_footer(self.store, path).metadata or {}
        return {k.decode(): v.decode() for k, v in metadata.items()}

    def write_raw(self, path: str, body: str) -> int:
        return self.write_bytes(path, gzip_text(body))

    def read_raw(self, path: str) -> str:
        return gunzip_text(self.store.read_bytes(path))

    def write_json(self, path: str, document: dict) -> int:
        return self.write_bytes(path, json.dumps(document, indent=2, default=str).encode())

    def read_json(self, path: str) -> dict:
        return json.loads(self.store.read_bytes(path))

    def exists(self, path: str) -> bool:
        return path in self._known or self.store.exists(path)

    def delete(self, path: str) -> None:
        self.store.delete(path)
        with self._lock:
            self._known.discard(path)
            for _, paths in self._listings.values():
                paths.discard(path)

    def supersede(self, path: str, run_id: str) -> str:
        """Keep a file that is about to be replaced: it moves to superseded/<run id>/."""
        kept = self.layout.superseded(path, run_id)
        self.write_bytes(kept, self.store.read_bytes(path))
        self.delete(path)
        return kept
