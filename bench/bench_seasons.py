"""Several seasons (issue #9, figure 5): SeasonRange over 1, 2 and 4 simulated seasons, beside
naive Luigi with the same number of tasks in one build.

    python bench/bench_seasons.py [--games 200] [--workers 2]

Each season is cut to its first --games games (default 200: about 1,100 tasks with players
and teams) so that four seasons take minutes, not an hour; the growth is what is measured.
Linear means the time per season stays flat as seasons are added; the naive build's time
per season grows with the number of seasons (Luigi's O(N^2) scheduler).
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.bench_season import check, naive  # noqa: E402
from bench.harness import (  # noqa: E402
    backfill_env,
    figure,
    luigi_command,
    requests_logged,
    simulator,
    timed,
)

FIRST = 2021  # 2021-22: every season in the range has play-in games and full data


def season_name(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=200, help="games per season")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--counts", default="1,2,4", help="numbers of seasons to run")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-seasons-"))
    ours, baseline = [], []
    try:
        for count in counts:
            seasons = [season_name(FIRST + i) for i in range(count)]
            log = tmp / f"requests-{count}.jsonl"
            with simulator(log, warm_seasons=tuple(seasons)) as url:
                warm = len(requests_logged(log))
                run = timed(
                    luigi_command(
                        "--module",
                        "pipeline",
                        "SeasonRange",
                        "--start-season",
                        seasons[0],
                        "--end-season",
                        seasons[-1],
                        "--limit",
                        str(args.games),
                        "--workers",
                        str(args.workers),
                    ),
                    backfill_env(tmp / f"lake-{count}", url),
                )
                check(run, f"SeasonRange over {count} seasons")
                tasks = len(requests_logged(log)) - warm - 4 * count
            base = naive(tasks, tmp / f"naive-{count}", args.workers)
            check(base, "the naive baseline")
            ours.append((count, run.seconds, tasks))
            baseline.append((count, base.seconds))
            print(
                f"  {count} season(s): {run.seconds:.0f} s for {tasks:,} tasks "
                f"({run.seconds / count:.0f} s per season); naive {base.seconds:.0f} s "
                f"({base.seconds / count:.0f} s per season)",
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per_season = [s / c for c, s, _ in ours]
    naive_per_season = [s / c for c, s in baseline]
    growth = per_season[-1] / per_season[0]
    return [
        figure(
            f"5. SeasonRange, {args.games} games/season, seasons {args.counts}",
            " / ".join(f"{s:.0f} s" for _, s, _ in ours)
            + f" ({' / '.join(f'{p:.0f}' for p in per_season)} s per season; x{growth:.2f})",
            " / ".join(f"{s:.0f} s" for _, s in baseline)
            + f" ({' / '.join(f'{p:.0f}' for p in naive_per_season)} s per season; "
            f"x{naive_per_season[-1] / naive_per_season[0]:.2f})",
            "linear in seasons",
            growth <= 1.25,
        )
    ]


if __name__ == "__main__":
    main()
