"""Requests a backfill costs: a full season, and a SeasonRange of four seasons (issue 15).

    python bench/bench_requests.py [--before 68dbe6a] [--range-limit 0]

Runs the real CLI against the simulator (rate limit 0) and counts the requests the
simulator saw, by endpoint, for:
- ours: this checkout;
- before: the pipeline as it was at --before (a git ref; by default the last commit before
  the bios were made lake-wide), unpacked with `git archive` and run against the same
  simulator in the same run.
It prints the two side by side. --range-limit N cuts each season of the range to N games
(0: whole seasons; about 6 minutes per side on a 2-core machine).
"""

from __future__ import annotations

import argparse
import collections
import os
import pathlib
import subprocess
import sys
import tarfile
import tempfile
import time

from pipeline.sim.server import SimServer

REPO = pathlib.Path(__file__).resolve().parents[1]
BEFORE = "68dbe6a"  # main before this round: bios once per season, no game-log check


def unpack(ref: str, into: pathlib.Path) -> pathlib.Path:
    """The pipeline package (and its luigi.cfg, then in the repo) as it was at ref."""
    archive = into / "before.tar"
    subprocess.run(
        ["git", "archive", "-o", str(archive), ref, "pipeline", "luigi.cfg"], cwd=REPO, check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "before", filter="data")
    return into / "before"


def backfill(code: pathlib.Path, args: list[str], sim: SimServer, lake: pathlib.Path) -> float:
    env = {
        **os.environ,
        "PYTHONPATH": str(code),
        "LAKE_ROOT": str(lake),
        "NBA_API_BASE_URL": sim.base_url,
        "NBA_RATE_LIMIT_SECONDS": "0",
    }
    command = [
        sys.executable,
        "-m",
        "luigi",
        "--module",
        "pipeline",
        *args,
        "--workers",
        "2",
        "--local-scheduler",
        "--nba-limiter-state-path",
        str(lake.parent / "limiter.db"),
    ]
    started = time.monotonic()
    result = subprocess.run(command, cwd=code, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 3):
        sys.exit(f"{' '.join(args)} in {code} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return time.monotonic() - started


def count(log: pathlib.Path) -> collections.Counter:
    import json

    return collections.Counter(json.loads(line)["endpoint"] for line in log.open())


def measure(code: pathlib.Path, args: list[str], tmp: pathlib.Path, label: str):
    log = tmp / f"{label}.jsonl"
    with SimServer(port=0, seed=1, request_log=str(log)) as sim:
        seconds = backfill(code, args, sim, tmp / f"{label}-lake")
    return count(log), seconds


def table(title: str, ours: collections.Counter, before: collections.Counter) -> None:
    print(f"\n{title}")
    print(f"  {'endpoint':<24}{'before':>10}{'ours':>10}")
    for endpoint in sorted(set(ours) | set(before)):
        print(f"  {endpoint:<24}{before[endpoint]:>10,}{ours[endpoint]:>10,}")
    total_before, total_ours = sum(before.values()), sum(ours.values())
    print(
        f"  {'total':<24}{total_before:>10,}{total_ours:>10,}"
        f"   ours/before {total_ours / total_before:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--range-limit", type=int, default=0)
    args = parser.parse_args()
    season = ["SeasonBackfill", "--season", "2024-25"]
    seasons = ["SeasonRange", "--start-season", "2021-22", "--end-season", "2024-25"]
    if args.range_limit:
        seasons += ["--limit", str(args.range_limit)]
    with tempfile.TemporaryDirectory() as folder:
        tmp = pathlib.Path(folder)
        before_code = unpack(args.before, tmp)
        cases = (("one full season, 2024-25", season), ("SeasonRange 2021-22..2024-25", seasons))
        for number, (title, task) in enumerate(cases):
            ours, ours_s = measure(REPO, task, tmp, f"ours-{number}")
            before, before_s = measure(before_code, task, tmp, f"before-{number}")
            table(
                f"{title} (before {args.before}: {before_s:.0f} s; ours: {ours_s:.0f} s)",
                ours,
                before,
            )


if __name__ == "__main__":
    main()
