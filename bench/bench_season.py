"""Season-scale benchmarks (issue #9, figures 1, 2, 3 and 6), each beside a naive-Luigi
baseline measured in the same run.

    python bench/bench_season.py [--season 2024-25] [--workers 2] [--keep DIR]

1. A full simulated season (no latency, no rate limit, local lake): wall time, peak memory.
3. A no-op rerun of the complete season.
6. Storage: Parquet bytes against the raw JSON bytes of the same responses.
2. Rebuild every table from the stored raw responses (tables deleted), zero API calls.

The baseline is plain Luigi: one task per (item, endpoint) in one build, no batching, each
task doing nothing but write a marker file; then its no-op rerun. It shows what Luigi's
scheduler alone costs for the same number of tasks. About 10 minutes in all.
"""

from __future__ import annotations

import argparse
import gzip
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.harness import (  # noqa: E402
    backfill_env,
    figure,
    lake_bytes,
    luigi_command,
    requests_logged,
    simulator,
    timed,
)

KEEP = {"raw", "games", "backfill-state", "data-quality"}  # everything else is a table


def season_command(season: str, workers: int) -> list[str]:
    return luigi_command(
        "--module", "pipeline", "SeasonBackfill", "--season", season, "--workers", str(workers)
    )


def naive(tasks: int, root: pathlib.Path, workers: int):
    return timed(
        luigi_command(
            "--module",
            "bench.naive_luigi",
            "NaiveBuild",
            "--tasks",
            str(tasks),
            "--root",
            str(root),
            "--workers",
            str(workers),
        )
    )


def raw_json_bytes(lake: pathlib.Path) -> int:
    return sum(len(gzip.decompress(p.read_bytes())) for p in (lake / "raw").rglob("*.json.gz"))


def check(run, what: str) -> None:
    if run.returncode != 0:
        print(run.output[-3000:])
        raise SystemExit(f"{what} failed with exit {run.returncode}")


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--season", default="2024-25")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="build the lake here and keep it (default: a temp dir)")
    args = parser.parse_args()
    tmp = pathlib.Path(args.keep or tempfile.mkdtemp(prefix="bench-season-"))
    tmp.mkdir(parents=True, exist_ok=True)
    lake, log = tmp / "lake", tmp / "requests.jsonl"
    shutil.rmtree(lake, ignore_errors=True)
    log.unlink(missing_ok=True)
    rows = []
    print("| benchmark | figure | naive-Luigi baseline (same run) | target | met |")
    print("|---|---|---|---|---|")
    with simulator(log, warm_seasons=(args.season,)) as url:
        warmup = len(requests_logged(log))
        env = backfill_env(lake, url)
        full = timed(season_command(args.season, args.workers), env)
        check(full, "the full season")
        print(f"  largest process at its peak: {full.largest}", flush=True)
        calls = len(requests_logged(log)) - warmup
        tasks = calls - 4  # one request per (item, endpoint), plus 4 schedule calls
        base = naive(tasks, tmp / "naive", args.workers)
        check(base, "the naive baseline")
        ratio = full.seconds / base.seconds
        rows.append(
            figure(
                f"1. full season {args.season}, --workers {args.workers}",
                f"{full.seconds:.0f} s = {ratio:.2f}x naive; peak {full.peak_process_mb:.0f} MB "
                f"largest process, {full.peak_pss_mb:.0f} MB PSS of the tree "
                f"({full.peak_tree_mb:.0f} MB summed RSS); {calls:,} requests, {tasks:,} tasks",
                f"{base.seconds:.0f} s for {tasks:,} no-op tasks (scheduling only)",
                "<= 0.45x naive, <= 500 MB largest process, <= 700 MB PSS",
                ratio <= 0.45 and full.peak_process_mb <= 500 and full.peak_pss_mb <= 700,
            )
        )

        before = len(requests_logged(log))
        noop = timed(season_command(args.season, args.workers), env)
        check(noop, "the no-op rerun")
        base_noop = naive(tasks, tmp / "naive", args.workers)
        rows.append(
            figure(
                "3. no-op rerun, local lake",
                f"{noop.seconds:.1f} s, {len(requests_logged(log)) - before} requests",
                f"{base_noop.seconds:.1f} s",
                "<= 5 s",
                noop.seconds <= 5,
            )
        )

        parquet = sum(lake_bytes(lake, d.name) for d in lake.iterdir() if d.name not in KEEP)
        raw_gz, raw_json = lake_bytes(lake, "raw"), raw_json_bytes(lake)
        rows.append(
            figure(
                "6. storage per season",
                f"Parquet {parquet / 1e6:.0f} MB ({parquet / raw_json:.0%} of the JSON)",
                f"raw JSON {raw_json / 1e6:.0f} MB (kept gzipped: {raw_gz / 1e6:.0f} MB)",
                "report",
                None,
            )
        )

        for folder in lake.iterdir():
            if folder.name not in KEEP:
                shutil.rmtree(folder)
        before = len(requests_logged(log))
        rebuild = timed(season_command(args.season, args.workers), env)
        check(rebuild, "the rebuild from raw")
        rows.append(
            figure(
                "2. rebuild tables from raw",
                f"{rebuild.seconds:.0f} s = {rebuild.seconds / base.seconds:.2f}x naive, "
                f"{len(requests_logged(log)) - before} API calls; peak "
                f"{rebuild.peak_process_mb:.0f} MB largest process, "
                f"{rebuild.peak_pss_mb:.0f} MB PSS",
                f"{base.seconds:.0f} s (the no-op tasks of 1.)",
                "<= 0.25x naive, 0 calls",
                rebuild.seconds <= 0.25 * base.seconds and len(requests_logged(log)) == before,
            )
        )
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    main()
