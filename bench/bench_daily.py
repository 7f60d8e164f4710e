"""The daily run of a season in progress (issue 23): local work that grows with the day's
games, not with the season.

    python bench/bench_daily.py [--season 2024-25] [--days 2024-11-15,2025-04-01] [--workers 2]

For each day D, in one lake: the season backfilled as the simulator stands on D (its
--today), then --today moved to D + 1 and the same command run again (the README's daily
run). That run is timed: its requests, its wall time, the time the simulator spent
answering them (the sum of their latencies), and the CPU time of our process tree. At rate 0
the requests cost only the simulator's time, so our CPU time is the run's local work. The
days are early and late in the season: the late lake holds five times the games, and the
local work should not follow. Each daily run is printed beside naive Luigi with one no-op
task per request of that run. About 5 minutes in all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.bench_season import check, naive, season_command  # noqa: E402
from bench.harness import backfill_env, figure, requests_logged, simulator, timed  # noqa: E402

BOX = "boxscoretraditionalv3"  # one request per game fetched


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--season", default="2024-25")
    parser.add_argument("--days", default="2024-11-15,2025-04-01")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-daily-"))
    lake, rows, runs = tmp / "lake", [], []
    print("| benchmark | figure | naive-Luigi baseline (same run) | target | met |")
    print("|---|---|---|---|---|")
    try:
        for day in args.days.split(","):
            following = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
            log = tmp / f"requests-{day}.jsonl"
            with simulator(log, "--today", day, warm_seasons=(args.season,)) as url:
                caught_up = timed(
                    season_command(args.season, args.workers), backfill_env(lake, url)
                )
                check(caught_up, f"the season as of {day}")
            stored = len(list(lake.glob(f"box_traditional_teams/season={args.season}/*/*")))
            log = tmp / f"requests-{following}.jsonl"
            with simulator(log, "--today", following, warm_seasons=(args.season,)) as url:
                warm = len(requests_logged(log))
                daily = timed(season_command(args.season, args.workers), backfill_env(lake, url))
                check(daily, f"the daily run of {following}")
            made = requests_logged(log)[warm:]
            games = sum(1 for r in made if r["endpoint"] == BOX)
            serving = sum(r["latency_ms"] for r in made) / 1000
            base = naive(len(made), tmp / f"naive-{day}", args.workers)
            check(base, "the naive baseline")
            runs.append((stored, games, daily))
            rows.append(
                figure(
                    f"daily run on {following}: {games} new games, {stored:,} stored",
                    f"{daily.seconds:.1f} s wall, {daily.cpu_seconds:.1f} s CPU (ours), "
                    f"{len(made)} requests answered in {serving:.1f} s; peak "
                    f"{daily.peak_process_mb:.0f} MB largest process",
                    f"{base.seconds:.1f} s for {len(made)} no-op tasks",
                    "<= 15 s local CPU",
                    daily.cpu_seconds <= 15,
                )
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (early_stored, early_games, early), (late_stored, late_games, late) = runs[0], runs[-1]
    rows.append(
        figure(
            "daily run, late against early in the season",
            f"lake x{late_stored / max(early_stored, 1):.1f}, day's games "
            f"{early_games} -> {late_games}, CPU x{late.cpu_seconds / early.cpu_seconds:.2f}",
            "-",
            "CPU grows with the day's games, not the lake",
            late.cpu_seconds / early.cpu_seconds
            <= 1.25 * max(1.0, late_games / max(early_games, 1)),
        )
    )
    return rows


if __name__ == "__main__":
    main()
