"""A season query read from the per-game files and from the compacted files, locally and on S3.

    python bench/bench_query.py [--lake DIR]   # DIR: a season already backfilled (reused)

Without --lake, a full simulated season 2024-25 is backfilled first, as bench_season does
(`SeasonBackfill --workers 2` against the simulator, about 90 s), into a temporary folder.

The query is each player's points per game over the season:

    SELECT personId, any_value(firstName || ' ' || familyName) AS player,
           count(*) AS games, round(avg(points), 1) AS ppg
    FROM box_traditional_players
    WHERE season = '2024-25' AND minutes <> ''
    GROUP BY personId ORDER BY ppg DESC

- Local: DuckDB in-process over the per-game files (read_parquet over their glob, as a user
  would write it today) and over the compacted file; then the whole `sql` command (a new
  process: imports, the lake listing, the freshness check, DuckDB), compacted.
- S3 (moto's server in its own process): the season's box_traditional_players files are
  put in a bucket, compacted there by compact_season (so the digest holds S3's ETags), and
  the `sql` command runs against two roots of it, per-game files only and with the
  compacted file. Every request goes through a counting HTTP proxy in front of moto.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pathlib
import posixpath
import subprocess
import sys
import tempfile
import threading
import time

import duckdb

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # the repo root
from bench.harness import REPO, backfill_env, figure, luigi_command, simulator, timed  # noqa: E402
from pipeline import runtime  # noqa: E402
from pipeline.lake import compact  # noqa: E402
from pipeline.lake.lake import Lake  # noqa: E402
from tests.s3_server import FAKE_ENV, FaultProxy  # noqa: E402

SEASON = "2024-25"
TABLE = "box_traditional_players"
BUCKET = "lake-bench"
QUERY = f"""
SELECT personId, any_value(firstName || ' ' || familyName) AS player,
       count(*) AS games, round(avg(points), 1) AS ppg
FROM {TABLE}
WHERE season = '{SEASON}' AND minutes <> ''
GROUP BY personId ORDER BY ppg DESC
"""


def backfill(lake: pathlib.Path) -> float:
    with simulator(warm_seasons=(SEASON,)) as url:
        run = timed(
            luigi_command(
                "--module", "pipeline", "SeasonBackfill", "--season", SEASON, "--workers", "2"
            ),
            env=backfill_env(lake, url),
        )
    if run.returncode != 0:
        raise SystemExit(f"backfill failed:\n{run.output[-3000:]}")
    return run.seconds


def duckdb_seconds(source: str, repeat: int = 3) -> tuple[float, int]:
    """Best of `repeat` fresh connections running the query over `source`."""
    best, rows = float("inf"), 0
    for _ in range(repeat):
        con = duckdb.connect()
        started = time.perf_counter()
        rows = len(con.sql(QUERY.replace(TABLE, source, 1)).fetchall())
        best = min(best, time.perf_counter() - started)
        con.close()
    return best, rows


def sql_command(root: str, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.app.query", "--lake-root", root, "--csv", QUERY],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if result.returncode != 0:
        raise SystemExit(f"sql failed on {root}:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, result


def serve_moto(objects: dict[str, bytes], conn) -> None:
    """Child process: moto seeded straight into its backend, then served over HTTP."""
    import logging

    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    backend = get_backend("s3")[DEFAULT_ACCOUNT_ID]["global"]
    backend.create_bucket(BUCKET, "us-east-1")
    for key, body in objects.items():
        backend.put_object(BUCKET, key, body)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    conn.send(server.get_host_and_port()[1])
    threading.Event().wait()


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=pathlib.Path, help="a backfilled season to reuse")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="bench-query-")
    lake_dir = args.lake or pathlib.Path(scratch.name) / "lake"
    if args.lake is None:
        print(f"backfilling {SEASON} into {lake_dir} ...", flush=True)
        print(f"backfilled in {backfill(lake_dir):.0f} s", flush=True)
    lake = Lake(str(lake_dir))
    files = sorted(pathlib.Path(lake.layout.table_prefix(TABLE, SEASON)).rglob("*.parquet"))

    # --- compaction, local ---------------------------------------------------------------
    started = time.perf_counter()
    result = compact.compact_season(lake, SEASON)
    compact_s = time.perf_counter() - started
    started = time.perf_counter()
    again = compact.compact_season(lake, SEASON)
    noop_s = time.perf_counter() - started
    print(result.summary())
    print(again.summary())
    # A day of an in-progress season: the last 10 games of every per-game table land again.
    for table in compact.schema.tables():
        for path in sorted(pathlib.Path(lake.layout.table_prefix(table, SEASON)).glob("*/*"))[-10:]:
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)
    started = time.perf_counter()
    day = compact.compact_season(lake, SEASON)
    day_s = time.perf_counter() - started
    print(day.summary())

    # --- local ---------------------------------------------------------------------------
    per_game = f"{lake.layout.table_prefix(TABLE, SEASON)}/*/*.parquet"
    glob = f"read_parquet('{per_game}', hive_partitioning = true)"
    months = posixpath.dirname(lake.layout.compact_file(TABLE, SEASON)) + "/*.parquet"
    compacted = f"read_parquet('{months}', hive_partitioning = true)"
    local_per_game, rows_a = duckdb_seconds(glob)
    local_compacted, rows_b = duckdb_seconds(compacted)
    assert rows_a == rows_b > 0, (rows_a, rows_b)
    command_local, _ = sql_command(str(lake_dir))

    # --- S3 ------------------------------------------------------------------------------
    objects = {}
    for path in files:
        relative = path.relative_to(lake_dir).as_posix()
        body = path.read_bytes()
        objects[f"per-game/{relative}"] = body
        objects[f"compacted/{relative}"] = body
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    server = context.Process(target=serve_moto, args=(objects, child), daemon=True)
    server.start()
    moto_url = f"http://127.0.0.1:{parent.recv()}"
    try:
        os.environ.update(FAKE_ENV)
        import luigi

        luigi.configuration.get_config().set("s3", "endpoint_url", moto_url)
        runtime.reset()
        on_s3 = Lake(f"s3://{BUCKET}/compacted")
        started = time.perf_counter()
        s3_compaction = compact.compact_table(on_s3, TABLE, SEASON)
        s3_compact_s = time.perf_counter() - started
        results = {}
        for root in ("per-game", "compacted"):
            with FaultProxy(moto_url, faults=[]) as proxy:
                seconds, out = sql_command(
                    f"s3://{BUCKET}/{root}", env={**FAKE_ENV, "AWS_ENDPOINT_URL": proxy.url}
                )
            results[root] = (seconds, len(proxy.seen), len(out.stdout.splitlines()) - 1)
    finally:
        server.terminate()
        server.join()
    assert results["per-game"][2] == results["compacted"][2] == rows_a

    print()
    print(
        f"season {SEASON}, {TABLE}: {len(files):,} per-game files -> 1 compacted file "
        f"({s3_compaction.rows:,} rows); the query returns {rows_a} players"
    )
    print(
        f"compaction of the whole season (every table, local): {compact_s:.1f} s, "
        f"no-op rerun {noop_s:.2f} s, nothing written; 10 games changed in every per-game "
        f"table: {day_s:.1f} s; {TABLE} alone on S3: {s3_compact_s:.1f} s"
    )
    header = (
        f"{'read from':<26} {'local DuckDB s':>15} {'local sql cmd s':>16} "
        f"{'S3 sql cmd s':>13} {'S3 requests':>12}"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'per-game files':<26} {local_per_game:>15.3f} {'-':>16} "
        f"{results['per-game'][0]:>13.2f} {results['per-game'][1]:>12,}"
    )
    print(
        f"{'compacted file':<26} {local_compacted:>15.3f} {command_local:>16.2f} "
        f"{results['compacted'][0]:>13.2f} {results['compacted'][1]:>12,}"
    )
    return [
        figure(
            "7. season query (points per game), compacted, local",
            f"{local_compacted:.3f} s in DuckDB ({command_local:.2f} s the whole sql command)",
            f"per-game files: {local_per_game:.3f} s",
            "<= 1 s",
            local_compacted <= 1.0,
        ),
        figure(
            "7b. the same query on S3 (moto), compacted",
            f"{results['compacted'][1]} requests, {results['compacted'][0]:.1f} s",
            f"per-game files: {results['per-game'][1]:,} requests, {results['per-game'][0]:.1f} s",
            "<= 50 requests",
            results["compacted"][1] <= 50,
        ),
        figure(
            "7c. compaction of a season (every table, local)",
            f"{compact_s:.1f} s; no-op rerun {noop_s:.2f} s, nothing written; "
            f"10 new games in every table {day_s:.1f} s",
            "-",
            "(report)",
            None,
        ),
    ]


if __name__ == "__main__":
    main()
