"""Reading the lake for validation: listings, dead letters, Parquet footers and a few columns.

Cheap on purpose: one listing per table prefix answers completeness; every present file is
opened once, and only the tables with data checks read (a handful of) columns. Files are
opened in a small thread pool because Arrow decodes outside the GIL.

And only once: what was read of each file (its schema, its added columns, its data
columns) is kept per (season, table) in the report's own state, with the file's size and
version (modification time locally, ETag on S3) from one listing. The next report opens
only the files that are new or changed since, and takes the rest from there; the first
report of a season reads everything once.
"""

from __future__ import annotations

import base64
import json
import os
import posixpath
import sys
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.lake import schema as lake_schema
from pipeline.lake.lake import Lake
from pipeline.lake.parquet import read_parquet_bytes, to_parquet_bytes
from pipeline.lake.store import LocalStore

SCAN_STATE = "validation-scan"  # state_file kind: what validation read of each file
OPEN_CHUNK = 512  # files opened, then packed into one table, at a time


class FileInfo:
    """What validation knows of one file.

    schema: without metadata; files with equal schemas share one object.
    added: the columns the API added that the catalogue lacks, as recorded when the file
    was written: the raw JSON of its `added_columns` metadata ("" if none). The footer
    itself is not kept: 18k of them would take about a gigabyte.
    data: only the DATA_COLUMNS the file has (None: footer only). Kept as rows of a table
    shared by many files and sliced on use: a slice kept per file costs a few kB of Arrow
    objects, more than its rows (about 100 MB for a season).
    reused: taken from the previous report's scan, not opened this time."""

    __slots__ = ("game_id", "path", "schema", "added", "reused", "_rows")

    def __init__(self, game_id, path, schema, added, data=None, reused=False):
        self.game_id, self.path, self.schema, self.added = game_id, path, schema, added
        self.reused = reused
        self.data = data

    @property
    def data(self) -> pa.Table | None:
        rows = self._rows
        return rows[0].slice(rows[1], rows[2]) if isinstance(rows, tuple) else rows

    @data.setter
    def data(self, data: pa.Table | None) -> None:
        self._rows = data

    @property
    def has_data(self) -> bool:
        return self._rows is not None

    @property
    def num_rows(self) -> int:
        rows = self._rows
        return rows[2] if isinstance(rows, tuple) else rows.num_rows

    def rows_of(self, table: pa.Table, offset: int, rows: int) -> None:
        """Its data is rows offset.. of table (shared with other files)."""
        self._rows = (table, offset, rows)

    def run_of(self) -> tuple | None:
        """(shared table, offset, rows), or None if its data is its own."""
        return self._rows if isinstance(self._rows, tuple) else None


def stem(path: str) -> str:
    """'<...>/0022400001.parquet' -> '0022400001'."""
    return posixpath.basename(path).split(".", 1)[0]


def open_file(
    lake: Lake, path: str, columns: tuple[str, ...] | None, shared: dict | None = None
) -> FileInfo:
    # Local files are opened in place (footer + chosen columns only); on S3 a file is a
    # few kB, so one GET of the whole object is cheaper than ranged reads.
    local = isinstance(lake.store, LocalStore)
    source = path if local else pa.BufferReader(lake.store.read_bytes(path))
    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow
    data = None
    if columns:
        data = parquet.read(columns=[c for c in columns if c in schema.names], use_threads=False)
    return _info(path, schema, data, shared)


def _info(path: str, schema: pa.Schema, data: pa.Table | None, shared: dict | None) -> FileInfo:
    added = (schema.metadata or {}).get(lake_schema.ADDED_COLUMNS_KEY.encode(), b"").decode()
    bare = schema.remove_metadata()
    if shared is not None:  # files with equal schemas share one object (per call)
        bare = shared.setdefault(bare, bare)
    return FileInfo(stem(path), path, bare, sys.intern(added), data)


class CompactionFeed:
    """What compaction read of each file, kept as this scan's state (see open_table): the
    first report of a season then opens none of the files compaction has just read, and
    the season's files are read once, not twice. columns_of(table): the columns the report
    reads from that table's files (None: the footer only)."""

    def __init__(self, lake: Lake, columns_of):
        self.lake = lake
        self.columns_of = columns_of
        self._read: list[tuple[FileInfo, tuple]] = []
        self._shared: dict[pa.Schema, pa.Schema] = {}

    def read(self, table: str, path: str, version: tuple, data: pa.Table) -> None:
        columns = self.columns_of(table)
        chosen = None
        if columns:  # what open_file would read: these columns, without the file's metadata
            chosen = data.select([c for c in columns if c in data.schema.names])
            chosen = chosen.replace_schema_metadata(None)
        self._read.append((_info(path, data.schema, chosen, self._shared), version))
        if len(self._read) % OPEN_CHUNK == 0:  # thousands of tiny tables cost more than rows
            _packed([info for info, _ in self._read[-OPEN_CHUNK:]])

    def done(self, table: str, season: str, every_file: bool) -> None:
        read, self._read = {info.path: (info, v) for info, v in self._read}, []
        self._shared = {}
        if not (every_file and read):
            return  # only the changed files: the report's own scan reads what it lacks
        for state, paths in _by_state(self.lake, season, table, list(read)).items():
            _save(self.lake, state, self.columns_of(table), [read[p] for p in paths])


def _by_state(lake: Lake, season: str, table: str, paths: list[str]) -> dict[str, list[str]]:
    """The files by the state file that keeps what was read of them: one per month folder
    (as compaction's files), so that a day of a season in progress rewrites its month's."""
    found: dict[str, list[str]] = {}
    for path in paths:
        name = lake.layout.part_file(table, lake.layout.month_of(path))
        found.setdefault(lake.layout.state_file(SCAN_STATE, season, name), []).append(path)
    return found


def open_files(lake: Lake, paths: list[str], columns: tuple[str, ...] | None) -> list[FileInfo]:
    shared: dict[pa.Schema, pa.Schema] = {}
    return lake.map_paths(lambda p: open_file(lake, p, columns, shared), paths)


def open_table(
    lake: Lake,
    season: str,
    table: str,
    paths: list[str],
    columns: tuple[str, ...] | None,
    versions: dict[str, tuple] | None = None,
) -> list[FileInfo]:
    """open_files, opening only the files new or changed since the previous report of the
    season read them (one listing, unless the paths' versions are given), and keeping what
    it read for the next one: a state file per month, written only when something in that
    month changed."""
    if not paths:
        return []
    if versions is None:
        versions = lake.store.list_versions(posixpath.dirname(os.path.commonprefix(paths)))
    shared: dict[pa.Schema, pa.Schema] = {}
    infos: dict[str, FileInfo] = {}
    groups = _by_state(lake, season, table, paths)
    for state, group in groups.items():
        infos.update(_open_kept(lake, state, group, versions, columns, shared))
    # A lake scanned before states were kept by month: the season's one state of a table
    # now kept by month is never read again.
    whole = lake.layout.state_file(SCAN_STATE, season, lake.layout.part_file(table, None))
    if whole not in groups and whole in lake.listing(posixpath.dirname(whole)):
        lake.delete(whole)
    return [infos[p] for p in paths]


def _open_kept(lake, state, paths, versions, columns, shared) -> dict[str, FileInfo]:
    """The files of one state file: kept ones from it, the others opened; the state file
    written again if anything changed."""
    kept = _load(lake, state, columns)
    infos: dict[str, FileInfo] = {}
    todo = []
    for path in paths:
        version = versions.get(path)
        previous = kept.get(lake.layout.relative(path))
        if version is not None and previous is not None and previous[0] == list(version):
            infos[path] = previous[1]
            shared.setdefault(previous[1].schema, previous[1].schema)
        else:
            todo.append(path)
    for start in range(0, len(todo), OPEN_CHUNK):
        opened = lake.map_paths(
            lambda p: open_file(lake, p, columns, shared), todo[start : start + OPEN_CHUNK]
        )
        for info in _packed(opened):
            infos[info.path] = info
    # Files of the table this report did not ask for (another scope's games) stay kept.
    others = [
        (info, version)
        for relative, (version, info) in kept.items()
        if info.path not in infos and list(versions.get(info.path, ())) == version
    ]
    if todo or len(kept) != len(paths) + len(others):
        entries = [(infos[p], versions.get(p)) for p in paths] + others
        _save(lake, state, columns, entries)
    return infos


def _packed(infos: list[FileInfo]) -> list[FileInfo]:
    """The files' data as slices of one contiguous table: thousands of tables of a few
    rows each cost several kB apiece in buffers and objects, more than their rows."""
    datas = [(i, i.data) for i in infos if i.has_data]
    usual = datas[0][1].schema if datas else None
    same = [(i, d) for i, d in datas if d.schema.equals(usual)]
    if len(same) < 2:
        return infos
    packed = pa.concat_tables([d for _, d in same]).combine_chunks()
    offset = 0
    for info, data in same:
        info.rows_of(packed, offset, data.num_rows)
        offset += data.num_rows
    return infos


def _load(lake: Lake, state: str, columns) -> dict[str, tuple[list, FileInfo]]:
    """Relative path -> ([size, version], FileInfo) from a previous scan of these columns."""
    if not lake.exists(state):
        return {}
    try:
        data = read_parquet_bytes(lake.store.read_bytes(state))
        meta = json.loads(data.schema.metadata[b"scan"])
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return {}  # unreadable: read every file again
    if meta.get("columns") != (list(columns) if columns else None):
        return {}
    data = data.replace_schema_metadata(None)
    schemas = [pa.ipc.read_schema(pa.py_buffer(base64.b64decode(s))) for s in meta["schemas"]]
    kept, offset = {}, 0
    for relative, version, schema_index, added, rows in meta["files"]:
        path = lake.layout.root + "/" + relative
        info = FileInfo(stem(path), path, schemas[schema_index], sys.intern(added), None, True)
        if rows >= 0:
            info.rows_of(data, offset, rows)
        offset += max(rows, 0)
        kept[relative] = (version, info)
    return kept


def _save(lake: Lake, state: str, columns, infos: list[tuple[FileInfo, tuple | None]]) -> None:
    """Keep the files whose data has the usual columns and types (all of them, as a rule):
    one table of their rows, and per file its version, schema and row count."""
    usual = next((i.data.schema for i, _ in infos if i.has_data), None)
    schemas: dict[pa.Schema, int] = {}
    files, parts = [], []
    for info, version in infos:
        data = info.data
        if version is None or (data is not None and not data.schema.equals(usual)):
            continue  # read again next time: rare, and cheaper than keeping its own schema
        index = schemas.setdefault(info.schema, len(schemas))
        rows = -1 if data is None else data.num_rows
        files.append([lake.layout.relative(info.path), list(version), index, info.added, rows])
        if data is not None:
            parts.append(data)
    meta = {
        "columns": list(columns) if columns else None,
        "schemas": [base64.b64encode(s.serialize().to_pybytes()).decode() for s in schemas],
        "files": files,
    }
    data = pa.concat_tables(parts) if parts else pa.table({"_": pa.array([], pa.int8())})
    lake.write_bytes(state, to_parquet_bytes(data, {"scan": json.dumps(meta)}))


@dataclass
class DeadLetters:
    """(endpoint key, game id) -> the dead-letter path, from one listing."""

    lake: Lake
    paths: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls, lake: Lake, season: str) -> DeadLetters:
        found = cls(lake)
        # The folder above <endpoint>/<key>.json, derived from dead_letter() itself so that
        # validation lists exactly where ingest writes.
        sample = lake.layout.dead_letter(season, "endpoint", "key")
        prefix = posixpath.dirname(posixpath.dirname(sample))
        for path in lake.listing(prefix, fresh=True):
            if path.endswith(".json"):
                endpoint_key = posixpath.basename(posixpath.dirname(path))
                found.paths[(endpoint_key, stem(path))] = path
        return found

    def reason(self, endpoint_key: str, game_id: str) -> str | None:
        path = self.paths.get((endpoint_key, game_id))
        if path is None:
            return None
        try:
            letter = self.lake.read_json(path)
        except (OSError, ValueError) as exc:
            return f"unreadable dead letter: {exc}"
        return (
            f"{letter.get('error_type', '?')}: {letter.get('error', '')} "
            f"(attempts {letter.get('attempts', '?')}, last {letter.get('last_attempt', '?')})"
        )


def keys_in(lake: Lake, table: str, season: str | None) -> set[str]:
    """The keys (file stems) of a season-level table such as players/ or teams/."""
    return {
        stem(p)
        for p in lake.listing(lake.layout.table_prefix(table, season), fresh=True)
        if p.endswith(".parquet")
    }


def _runs(files: list[FileInfo]):
    """The files' data in order, files whose rows follow each other in one shared table as
    one slice."""
    run = None  # [table, offset, rows]
    for f in files:
        shared = f.run_of()
        follows = run is not None and shared is not None and shared[0] is run[0]
        if follows and shared[1] == run[1] + run[2]:
            run[2] += shared[2]
            continue
        if run is not None:
            yield run[0].slice(run[1], run[2])
            run = None
        if shared is not None:
            run = list(shared)
        else:
            yield f.data
    if run is not None:
        yield run[0].slice(run[1], run[2])


def stack(files: list[FileInfo], columns: tuple[str, ...], schema: pa.Schema) -> pa.Table:
    """One table of the files' data columns, plus `file_game` (the game id from the file
    name, which the checks trust over the file's content).

    Columns a file lacks, or holds with a type that does not cast to the table's schema,
    come out as nulls: the schema checks report those, and the data checks skip nulls.
    """
    target = pa.schema(
        [schema.field(c) if c in schema.names else pa.field(c, pa.string()) for c in columns]
    )
    names = list(target.names)
    parts = []
    for data in _runs(files):
        if data.schema.names == names and data.schema.equals(target):
            parts.append(data)  # the usual case: no copy
        elif set(names) <= set(data.column_names) and data.select(names).schema.equals(target):
            parts.append(data.select(names))
        else:
            arrays = [_column_as(data, fld, data.num_rows) for fld in target]
            parts.append(pa.Table.from_arrays(arrays, schema=target))
    table = pa.concat_tables(parts) if parts else target.empty_table()
    games = np.repeat(
        np.array([f.game_id for f in files], dtype=object), [f.num_rows for f in files]
    )
    return table.append_column("file_game", pa.array(games, pa.string()))


def _column_as(data: pa.Table, fld: pa.Field, rows: int) -> pa.ChunkedArray | pa.Array:
    if fld.name in data.column_names:
        column = data.column(fld.name)
        if column.type == fld.type:
            return column.combine_chunks()
        try:
            return column.cast(fld.type).combine_chunks()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pa.nulls(rows, fld.type)
