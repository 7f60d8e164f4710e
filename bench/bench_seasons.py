"""Several seasons (issue #9, figure 5): SeasonRange over 1, 2 and 4 simulated seasons, beside
naive Luigi with the same number of tasks in one build; and (issue 23, figure 5b) 10 seasons
backfilled one after the other into one lake, each timed with its peak memory: a pass that
read the whole lake, or held a whole table, would grow from the first to the last.

    python bench/bench_seasons.py [--games 200] [--workers 2] [--counts 1,2,4] [--seasons 10]

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

from bench.bench_season import check, naive, season_command  # noqa: E402
from bench.harness import (  # noqa: E402
    backfill_env,
    figure,
    luigi_command,
    requests_logged,
    simulator,
    timed,
)

FIRST = 2021  # 2021-22: every season in the range has play-in games and full data
LAST_YEAR = 2024  # 2024-25: the last complete season the simulator has (its today: 2025-07-01)


def season_name(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=200, help="games per season")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--counts", default="1,2,4", help="numbers of seasons to run ('': none)")
    parser.add_argument("--seasons", type=int, default=10, help="seasons in one lake (0: none)")
    args = parser.parse_args()
    rows = one_lake(args.seasons, args.games, args.workers) if args.seasons else []
    counts = [int(c) for c in args.counts.split(",") if c]
    if not counts:
        return rows
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
    return rows + [
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


def one_lake(count: int, games: int, workers: int) -> list[dict]:
    """Seasons LAST_YEAR - count + 1 .. LAST_YEAR, each a SeasonBackfill into the same lake."""
    seasons = [season_name(LAST_YEAR - count + 1 + i) for i in range(count)]
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-seasons-lake-"))
    runs = []
    try:
        log = tmp / "requests.jsonl"
        with simulator(log, warm_seasons=tuple(seasons)) as url:
            for season in seasons:
                before = len(requests_logged(log))
                command = season_command(season, workers) + ["--limit", str(games)]
                run = timed(command, backfill_env(tmp / "lake", url))
                check(run, f"season {season}")
                tasks = len(requests_logged(log)) - before - 4
                runs.append((season, run, tasks))
                print(
                    f"  {season}: {run.seconds:.1f} s, peak {run.peak_process_mb:.0f} MB largest "
                    f"process, {run.peak_pss_mb:.0f} MB PSS, {tasks:,} tasks",
                    flush=True,
                )
        (_, first, first_tasks), (_, last, last_tasks) = runs[0], runs[-1]
        base_first = naive(first_tasks, tmp / "naive-first", workers)
        base_last = naive(last_tasks, tmp / "naive-last", workers)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    time_growth = last.seconds / first.seconds
    memory_growth = last.peak_process_mb / first.peak_process_mb
    pss_growth = last.peak_pss_mb / first.peak_pss_mb
    return [
        figure(
            f"5b. {count} seasons into one lake, {games} games each, one after the other",
            f"first {first.seconds:.0f} s, {first.peak_process_mb:.0f} MB "
            f"({first.peak_pss_mb:.0f} MB PSS); last {last.seconds:.0f} s, "
            f"{last.peak_process_mb:.0f} MB ({last.peak_pss_mb:.0f} MB PSS): "
            f"time x{time_growth:.2f}, "
            f"largest process x{memory_growth:.2f}, PSS x{pss_growth:.2f}",
            f"first {base_first.seconds:.0f} s, last {base_last.seconds:.0f} s "
            f"({first_tasks:,} and {last_tasks:,} no-op tasks)",
            "last season within 20% of the first (time, peak memory)",
            max(time_growth, memory_growth, pss_growth) <= 1.2,
        )
    ]


if __name__ == "__main__":
    main()
