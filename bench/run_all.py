"""Every performance figure of the README, each beside its baseline measured in the same run.

    make bench        # or: python bench/run_all.py   (about 30 minutes on 2 cores)

Runs bench_season (1, 2, 3, 6), bench_utilization (4), bench_seasons (5), bench_daily and
bench_s3_resume (3 on S3) one after the other, so that they do not slow each other down,
then prints the table for the README's Performance section.
"""

from __future__ import annotations

import importlib
import pathlib
import platform
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

SCRIPTS = [
    "bench.bench_season",
    "bench.bench_utilization",
    "bench.bench_seasons",
    "bench.bench_daily",
    "bench.bench_s3_resume",
    "bench.bench_query",
]


def main() -> None:
    rows = []
    for name in SCRIPTS:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(name)
        sys.argv = [name]  # each script's defaults
        rows.extend(module.main())
    rows.sort(key=lambda row: row["benchmark"])
    print(f"\n=== summary ({platform.node()}, {platform.python_version()}) ===")
    print("| benchmark | figure | naive-Luigi baseline (same run) | target | met |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['benchmark']} | {row['figure']} | {row['baseline']} | {row['target']} "
            f"| {row['met']} |"
        )


if __name__ == "__main__":
    main()
