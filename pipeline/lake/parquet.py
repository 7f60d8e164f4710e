"""Arrow tables -> Snappy Parquet bytes with lineage metadata, and raw bodies -> gzip."""

from __future__ import annotations

import datetime as dt
import gzip

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.lake.layout import SCHEMA_VERSION

SOURCE = "stats.nba.com"


def with_lineage(table: pa.Table, columns: dict[str, object]) -> pa.Table:
    """Add lineage columns (game_id, season, ...) that the table does not have already."""
    for name, value in columns.items():
        if name not in table.column_names and value is not None:
            table = table.append_column(name, pa.array([value] * table.num_rows, type=pa.string()))
    return table


def file_metadata(metadata: dict[str, object]) -> dict[str, object]:
    """The lineage every file of the lake carries, plus the file's own metadata."""
    return {
        "source": SOURCE,
        "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION,
        **metadata,
    }


def to_parquet_bytes(
    table: pa.Table,
    metadata: dict[str, object],
    *,
    compression: str = "snappy",
    row_group_size: int | None = None,
) -> bytes:
    meta = file_metadata({"row_count": table.num_rows, **metadata})
    existing = table.schema.metadata or {}
    table = table.replace_schema_metadata(
        {**existing, **{k.encode(): str(v).encode() for k, v in meta.items()}}
    )
    sink = pa.BufferOutputStream()  # Arrow's own memory: no call back into Python per write
    # The lake's own files are small and read whole (compaction's files, made for engines,
    # are written elsewhere): a dictionary page and statistics per column cost a third of
    # the writing, and the files come out smaller without them (bench/bench_season.py).
    pq.write_table(
        table,
        sink,
        compression=compression,
        row_group_size=row_group_size,
        use_dictionary=False,
        write_statistics=False,
    )
    return sink.getvalue().to_pybytes()


# Enough for the footer of any file the lake writes, so reading one costs one request.
FOOTER_READ_BYTES = 256 * 1024


def read_footer(store, path: str) -> pq.FileMetaData:
    """A Parquet file's footer (schema, row groups, key-value metadata) without its data:
    on S3 one ranged GET of the file's tail (two if the footer is larger than that)."""
    tail = store.read_tail(path, FOOTER_READ_BYTES)
    if len(tail) < 12 or tail[-4:] != b"PAR1":
        raise ValueError(f"{path} is not a Parquet file")
    length = int.from_bytes(tail[-8:-4], "little")
    if length + 8 > len(tail):
        tail = store.read_tail(path, length + 8)
    footer = tail[-(length + 8) :]
    # Arrow parses a footer wherever it finds one: the magic bytes in front stand in for
    # the data it will not read.
    return pq.read_metadata(pa.BufferReader(b"PAR1" + footer))


def read_parquet_bytes(data: bytes) -> pa.Table:
    # The file reader on this thread, not pq.read_table: that one goes through Arrow's
    # dataset scanner, which is still releasing the bytes (a Python object: it takes the
    # GIL) on its own threads after it returns. A process that exits meanwhile aborts,
    # "terminate called without an active exception" (apache/arrow#33975):
    # tests/test_exit.py. The lake's files are small: threads would not pay.
    return pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False)


def gzip_text(body: str) -> bytes:
    # mtime=0 keeps the bytes deterministic for the same body. Level 1: a third of level
    # 6's time for a third more bytes (a season's logs and 200 box scores: 0.045 s and 1.8
    # MB against 0.16 s and 1.4 MB); the raw bodies are a tenth of the lake.
    return gzip.compress(body.encode("utf-8"), compresslevel=1, mtime=0)


def gunzip_text(data: bytes) -> str:
    return gzip.decompress(data).decode("utf-8")
