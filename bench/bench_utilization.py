"""Utilization at a realistic rate (issue #9, figure 4): the real CLI at 10 requests/s with
--workers 2 against the simulator, over more than 1,000 requests, beside naive Luigi (one
task per request, each sleeping its share of the interval) with the same workers.

    python bench/bench_utilization.py [--rate 10] [--games 260] [--workers 2]

Achieved rate = requests after the first / time from the first to the last request, read
from the simulator's request log; so is the most requests in any 1-second window.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench import harness  # noqa: E402
from bench.bench_season import check  # noqa: E402


def achieved(log: list[dict]) -> tuple[float, int, int]:
    """(requests per second, most in any 1-s window, requests) over the per-game requests."""
    starts = sorted(
        dt.datetime.fromisoformat(r["time"]).timestamp() for r in log if r["params"].get("GameID")
    )
    rate = (len(starts) - 1) / (starts[-1] - starts[0])
    window = max(bisect.bisect_left(starts, s + 1.0) - i for i, s in enumerate(starts))
    return rate, window, len(starts)


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--games", type=int, default=260, help="4 requests per game")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-util-"))
    interval = 1 / args.rate
    try:
        log = tmp / "ours.jsonl"
        with harness.simulator(log, warm_seasons=("2024-25",)) as url:
            run = harness.timed(
                harness.luigi_command(
                    "--module",
                    "pipeline",
                    "SeasonBackfill",
                    "--season",
                    "2024-25",
                    "--limit",
                    str(args.games),
                    "--no-player-info",
                    "--no-team-info",
                    "--workers",
                    str(args.workers),
                ),
                harness.backfill_env(tmp / "lake", url, interval),
            )
            check(run, "the paced season run")
        rate, window, count = achieved(harness.requests_logged(log))

        naive_log = tmp / "naive.jsonl"
        with harness.simulator(naive_log, warm_seasons=("2024-25",)) as url:
            one_game = url.format(endpoint="boxscoretraditionalv3") + "?GameID=0022400001"
            base = harness.timed(
                harness.luigi_command(
                    "--module",
                    "bench.naive_luigi",
                    "NaiveBuild",
                    "--tasks",
                    str(count),
                    "--root",
                    str(tmp / "naive"),
                    "--url",
                    one_game,
                    "--sleep",
                    str(interval * args.workers),
                    "--workers",
                    str(args.workers),
                )
            )
            check(base, "the naive baseline")
        naive_rate, naive_window, _ = achieved(harness.requests_logged(naive_log))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [
        harness.figure(
            f"4. utilization at {args.rate:g} req/s, --workers {args.workers}",
            f"{rate / args.rate:.3f} ({rate:.2f} req/s over {count:,} requests; "
            f"max {window} in any 1 s)",
            f"{naive_rate / args.rate:.3f} ({naive_rate:.2f} req/s; max {naive_window} in 1 s)",
            ">= 0.97, never over the rate",
            rate / args.rate >= 0.97 and window <= args.rate,
        )
    ]


if __name__ == "__main__":
    main()
