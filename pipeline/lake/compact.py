"""Compaction: a few Parquet files per (table, season) under compact/, for readers.

The per-game files (per player, per team for the season-level tables) stay what they are:
the resume mechanism, where "the file exists" means "done". Readers want the opposite,
few large files: a season of a table is about 1,320 files of a few kB, which costs a
request each on S3. So at the end of a season run each month's files of a table are
copied into one, beside the season's other months (one partition for engines):

    compact/<table>/season=<season>/<table>-<MM>.parquet   (per-game tables, by month)
    compact/<table>/season=<season>/<table>.parquet        (per-season tables)
    compact/<table>/<table>.parquet                        (the lake-wide bios)

A month's file is made again only when that month's files changed: the daily run of a
season in progress rewrites the current month, not the season.

- in the table's one schema (pipeline/lake/schema.py), plus any columns the API added;
- sorted by game date, then game id (rows of one game keep their order);
- in row groups of DuckDB's own size, so a scan splits across threads;
- streamed: inputs read a chunk of files (or one row group of the previous copy) at a time
  and row groups written as they fill, so memory is a few row groups, not the table (a
  season of play-by-play is about 600,000 rows). Per-game files are read in the order of
  the game index's (date, game id), each checked to hold that one game, and merged with the
  previous copy, which is sorted already; rows that disagree are sorted in memory instead;
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
import functools
import hashlib
import heapq
import itertools
import json
import multiprocessing
import operator
import posixpath
import signal
import time
import zlib
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.lake import schema
from pipeline.lake.parquet import file_metadata, read_footer, read_parquet_bytes

INPUTS_DIGEST_KEY = "inputs_digest"
INPUTS_KEY = "inputs"
# Each input's (size, version), zlib-compressed JSON in base64: what lets the next
# compaction read only the files that changed.
INPUT_VERSIONS_KEY = "input_versions"
# DuckDB's row group size (122,880 rows): its scans give each thread a row group.
ROW_GROUP_ROWS = 122_880
# Tables are compacted in several processes from this many files to read (a whole season
# has 18,500): below it, a forked process costs more memory and time than it saves.
PROCESSES_FROM_FILES = 5_000


class Reader(Protocol):
    """Another pass that wants the per-game files compaction reads, as read (validation:
    one read of the season's files serves both)."""

    def read(self, table: str, path: str, version: tuple, data: pa.Table) -> None: ...

    def done(self, table: str, season: str, every_file: bool) -> None:
        """A compacted file's inputs are read; every_file: all of them, not just the
        changed."""


@dataclass
class TableCompaction:
    table: str
    status: str  # "written", "current" (nothing to do), "removed" or "empty"
    inputs: int = 0
    rows: int = 0
    bytes_written: int = 0
    files_read: int = 0  # per-game files read: all of them, or only those that changed
    # Its files as listed -> (size, version): validation, next, need not stat them again.
    listed: dict[str, tuple[int, str]] | None = field(default=None, repr=False)


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


def parts(lake, table: str, season: str | None, inputs: dict) -> dict[str, dict]:
    """Compacted file -> the inputs it is made from: one file per month folder of a table
    kept by month (per-game tables), else one for all of them. A day of a season in
    progress touches only its month's file, not the season's."""
    found: dict[str, dict] = {}
    for path, version in inputs.items():
        target = lake.layout.compact_file(table, season, lake.layout.month_of(path))
        found.setdefault(target, {})[path] = version
    return found


def compacted_of(lake, table: str, season: str | None, compacted: dict) -> list[str]:
    """The table's compacted files of the season (of the lake, for a lake-wide table) in a
    listing of compact/: a month's each, or the season's one (a lake compacted before
    files were made per month)."""
    season = schema.partition_season(table, season)
    folder = posixpath.dirname(lake.layout.compact_file(table, season))
    return sorted(
        path
        for path in compacted
        if posixpath.dirname(path) == folder
        and lake.layout.is_part_file(table, posixpath.basename(path))
    )


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
    return lake.read_metadata(path)


def freshness(
    lake, table: str, season: str, compacted: dict | None = None, inputs: dict | None = None
) -> Freshness:
    """Are the table's compacted files of the season made from exactly the files it holds
    now, one per month (per part), and no other?"""
    season = schema.partition_season(table, season)
    inputs = input_files(lake, table, season) if inputs is None else inputs
    listing = compacted if compacted is not None else compacted_files(lake)
    present = compacted_of(lake, table, season, listing)
    expected = parts(lake, table, season, inputs)
    if not inputs:
        if present:
            return Freshness(table, season, "behind", 0, "its per-game files are gone")
        return Freshness(table, season, "empty", 0)
    if not present:
        return Freshness(table, season, "absent", len(inputs), "no compacted file")
    stale = [lake.layout.relative(p) for p in present if p not in expected]
    missing = [lake.layout.relative(p) for p in expected if p not in present]
    changed = [
        lake.layout.relative(target)
        for target, part in expected.items()
        if target in present and not is_current(lake, target, part)
    ]
    if not (stale or missing or changed):
        return Freshness(table, season, "current", len(inputs))
    said = [
        f"{what}: {', '.join(paths)}"
        for what, paths in (
            ("made before new or rewritten files", changed),
            ("not compacted yet", missing),
            ("no files now", stale),
        )
        if paths
    ]
    return Freshness(table, season, "behind", len(inputs), "; ".join(said))


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


def compact_season(
    lake, season: str, tables: list[str] | None = None, reader: Reader | None = None
) -> CompactionResult:
    """Compact every table of the season whose files changed since its compacted file was
    made. No API request; nothing written for a table whose inputs are unchanged. reader
    is handed every file read."""
    started = time.monotonic()
    result = CompactionResult(season)
    compacted = compacted_files(lake)
    names = list(tables if tables is not None else schema.tables())
    processes = min(lake.store.processes, len(names))
    # Files, not bytes: one listing each (S3 is one process: none).
    sizes = {t: _unmade(lake, t, season, compacted) for t in (names if processes > 1 else [])}
    if processes <= 1 or sum(sizes.values()) < PROCESSES_FROM_FILES:
        for table in names:
            result.tables[table] = _compact_released(lake, table, season, compacted, reader)
    else:
        result.tables = _in_processes(processes, lake, sizes, season, compacted, reader)
    result.seconds = time.monotonic() - started
    return result


def _unmade(lake, table: str, season: str, compacted: dict) -> int:
    """The table's files in months with no compacted file yet: about what compacting it
    reads. A month compacted before is updated from its copy and the files that changed
    (a day's, in a daily run), so its files are not counted."""
    season = schema.partition_season(table, season)
    present = set(compacted_of(lake, table, season, compacted))
    listed = lake.listing(lake.layout.table_prefix(table, season))  # names: no stat
    expected = parts(lake, table, season, {p: None for p in listed if p.endswith(".parquet")})
    return sum(len(part) for target, part in expected.items() if target not in present)


def _compact_released(lake, table, season, compacted, reader) -> TableCompaction:
    made = compact_table(lake, table, season, compacted, reader)
    # Arrow's allocator keeps freed pages for reuse: give them back, so that what runs
    # after compaction in the same process does not start from its peak.
    pa.default_memory_pool().release_unused()
    return made


def _in_processes(processes, lake, sizes, season, compacted, reader) -> dict:
    """The tables compacted by this process and processes-1 forked ones at once, the
    tables shared out by their number of files, largest first. Decoding thousands of
    small files holds the GIL between Arrow's calls, so threads share one core; processes
    use them all. Forked: nothing to import, the parent's memory shared rather than
    copied, and the reader (validation's scan state) kept by the process that read the
    table's files."""
    names = list(sizes)
    shares: list[list[str]] = [[] for _ in range(processes)]
    files = [0] * processes
    for table in sorted(names, key=lambda t: -sizes[t]):
        least = files.index(min(files))
        shares[least].append(table)
        files[least] += sizes[table]
    pool = multiprocessing.get_context("fork").Pool(processes - 1, _ignore_interrupts)
    try:
        forked = [
            pool.apply_async(_compact_tables, (lake, share, season, compacted, reader))
            for share in shares[1:]
        ]
        made = _compact_tables(lake, shares[0], season, compacted, reader)
        for result in forked:
            made.update(result.get())
        pool.close()
    except BaseException:  # Ctrl-C included: the others stop too (their writes are atomic)
        pool.terminate()
        raise
    finally:
        pool.join()
    lake.forget_listings()  # the other processes wrote and deleted files this one listed
    return {table: made[table] for table in names}


def _compact_tables(lake, tables, season, compacted, reader) -> dict[str, TableCompaction]:
    return {t: _compact_released(lake, t, season, compacted, reader) for t in tables}


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent alone is interrupted, and ends
    # the others, which would otherwise each print a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def compact_table(
    lake, table: str, season: str, compacted: dict | None = None, reader: Reader | None = None
) -> TableCompaction:
    """Compact one table's files of the season (of the whole lake, for a lake-wide table):
    each month's file whose inputs changed, and no other; a compacted file whose inputs
    are all gone (a rebuild deletes them, or a lake compacted whole seasons) is deleted."""
    asked, season = season, schema.partition_season(table, season)
    listing = compacted if compacted is not None else compacted_files(lake)
    present = compacted_of(lake, table, season, listing)
    inputs = input_files(lake, table, season)
    expected = parts(lake, table, season, inputs)
    gone = [p for p in present if p not in expected]
    if not inputs:
        for path in gone:
            lake.delete(path)
        return TableCompaction(table, "removed" if present else "empty", listed=inputs)
    # The game index is read only if a month is written (not by a run that changed nothing).
    keys = functools.cache(lambda: _index_keys(lake, season) if _sorted(table) else None)
    done = []
    for target, part in sorted(expected.items()):
        made = _compact_part(lake, table, season, target, part, target in present, keys, reader)
        if reader is not None and made.status == "written":  # a month at a time: memory
            reader.done(table, asked, every_file=made.files_read == made.inputs)
        done.append(made)
    for path in gone:  # after the months that replace it are written
        lake.delete(path)
    written = [d for d in done if d.status == "written"]
    return TableCompaction(
        table,
        "written" if written or gone else "current",
        len(inputs),
        sum(d.rows for d in written),
        sum(d.bytes_written for d in written),
        sum(d.files_read for d in done),
        listed=inputs,
    )


def _compact_part(lake, table, season, target, inputs, present, keys, reader) -> TableCompaction:
    """One compacted file (a month's, or the table's) from its inputs: nothing read when
    they are unchanged; else from the previous copy and the files that changed. keys():
    the game index's sort keys (None: a table not sorted)."""
    made = compacted_metadata(lake, target) if present else {}
    if made.get(INPUTS_DIGEST_KEY) == inputs_digest(lake, inputs):
        return TableCompaction(table, "current", inputs=len(inputs))
    folder = lake.layout.table_prefix(table, season) + "/"
    versions = {path[len(folder) :]: list(v) for path, v in inputs.items()}
    changes = _changes(table, made, versions)
    if changes is None:  # no usable previous copy: every file
        to_read, drop = sorted(inputs, key=_natural), None
    else:  # the previous copy, less the games that changed, plus their files
        changed, gone = changes
        to_read = [folder + name for name in sorted(changed, key=_natural)]
        drop = {posixpath.basename(n).split(".")[0] for n in changed + gone}
    metadata = {
        "table": table,
        "season": season or "",
        INPUTS_KEY: len(inputs),
        INPUTS_DIGEST_KEY: inputs_digest(lake, inputs),
        INPUT_VERSIONS_KEY: _pack(versions),
    }

    def seen(path: str, part: pa.Table) -> None:
        reader.read(table, path, tuple(inputs[path]), part)

    seen = seen if reader is not None else None
    data, rows = _write(lake, table, target, to_read, drop, metadata, keys(), seen)
    size = lake.write_bytes(target, data)
    return TableCompaction(table, "written", len(inputs), rows, size, len(to_read))


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


# Per-game files are read this many at a time: what a stream holds besides its row groups.
READ_CHUNK = 64
READ_BATCH_ROWS = 16_384  # rows of the previous copy decoded at a time
HELD_PIECES = 256  # pieces held before they are copied into one table
SORT_KEYS = ("game_date", "game_id")


class _Replan(Exception):
    """The stream met what its plan did not foresee (see _write)."""


class _Wider(_Replan):
    """A file has columns beyond the plan's schema: a column the API added since."""


class _Misordered(_Replan):
    """A file's rows are not of the one game and date the plan ordered it by."""


def _write(lake, table, target, to_read, drop, metadata, keys, seen=None) -> tuple[bytes, int]:
    """The compacted file (its bytes, its rows), streamed: files read READ_CHUNK at a time,
    the previous copy (when drop names the games to leave out of it) one row group at a
    time, row groups written as they fill. Sorted tables come out in order because their
    inputs are merged in order: per-game files ordered by the game index's (date, game id),
    each checked to hold that one game; the previous copy is sorted already. keys: each
    game's sort key from the game index (None: a table not sorted)."""
    previous = lake.store.read_bytes(target) if drop is not None else None
    prior = [pq.read_schema(pa.BufferReader(previous))] if previous is not None else []
    added = _added_columns(table, prior)
    for _ in range(2):
        try:
            pieces = _pieces(lake, table, to_read, previous, drop, added, keys, seen)
            return _written(table, pieces, added, metadata)
        except _Wider:  # every file's footer says which columns, in the order they came
            footers = [read_footer(lake.store, p) for p in to_read]
            schemas = [f.schema.to_arrow_schema().with_metadata(f.metadata) for f in footers]
            added = _added_columns(table, prior + schemas)
        except _Misordered:
            break
    # Rows that disagree with the index (a game's file of two dates): sort in memory.
    data, added = _in_memory(lake, table, to_read, previous, drop, seen)
    return _written(table, [data], added, metadata)


def _sorted(table: str) -> bool:
    return set(SORT_KEYS) <= set(schema.table_schema(table).names)


def _key(date, game_id) -> tuple:
    """Sort order of (game date, game id), nulls last as Arrow sorts them."""
    return (date is None, date or "", game_id is None, game_id or "")


def _stem(path: str) -> str:
    return posixpath.basename(path).split(".")[0]


def _index_keys(lake, season: str | None) -> dict[str, tuple]:
    """Game id -> its sort key, from the season's game index (one small file)."""
    path = lake.layout.game_index(season) if season else None
    if path is None or not lake.store.exists(path):
        return {}
    index = lake.read_table(path).select(["game_id", "game_date"]).to_pydict()
    return {g: _key(d, g) for g, d in zip(index["game_id"], index["game_date"], strict=True)}


def _added_columns(table: str, schemas: list[pa.Schema]) -> dict[str, pa.DataType]:
    """Columns beyond the table's schema in these schemas, in the order they first appear,
    typed as recorded when written, else by the rules."""
    known = set(schema.table_schema(table).names)
    added: dict[str, pa.DataType] = {}
    for found in schemas:
        if known.issuperset(found.names):
            continue  # the usual case: nothing beyond the table's schema
        recorded = schema.added_columns(found.metadata)
        for name in found.names:
            if name not in known and name not in added:
                added[name] = (
                    pa.type_for_alias(recorded[name])
                    if name in recorded
                    else schema.added_type(table, name)
                )
    return added


def _conformed(part: pa.Table, table: str, added: dict, where: str) -> pa.Table:
    target = _schema_of(table, added)
    if part.schema.remove_metadata().equals(target):  # the usual case: no copy
        return part.replace_schema_metadata(None)
    if not set(target.names).issuperset(part.column_names):
        raise _Wider(where)
    return schema.conform(part, schema.table_schema(table), added, where=f"compacting {where}")


def _pieces(lake, table, to_read, previous, drop, added, keys, seen):
    """The compacted rows in order, as tables of a few thousand rows."""
    fresh = _files(lake, table, to_read, added, keys, seen)
    if previous is None:
        yield from (part for _, part in fresh)
        return
    kept = _previous_runs(table, previous, drop, added, keys is not None)
    if keys is None:  # nothing to sort by: the previous rows, then the files'
        merged = itertools.chain(kept, fresh)
    else:  # both in order already; on a tie the previous rows first, as a stable sort
        merged = heapq.merge(kept, fresh, key=operator.itemgetter(0))
    yield from (part for _, part in merged)


def _files(lake, table, paths, added, keys, seen):
    """(sort key, rows) of each file: in key order for a sorted table, else as given;
    seen(path, rows as read), if given, for each."""
    expected = {}
    if keys is not None:
        unknown = [p for p in paths if _stem(p) not in keys]  # not in the index: ask the file
        keys = {**keys, **dict(zip(map(_stem, unknown), _file_keys(lake, unknown), strict=True))}
        expected = {p: keys[_stem(p)] for p in paths}
        paths = sorted(paths, key=expected.__getitem__)
    for start in range(0, len(paths), READ_CHUNK):
        chunk = paths[start : start + READ_CHUNK]
        # The bytes as the store reads best (S3: in threads), decoded here: decoding
        # thousands of small files in threads fought over the GIL, at a quarter more CPU.
        for path, data in zip(chunk, lake.map_paths(lake.store.read_bytes, chunk), strict=True):
            part = read_parquet_bytes(data)
            if seen is not None:
                seen(path, part)
            part = _conformed(part, table, added, lake.layout.relative(path))
            if keys is not None and part.num_rows and _only_key(part) != expected[path]:
                raise _Misordered(path)
            yield expected.get(path), part


def _file_keys(lake, paths: list[str]) -> list[tuple]:
    def key(path: str) -> tuple:
        parquet = pq.ParquetFile(pa.BufferReader(lake.store.read_bytes(path)))
        found = _only_key(parquet.read(columns=list(SORT_KEYS), use_threads=False))
        if found is None:
            raise _Misordered(path)
        return found

    return lake.map_paths(key, paths)


def _only_key(part: pa.Table) -> tuple | None:
    """The one (date, game id) of all the rows, or None if they hold several."""
    values = [pc.unique(part.column(name)) for name in SORT_KEYS]
    if any(len(v) != 1 for v in values):
        return None
    return _key(*(v[0].as_py() for v in values))


def _previous_runs(table, previous: bytes, drop: set[str], added, ordered: bool):
    """(sort key, rows) of each game of the previous copy but the dropped ones, decoded
    READ_BATCH_ROWS at a time (a game cut by a batch comes as two runs of one key)."""
    parquet = pq.ParquetFile(pa.BufferReader(previous))
    dropped = pa.array(sorted(drop), pa.string())
    last = None
    for batch in parquet.iter_batches(batch_size=READ_BATCH_ROWS, use_threads=False):
        group = pa.Table.from_batches([batch])
        group = group.filter(pc.invert(pc.is_in(group.column("game_id"), value_set=dropped)))
        group = _conformed(group, table, added, "the previous compacted file")
        if not ordered:
            yield None, group
            continue
        for key, run in _runs(group):
            if last is not None and key < last:
                raise _Misordered("the previous compacted file")
            last = key
            yield key, run


def _runs(group: pa.Table):
    """(sort key, rows) of each run of rows of one game and date."""
    if not group.num_rows:
        return
    dates, ids = (group.column(n).to_numpy(zero_copy_only=False) for n in SORT_KEYS)
    starts = [0, *(np.flatnonzero((dates[1:] != dates[:-1]) | (ids[1:] != ids[:-1])) + 1)]
    for start, end in zip(starts, [*starts[1:], group.num_rows], strict=True):
        yield _key(dates[start], ids[start]), group.slice(start, end - start)


def _written(table, pieces, added, metadata) -> tuple[bytes, int]:
    """The pieces in one Parquet file, in row groups of ROW_GROUP_ROWS, each written as
    soon as it fills: at most about two row groups are held."""
    fields = _schema_of(table, added)
    meta = file_metadata({**metadata, **schema.schema_metadata(schema.table_schema(table), added)})
    sink = pa.BufferOutputStream()  # a few MB for a season of play-by-play; Arrow's memory
    writer = pq.ParquetWriter(
        sink, fields.with_metadata({k: str(v) for k, v in meta.items()}), compression="zstd"
    )
    held: list[pa.Table] = []
    count = rows = 0
    for piece in pieces:
        held.append(piece)
        count += piece.num_rows
        if len(held) >= HELD_PIECES:
            # Thousands of one-player files (the lake-wide bios): each table read keeps
            # buffers of its own, tens of kB, until copied into one.
            held = [pa.concat_tables(held).combine_chunks()]
        while count >= ROW_GROUP_ROWS:
            data = pa.concat_tables(held)
            writer.write_table(data.slice(0, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS)
            rest = data.slice(ROW_GROUP_ROWS)
            held, count, rows = [rest], rest.num_rows, rows + ROW_GROUP_ROWS
    if count or not rows:  # an empty table still has its one (empty) row group
        rest = pa.concat_tables(held) if held else fields.empty_table()
        writer.write_table(rest, row_group_size=ROW_GROUP_ROWS)
        rows += count
    writer.add_key_value_metadata({"row_count": str(rows)})
    writer.close()
    return sink.getvalue().to_pybytes(), rows


def _in_memory(lake, table, to_read, previous, drop, seen=None) -> tuple[pa.Table, dict]:
    """The whole table at once, sorted in memory: the fallback when the stream cannot keep
    the order by merging."""
    parts = []
    if previous is not None:
        rows = read_parquet_bytes(previous)
        dropped = pa.array(sorted(drop), pa.string())
        rows = rows.filter(pc.invert(pc.is_in(rows.column("game_id"), value_set=dropped)))
        parts.append(("the previous compacted file", rows))
    for path in to_read:
        parts.append((lake.layout.relative(path), lake.read_table(path)))
        if seen is not None:
            seen(path, parts[-1][1])
    return combine(table, parts)


def combine(table: str, parts: list[tuple[str, pa.Table]]) -> tuple[pa.Table, dict]:
    """The parts' rows in one table of the table's schema (plus columns the API added, in
    the order they first appear), sorted by game date and game id where it has them.
    Each part is (what it is, for errors; its rows)."""
    added = _added_columns(table, [part.schema for _, part in parts])
    conformed = [_conformed(part, table, added, label) for label, part in parts]
    data = pa.concat_tables(conformed) if conformed else _schema_of(table, added).empty_table()
    if _sorted(table):
        data = data.sort_by([(name, "ascending") for name in SORT_KEYS])  # stable
    return data, added


def _schema_of(table: str, added: dict) -> pa.Schema:
    return pa.schema([*schema.table_schema(table), *(pa.field(n, t) for n, t in added.items())])


def _natural(path: str) -> tuple[int, str]:
    """Files in key order (numeric keys of different lengths too): 9 < 10."""
    stem = posixpath.basename(path)
    return len(stem), stem
