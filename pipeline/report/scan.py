"""Reading the lake for validation: listings, dead letters, Parquet footers and a few columns.

Cheap on purpose: one listing per table prefix answers completeness; every present file is
opened once, and only the tables with data checks read (a handful of) columns. Files are
opened in a small thread pool because Arrow decodes outside the GIL.
"""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.lake import schema as lake_schema
from pipeline.lake.lake import Lake
from pipeline.lake.store import LocalStore


@dataclass
class FileInfo:
    game_id: str
    path: str
    schema: pa.Schema  # without metadata; files with equal schemas share one object
    # Columns the API added that the catalogue lacks, as recorded when the file was written:
    # the raw JSON of the file's `added_columns` metadata ("" if none recorded). The footer
    # itself is not kept: 18k of them would take about a gigabyte.
    added: str
    data: pa.Table | None = None  # only the DATA_COLUMNS the file has


def stem(path: str) -> str:
    """'<...>/0022400001.parquet' -> '0022400001'."""
    return posixpath.basename(path).split(".", 1)[0]


def open_file(lake: Lake, path: str, columns: tuple[str, ...] | None) -> FileInfo:
    # Local files are opened in place (footer + chosen columns only); on S3 a file is a
    # few kB, so one GET of the whole object is cheaper than ranged reads.
    local = isinstance(lake.store, LocalStore)
    source = path if local else pa.BufferReader(lake.store.read_bytes(path))
    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow
    data = None
    if columns:
        data = parquet.read(columns=[c for c in columns if c in schema.names], use_threads=False)
    added = (schema.metadata or {}).get(lake_schema.ADDED_COLUMNS_KEY.encode(), b"").decode()
    return FileInfo(stem(path), path, _shared(schema.remove_metadata()), sys.intern(added), data)


_schemas: dict[pa.Schema, pa.Schema] = {}


def _shared(schema: pa.Schema) -> pa.Schema:
    return _schemas.setdefault(schema, schema)


def open_files(lake: Lake, paths: list[str], columns: tuple[str, ...] | None) -> list[FileInfo]:
    return lake.map_paths(lambda p: open_file(lake, p, columns), paths)


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
    for f in files:
        data = f.data
        if data.schema.names == names and data.schema.equals(target):
            parts.append(data)  # the usual case: no copy
        elif set(names) <= set(data.column_names) and data.select(names).schema.equals(target):
            parts.append(data.select(names))
        else:
            arrays = [_column_as(data, fld, data.num_rows) for fld in target]
            parts.append(pa.Table.from_arrays(arrays, schema=target))
    table = pa.concat_tables(parts) if parts else target.empty_table()
    games = np.repeat(
        np.array([f.game_id for f in files], dtype=object), [f.data.num_rows for f in files]
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
