"""A process that read the lake exits with its own exit code.

pq.read_table goes through Arrow's dataset scanner, which was still releasing the bytes it
read (a Python object: it takes the GIL) on its own threads after it returned. A process
that exited meanwhile aborted: "terminate called without an active exception", exit -6
(apache/arrow#33975), after a run that had succeeded. Here that was 29 of 240 short
processes that each read 40 files, so 24 of them pass together about 1 time in 20.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from pipeline.lake.parquet import to_parquet_bytes

PROCESSES = 24
READER = """
import pathlib, sys
from pipeline.lake.parquet import read_parquet_bytes
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.parquet")):
    read_parquet_bytes(path.read_bytes())
"""


def test_processes_that_read_parquet_exit_cleanly(tmp_path):
    rows = 40
    table = pa.table(
        {
            "gameId": [f"00224{i:05d}" for i in range(rows)],
            "personId": list(range(rows)),
            "points": [float(i) for i in range(rows)],
        }
    )
    for n in range(40):
        (tmp_path / f"{n:03d}.parquet").write_bytes(to_parquet_bytes(table, {"n": str(n)}))

    def reader(_):
        return subprocess.run(
            [sys.executable, "-c", READER, str(tmp_path)], capture_output=True, text=True
        )

    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(reader, range(PROCESSES)))
    failed = [(d.returncode, d.stderr[-300:]) for d in done if d.returncode != 0]
    assert not failed, failed
