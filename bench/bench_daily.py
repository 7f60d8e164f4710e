"""The daily run of a season in progress (issue 23): local work that grows with the day's
games, not with the season.

    python bench/bench_daily.py [--season 2024-25] [--days 2024-11-15,2025-04-01]
                                [--workers 2] [--repeats 3]

For each day D, a lake: the season backfilled as the simulator stands on D (its --today).
Then the daily run: --today moved to D + 1 and the same command run again (the README's
daily run), on a copy of D's lake (times kept: a file's version is its modification time),
`--repeats` times, the days taken in turn so that both meet the same machine. Each run is
timed: its requests, its wall time, the time the simulator spent answering them (the sum of
their latencies), and the CPU time of our process tree. At rate 0 the requests cost only the
simulator's time, so our CPU time is the run's local work. The days are early and late in
the season: the late lake holds five times the games, and the local work should not follow.
A day's figure is its least CPU time of the repeats (noise on a shared machine only ever
adds time), printed with the others and beside naive Luigi with one no-op task per request.
About 4 minutes in all.
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


def caught_up(season: str, day: str, lake: pathlib.Path, tmp: pathlib.Path, workers: int):
    """The season in `lake` as the simulator stands on `day`."""
    with simulator(tmp / f"requests-{day}.jsonl", "--today", day, warm_seasons=(season,)) as url:
        check(timed(season_command(season, workers), backfill_env(lake, url)), f"as of {day}")


def daily(season: str, day: str, lake: pathlib.Path, tmp: pathlib.Path, workers: int) -> dict:
    """The run of the day after `day`, on a copy of `lake`: the run, its requests, the
    simulator's time answering them, the games it fetched."""
    following = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    copy = tmp / "daily-lake"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(lake, copy, symlinks=True)  # copy2: modification times kept
    log = tmp / f"requests-{following}.jsonl"
    log.unlink(missing_ok=True)
    with simulator(log, "--today", following, warm_seasons=(season,)) as url:
        warm = len(requests_logged(log))
        run = timed(season_command(season, workers), backfill_env(copy, url))
        check(run, f"the daily run of {following}")
    made = requests_logged(log)[warm:]
    return {
        "following": following,
        "run": run,
        "requests": len(made),
        "games": sum(1 for r in made if r["endpoint"] == BOX),
        "serving": sum(r["latency_ms"] for r in made) / 1000,
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--season", default="2024-25")
    parser.add_argument("--days", default="2024-11-15,2025-04-01")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-daily-"))
    days = args.days.split(",")
    rows = []
    print("| benchmark | figure | naive-Luigi baseline (same run) | target | met |")
    print("|---|---|---|---|---|")
    try:
        lakes = {day: tmp / f"lake-{day}" for day in days}
        for day, lake in lakes.items():
            caught_up(args.season, day, lake, tmp, args.workers)
        runs: dict[str, list[dict]] = {day: [] for day in days}
        for _ in range(args.repeats):
            for day, lake in lakes.items():
                runs[day].append(daily(args.season, day, lake, tmp, args.workers))
        best = {}
        for day, lake in lakes.items():
            stored = len(list(lake.glob(f"box_traditional_teams/season={args.season}/*/*")))
            least = min(runs[day], key=lambda r: r["run"].cpu_seconds)
            base = naive(least["requests"], tmp / f"naive-{day}", args.workers)
            check(base, "the naive baseline")
            best[day] = (stored, least)
            cpus = ", ".join(f"{r['run'].cpu_seconds:.1f}" for r in runs[day])
            rows.append(
                figure(
                    f"daily run on {least['following']}: {least['games']} new games, "
                    f"{stored:,} stored",
                    f"{least['run'].cpu_seconds:.1f} s CPU (ours; runs: {cpus}), "
                    f"{least['run'].seconds:.1f} s wall, {least['requests']} requests "
                    f"answered in {least['serving']:.1f} s; peak "
                    f"{least['run'].peak_process_mb:.0f} MB largest process",
                    f"{base.seconds:.1f} s for {least['requests']} no-op tasks",
                    "<= 15 s local CPU",
                    least["run"].cpu_seconds <= 15,
                )
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (early_stored, early), (late_stored, late) = best[days[0]], best[days[-1]]
    ratio = late["run"].cpu_seconds / early["run"].cpu_seconds
    rows.append(
        figure(
            "daily run, late against early in the season",
            f"lake x{late_stored / max(early_stored, 1):.1f}, day's games "
            f"{early['games']} -> {late['games']}, CPU x{ratio:.2f}",
            "-",
            "CPU grows with the day's games, not the lake",
            ratio <= 1.25 * max(1.0, late["games"] / max(early["games"], 1)),
        )
    )
    return rows


if __name__ == "__main__":
    main()
