"""Benchmark egresses: the host's rate with 1, 2 and 4 egresses (loopback forward proxies)
at one fixed per-egress rate, measured where the API would see it, at arrival.

    python bench/bench_egress.py                 # 5 req/s per egress, 25 s per row
    python bench/bench_egress.py --rate 10 --seconds 15 --workers-per-egress 2

Each row runs 2 worker processes per egress (forked, as luigi's are) sharing one
SharedRateLimiter whose egresses are the row's proxies; each worker acquires a slot, sends
a real GET through the granted proxy to the simulator (its own process), and reports the
outcome. The proxies log every arrival. The 1-egress row is the baseline of the same run.

Figures per row:
- achieved: (requests - k) / span of their arrivals at the proxies, all egresses together
  (each egress's first request starts its clock, as n requests span n - 1 intervals);
- vs k x baseline: achieved / (k x the 1-egress achieved rate): what adding egresses gives;
- vs k x paced: achieved / (k x rate / (1 + jitter)): each egress's grants are spaced by
  interval x (1 + jitter), the allowance that keeps arrivals within the rate (target 0.95);
- vs k x rate: achieved / (k x rate), the ceiling (1 / (1 + jitter) at best, by design);
- peak: the most arrivals at any one proxy in any 1 s window (target: never above the rate).
"""

from __future__ import annotations

import argparse
import multiprocessing
import pathlib
import sys
import tempfile
import time

import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.harness import simulator  # noqa: E402
from pipeline.nba import egress  # noqa: E402
from pipeline.nba.ratelimit import DEFAULT_JITTER_FRACTION, SharedRateLimiter  # noqa: E402
from tests.proxies import ForwardProxy, max_in_window  # noqa: E402

QUERY = "PlayerID=2544&LeagueID=00"  # commonplayerinfo: a small body
EGRESS_COUNTS = (1, 2, 4)


def worker(limiter: SharedRateLimiter, proxies: dict, url: str, count: int, results) -> None:
    session = requests.Session()
    session.trust_env = False
    outcomes = {}
    for _ in range(count):
        grant = limiter.acquire()
        proxy = proxies[grant.egress]
        try:
            status = session.get(url, proxies={"http": proxy}, timeout=10).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
            limiter.on_unreachable(grant.egress)
        else:
            limiter.on_success(grant.egress)
        outcomes[status] = outcomes.get(status, 0) + 1
    results.put(outcomes)


def run_row(k: int, args, url: str, state_dir: pathlib.Path) -> dict:
    interval = 1.0 / args.rate
    paced = args.rate / (1 + args.jitter)
    total = round(k * paced * args.seconds)
    proxies = [ForwardProxy().start() for _ in range(k)]
    try:
        ways = egress.from_urls([p.url for p in proxies])
        limiter = SharedRateLimiter(
            interval,
            state_dir / f"egress-{k}.sqlite",
            egresses=[w.name for w in ways],
            jitter_fraction=args.jitter,
        )
        by_name = {w.name: w.proxy_url for w in ways}
        workers = k * args.workers_per_egress
        ctx = multiprocessing.get_context("fork")
        results = ctx.Queue()
        processes = [
            ctx.Process(
                target=worker,
                args=(limiter, by_name, url, -(-total // workers), results),
            )
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        outcomes: dict = {}
        for _ in processes:
            for status, n in results.get(timeout=args.seconds * 10).items():
                outcomes[status] = outcomes.get(status, 0) + n
        for process in processes:
            process.join(timeout=30)
        time.sleep(0.2)  # the last log lines
    finally:
        for proxy in proxies:
            proxy.stop()
    arrivals = sorted(t for p in proxies for t in p.arrivals())
    span = arrivals[-1] - arrivals[0]
    return {
        "egresses": k,
        "requests": len(arrivals),
        "elapsed_s": span,
        # n arrivals through k egresses span n - k intervals: each egress starts at once.
        "achieved": (len(arrivals) - k) / span,
        "per_egress": [len(p.arrivals()) for p in proxies],
        "peak": max(max_in_window(p.arrivals(), 1.0) for p in proxies),
        "outcomes": outcomes,
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=5.0, help="requests/s per egress")
    parser.add_argument("--seconds", type=float, default=25.0, help="length of each row")
    parser.add_argument("--jitter", type=float, default=DEFAULT_JITTER_FRACTION)
    parser.add_argument("--workers-per-egress", type=int, default=2)
    args = parser.parse_args()
    paced = args.rate / (1 + args.jitter)
    print(
        f"per-egress rate {args.rate:g} req/s (interval {1000 / args.rate:g} ms), jitter "
        f"allowance {args.jitter:.0%}: grants paced at {paced:.3f} req/s per egress; "
        f"{args.workers_per_egress} worker processes per egress; ~{args.seconds:g} s per row",
        flush=True,
    )
    rows = []
    with simulator() as base_url, tempfile.TemporaryDirectory() as tmp:
        url = f"{base_url.format(endpoint='commonplayerinfo')}?{QUERY}"
        requests.get(url, timeout=60)  # warm the simulator's player cache
        for k in EGRESS_COUNTS:
            rows.append(run_row(k, args, url, pathlib.Path(tmp)))
            print(f"  {k} egress(es) done: {rows[-1]['achieved']:.3f} req/s", flush=True)
    baseline = rows[0]["achieved"]
    header = (
        f"{'egresses':>8} {'requests':>8} {'elapsed_s':>9} {'achieved/s':>10} "
        f"{'k x baseline':>12} {'vs baseline':>11} {'vs k x paced':>12} {'vs k x rate':>11} "
        f"{'peak/egress/1s':>14}  per egress, outcomes"
    )
    print(header)
    met = True
    for row in rows:
        k = row["egresses"]
        row["vs_baseline"] = row["achieved"] / (k * baseline)
        row["vs_paced"] = row["achieved"] / (k * paced)
        row["vs_rate"] = row["achieved"] / (k * args.rate)
        met &= row["vs_paced"] >= 0.95 and row["peak"] <= args.rate
        label = f"{k}{' (base)' if k == 1 else ''}"
        print(
            f"{label:>8} {row['requests']:>8} {row['elapsed_s']:>9.2f} {row['achieved']:>10.3f} "
            f"{k * baseline:>12.3f} {row['vs_baseline']:>11.3f} {row['vs_paced']:>12.3f} "
            f"{row['vs_rate']:>11.3f} {row['peak']:>7d} (<= {args.rate:g})  "
            f"{row['per_egress']}, {row['outcomes']}"
        )
    print(
        f"targets: achieved / (k x paced rate) >= 0.95 for each k, and no egress above "
        f"{args.rate:g} in any 1 s window at its proxy: {'met' if met else 'NOT met'}"
    )
    rates = " / ".join(f"{r['achieved']:.2f}" for r in rows)
    ratios = " / ".join(f"{r['vs_paced']:.3f}" for r in rows)
    return [
        {
            "benchmark": "7. egresses: host rate with 1 / 2 / 4 proxies",
            "figure": f"{rates} req/s ({ratios} of k x paced; "
            f"peak {max(r['peak'] for r in rows)} per egress in any 1 s)",
            "baseline": f"1 egress: {baseline:.2f} req/s",
            "target": ">= 0.95 of k x paced, never over the rate",
            "met": "yes" if met else "no",
        }
    ]


if __name__ == "__main__":
    main()
