"""A first run's passes at the end of a season (issue 23): the game-log check, compaction
and validation, in one process on a complete season's lake, as a season run does them.

    python bench/bench_season.py --keep /tmp/season      # a complete season, kept
    python bench/bench_passes.py --lake /tmp/season/lake [--season 2024-25]

Each pass's state is deleted first, so each reads every file, as after a first fetch. The
baseline, in the same run: the same passes as they were, validation opening every file
again after compaction read them, with pyarrow's default allocator (mimalloc); the day's
other two changes (the game-log check's Python rows of the compared columns only,
validation's rows kept as slices of shared tables) are in both. Each runs in its own
process: wall time, CPU time and peak RSS (a bare `import pipeline` is ~140 MB).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]

PASSES = """
import json, os, resource, shutil, sys, time
import pyarrow as pa
lake_root, season, mode = sys.argv[1:4]
os.environ["LAKE_ROOT"] = lake_root
from pipeline.app import runtime
from pipeline.model.work import Scope
from pipeline.report.season import compaction_feed, validate_scope
if mode == "before":
    pa.set_memory_pool(pa.mimalloc_memory_pool())
for kept in ("backfill-state/game-log-check", "backfill-state/validation-scan", "compact"):
    shutil.rmtree(os.path.join(lake_root, kept), ignore_errors=True)
work = runtime.current().season_work(Scope(season=season))
wall, cpu = time.monotonic(), time.process_time()
work.compare_with_logs()
work.compact(reader=compaction_feed(work.lake) if mode == "now" else None)
report = validate_scope(work)
print(json.dumps({
    "wall": time.monotonic() - wall,
    "cpu": time.process_time() - cpu,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "quality": report["summary"]["quality_score"],
}))
"""


def run(lake: str, season: str, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PASSES, lake, season, mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True, help="a complete season's local lake")
    parser.add_argument("--season", default="2024-25")
    args = parser.parse_args()
    before = run(args.lake, args.season, "before")
    now = run(args.lake, args.season, "now")
    assert now["quality"] == before["quality"], (now, before)
    print("| passes at the end of a first season run | now | before (same run) | ratio |")
    print("|---|---|---|---|")
    for key, unit in (("wall", "s"), ("cpu", "s CPU"), ("peak_mb", "MB peak RSS")):
        print(
            f"| {key} | {now[key]:.1f} {unit} | {before[key]:.1f} {unit} | "
            f"{now[key] / before[key]:.2f}x |"
        )


if __name__ == "__main__":
    main()
