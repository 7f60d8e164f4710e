"""Compaction: one Parquet file per (table, season) under compact/, for readers.

The per-game files (per player, per team for the season-level tables) stay what they are:
the resume mechanism, where "the file exists" means "done". Readers want the opposite,
few large files: a season of a table is about 1,320 files of a few kB, which costs a
request each on S3. So at the end of a season run each table's files are copied into one:

    compact/<table>/season=<season>/<table>.parquet

- in the table's one schema (pipeline/lake/schema.py), plus any columns the API added;
- sorted by game date, then game id (rows of one game keep their order);
- in row groups of DuckDB's own size, so a scan splits across threads;
- written atomically through the lake's store (a nameless file linked into place locally,
  one PutObject on S3): a reader sees the old file or the new one, never part of one.

It is made again only when its inputs changed. The digest of the inputs (each file's path,
size and version from one listing: modification time locally, ETag on S3) is in its
metadata, so a corrected game under the same path counts as a change, and a run that
changed nothing costs one listing and one footer read per table and writes nothing. Each
input's version is kept as well, so a per-game table is updated from its previous
compacted file and the files that changed since, not all 1,320 files again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import time
import zlib
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.lake import schema
from pipeline.lake.parquet import read_footer, read_parquet_bytes, to_parquet_bytes

INPUTS_DIGEST_KEY = "inputs_digest"
INPUTS_KEY = "inputs"
# Each input's (size, version), zlib-compressed JSON in base64: what lets the next
# compaction read only the files that changed.
INPUT_VERSIONS_KEY = "input_versions"
# DuckDB's row group size (122,880 rows): its scans give each thread a row group.
ROW_GROUP_ROWS = 122_880


@dataclass
class TableCompaction:
    table: str
    status: str  # "written", "current" (nothing to do), "removed" or "empty"
    inputs: int = 0
    rows: int = 0
    bytes_written: int = 0
    files_read: int = 0  # per-game files read: all of them, or only those that changed


@dataclass
class CompactionResult:
    season: str
    tables: dict[str, TableCompaction] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def written(self) -> list[str]:
        return [t for t, c in self.tables.items() if c.status in ("written", "removed")]

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for compaction in self.tables.values():
            counts[compaction.status] = counts.get(compaction.status, 0) + 1
        written = [c for c in self.tables.values() if c.status == "written"]
        rows = sum(c.rows for c in written)
        size = sum(c.bytes_written for c in written)
        parts = [f"{counts.get('written', 0)} tables written ({rows:,} rows, {size:,} bytes)"]
        parts += [f"{n} {status}" for status, n in sorted(counts.items()) if status != "written"]
        return f"compacted {self.season}: {', '.join(parts)} in {self.seconds:.1f} s"


@dataclass
class Freshness:
    """Where a (table, season)'s compacted file stands against the files it is made from."""

    table: str
    season: str
    state: str  # "current", "behind", "absent" (inputs, no compacted file) or "empty"
    inputs: int
    detail: str = ""


def input_files(lake, table: str, season: str | None) -> dict[str, tuple[int, str]]:
    """The table's files for the season (all of them for a lake-wide table) -> (size,
    version), from one listing."""
    prefix = lake.layout.table_prefix(table, schema.partition_season(table, season))
    listing = lake.store.list_versions(prefix)
    return {path: v for path, v in listing.items() if path.endswith(".parquet")}


def compacted_path(lake, table: str, season: str | None) -> str:
    return lake.layout.compact_file(table, schema.partition_season(table, season))


def table_inputs(lake, table: str) -> dict[str | None, dict[str, tuple[int, str]]]:
    """Season (None for a lake-wide table) -> the table's files for it -> (size, version),
    from one listing."""
    if schema.partition_season(table, "x") is None:
        return {None: input_files(lake, table, None)}
    top = posixpath.dirname(lake.layout.table_prefix(table, "x"))
    seasons: dict[str | None, dict[str, tuple[int, str]]] = {}
    for path, version in lake.store.list_versions(top).items():
        folder = lake.layout.relative(path).split("/")[1]
        if path.endswith(".parquet") and folder.startswith("season="):
            seasons.setdefault(folder[len("season=") :], {})[path] = version
    return seasons


def is_current(lake, path: str, inputs: dict[str, tuple[int, str]]) -> bool:
    """Was the compacted file at path made from exactly these inputs?"""
    return compacted_metadata(lake, path).get(INPUTS_DIGEST_KEY) == inputs_digest(lake, inputs)


def inputs_digest(lake, inputs: dict[str, tuple[int, str]]) -> str:
    lines = sorted(f"{lake.layout.relative(p)}\t{size}\t{v}" for p, (size, v) in inputs.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def compacted_files(lake) -> dict[str, tuple[int, str]]:
    """Every compacted file in the lake, from one listing."""
    return lake.store.list_versions(posixpath.dirname(lake.layout.compact_prefix("x")))


def compacted_metadata(lake, path: str) -> dict[str, str]:
    """A compacted file's key-value metadata, from its footer alone."""
    raw = read_footer(lake.store, path).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items()}


def freshness(
    lake, table: str, season: str, compacted: dict | None = None, inputs: dict | None = None
) -> Freshness:
    """Is the compacted file made from exactly the files the table holds now?"""
    inputs = input_files(lake, table, season) if inputs is None else inputs
    target = compacted_path(lake, table, season)
    present = target in (compacted if compacted is not None else compacted_files(lake))
    if not inputs:
        if present:
            return Freshness(table, season, "behind", 0, "its per-game files are gone")
        return Freshness(table, season, "empty", 0)
    if not present:
        return Freshness(table, season, "absent", len(inputs), "no compacted file")
    made = compacted_metadata(lake, target)
    if made.get(INPUTS_DIGEST_KEY) == inputs_digest(lake, inputs):
        return Freshness(table, season, "current", len(inputs))
    return Freshness(
        table,
        season,
        "behind",
        len(inputs),
        f"made from {made.get(INPUTS_KEY, '?')} files; the table now has {len(inputs)}, "
        f"and new or rewritten ones since",
    )


def behind(lake, season: str, tables: list[str] | None = None) -> list[Freshness]:
    """The tables whose compacted file is absent or not made from the files they hold now:
    what compact_season would write. One listing per table, one footer read per compacted
    file, nothing written (for a task's complete(), or a check)."""
    compacted = compacted_files(lake)
    states = [
        freshness(lake, table, schema.partition_season(table, season), compacted)
        for table in (tables if tables is not None else schema.tables())
    ]
    return [s for s in states if s.state in ("absent", "behind")]


def compact_season(lake, season: str, tables: list[str] | None = None) -> CompactionResult:
    """Compact every table of the season whose files changed since its compacted file was
    made. No API request; nothing written for a table whose inputs are unchanged."""
    started = time.monotonic()
    result = CompactionResult(season)
    compacted = compacted_files(lake)
    for table in tables if tables is not None else schema.tables():
        result.tables[table] = compact_table(lake, table, season, compacted)
    result.seconds = time.monotonic() - started
    return result


def compact_table(lake, table: str, season: str, compacted: dict | None = None) -> TableCompaction:
    """Compact one table's files of the season (of the whole lake, for a lake-wide table)."""
    season = schema.partition_season(table, season)
    target = lake.layout.compact_file(table, season)
    present = target in (compacted if compacted is not None else compacted_files(lake))
    inputs = input_files(lake, table, season)
    if not inputs:
        if present:  # the table's files are gone (a rebuild deletes them): so is its copy
            lake.delete(target)
            return TableCompaction(table, "removed")
        return TableCompaction(table, "empty")
    made = compacted_metadata(lake, target) if present else {}
    if made.get(INPUTS_DIGEST_KEY) == inputs_digest(lake, inputs):
        return TableCompaction(table, "current", inputs=len(inputs))
    folder = lake.layout.table_prefix(table, season) + "/"
    versions = {path[len(folder) :]: list(v) for path, v in inputs.items()}
    changes = _changes(table, made, versions)
    if changes is None:  # no usable previous copy: every file
        to_read, kept = sorted(inputs, key=_natural), []
    else:  # the previous copy, less the games that changed, plus their files
        changed, gone = changes
        to_read = [folder + name for name in sorted(changed, key=_natural)]
        kept = [("the previous compacted file", _previous_rows(lake, target, changed + gone))]
    fresh = _read_all(lake, to_read)
    parts = kept + [(lake.layout.relative(p), t) for p, t in zip(to_read, fresh, strict=True)]
    data, added = combine(table, parts)
    metadata = {
        "table": table,
        "season": season or "",
        INPUTS_KEY: len(inputs),
        INPUTS_DIGEST_KEY: inputs_digest(lake, inputs),
        INPUT_VERSIONS_KEY: _pack(versions),
        **schema.schema_metadata(schema.table_schema(table), added),
    }
    size = lake.write_bytes(
        target,
        to_parquet_bytes(data, metadata, compression="zstd", row_group_size=ROW_GROUP_ROWS),
    )
    return TableCompaction(table, "written", len(inputs), data.num_rows, size, len(to_read))


def _changes(table: str, made: dict, versions: dict) -> tuple[list, list] | None:
    """(files new or rewritten, files gone) since the previous compacted file, when it can
    be updated in place: a per-game table (its rows carry their file's game_id), the same
    table schema, and fewer than half its files changed. None: compact every file."""
    if "game_id" not in schema.table_schema(table).names:
        return None
    if made.get(schema.TABLE_SCHEMA_KEY) != schema.table_version(table):
        return None
    previous = _unpack(made.get(INPUT_VERSIONS_KEY))
    if previous is None:
        return None
    changed = [name for name, version in versions.items() if previous.get(name) != version]
    gone = [name for name in previous if name not in versions]
    if len(changed) + len(gone) > len(versions) // 2:
        return None
    return changed, gone


def _previous_rows(lake, target: str, names: list[str]) -> pa.Table:
    """The previous compacted file's rows, less those of the named games' files."""
    previous = read_parquet_bytes(lake.store.read_bytes(target))
    games = pa.array(sorted({posixpath.basename(n).split(".")[0] for n in names}), pa.string())
    return previous.filter(pc.invert(pc.is_in(previous.column("game_id"), value_set=games)))


def _pack(versions: dict) -> str:
    text = json.dumps(versions, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(zlib.compress(text.encode(), 9)).decode()


def _unpack(packed: str | None) -> dict | None:
    if not packed:
        return None
    try:
        return json.loads(zlib.decompress(base64.b64decode(packed)))
    except (ValueError, zlib.error):
        return None


def _read_all(lake, paths: list[str]) -> list[pa.Table]:
    return lake.map_paths(lambda path: _read(lake, path), paths)


def combine(table: str, parts: list[tuple[str, pa.Table]]) -> tuple[pa.Table, dict]:
    """The parts' rows in one table of the table's schema (plus columns the API added, in
    the order they first appear), sorted by game date and game id where it has them.
    Each part is (what it is, for errors; its rows)."""
    declared = schema.table_schema(table)
    known = set(declared.names)
    added: dict[str, pa.DataType] = {}
    for _, part in parts:
        if known.issuperset(part.column_names):
            continue  # the usual case: nothing beyond the table's schema
        recorded = schema.added_columns(part.schema.metadata)
        for name in part.column_names:
            if name not in known and name not in added:
                added[name] = (
                    pa.type_for_alias(recorded[name])
                    if name in recorded
                    else schema.added_type(table, name)
                )
    target = pa.schema([*declared, *(pa.field(n, t) for n, t in added.items())])
    conformed = [
        part.replace_schema_metadata(None)
        if part.schema.remove_metadata().equals(target)  # the usual case: no copy
        else schema.conform(part, declared, added, where=f"compacting {label}")
        for label, part in parts
    ]
    # No combine_chunks(): the sort below makes the one copy (a season's play-by-play is
    # about 600,000 rows, and each copy of it counts in the run's peak memory).
    data = pa.concat_tables(conformed)
    if {"game_date", "game_id"} <= set(data.column_names):
        data = data.sort_by([("game_date", "ascending"), ("game_id", "ascending")])  # stable
    return data, added


def _read(lake, path: str) -> pa.Table:
    # Files are small: Arrow's own threads would cost more than they give.
    return pq.ParquetFile(pa.BufferReader(lake.store.read_bytes(path))).read(use_threads=False)


def _natural(path: str) -> tuple[int, str]:
    """Files in key order (numeric keys of different lengths too): 9 < 10."""
    stem = posixpath.basename(path)
    return len(stem), stem
