"""Benchmark SharedRateLimiter: N worker processes sharing one limiter vs a naive sleep loop.

    python bench/bench_ratelimit.py                       # 10 req/s, 1,000 requests, 2 workers
    python bench/bench_ratelimit.py --sim                 # real HTTP to pipeline.sim's SimServer
                                                          # (20 ms server latency by default)
    python bench/bench_ratelimit.py --url 'http://127.0.0.1:8000/stats/{endpoint}'

The baseline (one process, ``time.sleep(interval)`` after each request) runs at the same time,
so both see the same machine load. It takes about requests / rate seconds (~100 s).
"""

from __future__ import annotations

import argparse
import bisect
import multiprocessing
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests

from pipeline.nba.ratelimit import SharedRateLimiter

SIM_ENDPOINT = "commonplayerinfo"
SIM_QUERY = "PlayerID=2544&LeagueID=00"


def max_starts_in_window(starts: list[float], window: float = 1.0) -> int:
    """Most starts in any half-open window [t, t + window)."""
    starts = sorted(starts)
    return max(bisect.bisect_left(starts, s + window) - i for i, s in enumerate(starts))


def endpoint_url(base: str) -> str:
    """Turn '.../stats/{endpoint}' (nba_api style) or a server root into one request URL."""
    if "{endpoint}" in base:
        return f"{base.format(endpoint=SIM_ENDPOINT)}?{SIM_QUERY}"
    if "?" in base or base.rstrip("/").endswith(SIM_ENDPOINT):
        return base
    return f"{base.rstrip('/')}/stats/{SIM_ENDPOINT}?{SIM_QUERY}"


def make_request(url: str | None, timeout: float) -> Callable[[], str]:
    """One request per call, returning its outcome; a no-op when there is no URL."""
    if url is None:
        return lambda: "noop"
    session = requests.Session()
    session.trust_env = False  # loopback: ignore HTTP(S)_PROXY

    def request() -> str:
        try:
            status = session.get(url, timeout=timeout).status_code
        except requests.Timeout:
            return "timeout"
        except requests.RequestException:
            return "error"
        return str(status)

    return request


def report_outcome(limiter: SharedRateLimiter, outcome: str) -> None:
    if outcome == "timeout":
        limiter.on_timeout()
    elif outcome == "429":
        limiter.on_throttled(None)
    elif outcome.startswith("5"):
        limiter.on_server_error()
    else:
        limiter.on_success()


def limiter_worker(state_path: str, interval: float, count: int, url, timeout, results) -> None:
    limiter = SharedRateLimiter(interval, state_path, pause_on_server_error=2.0)
    request = make_request(url, timeout)
    starts, outcomes = [], Counter()
    for _ in range(count):
        limiter.acquire()
        starts.append(time.time())
        outcome = request()
        outcomes[outcome] += 1
        report_outcome(limiter, outcome)
    results.put(("limiter", starts, outcomes, limiter.stats()))


def naive_worker(interval: float, count: int, url, timeout, results) -> None:
    request = make_request(url, timeout)
    starts, outcomes = [], Counter()
    for _ in range(count):
        starts.append(time.time())
        outcomes[request()] += 1
        time.sleep(interval)  # request time adds to every gap: drifts below the rate
    results.put(("naive", starts, outcomes, None))


def summarize(starts: list[float], rate: float) -> dict:
    starts = sorted(starts)
    elapsed = starts[-1] - starts[0]
    achieved = (len(starts) - 1) / elapsed  # n starts span n - 1 intervals
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    return {
        "requests": len(starts),
        "elapsed_s": elapsed,
        "achieved_per_s": achieved,
        "ratio": achieved / rate,
        "max_in_1s": max_starts_in_window(starts, 1.0),
        "min_gap_ms": min(gaps) * 1000,
    }


def print_table(rows: dict[str, dict], rate: float) -> None:
    columns = [
        ("requests", "{:d}"),
        ("elapsed_s", "{:.2f}"),
        ("achieved_per_s", "{:.3f}"),
        ("ratio", "{:.2%}"),
        ("max_in_1s", "{:d}"),
        ("min_gap_ms", "{:.2f}"),
        ("outcomes", "{}"),
    ]
    names = {name: [fmt.format(row[name]) for row in rows.values()] for name, fmt in columns}
    widths = {name: max(len(name), *(len(v) for v in names[name])) for name, _ in columns}
    label_width = max(len(label) for label in rows)
    print(
        f"configured: {rate:g} req/s (interval {1000 / rate:g} ms), max 1-s window allowed "
        f"{int(rate)}"
    )
    print(" ".join([" " * label_width] + [name.rjust(widths[name]) for name, _ in columns]))
    for i, label in enumerate(rows):
        cells = [names[name][i].rjust(widths[name]) for name, _ in columns]
        print(" ".join([label.ljust(label_width), *cells]))


def start_sim(latency_ms: float):
    """pipeline.sim's SimServer if it exists (another engineer is building it), else None."""
    try:
        from pipeline.sim.server import SimServer
    except ImportError:
        return None
    return SimServer(port=0, latency_ms=latency_ms or None).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--requests", type=int, default=1000, help="total, split over workers")
    parser.add_argument("--workers", type=int, default=2, help="processes sharing the limiter")
    parser.add_argument("--url", help="make a real GET per slot, e.g. http://h:p/stats/{endpoint}")
    parser.add_argument("--sim", action="store_true", help="start pipeline.sim.SimServer")
    parser.add_argument(
        "--sim-latency-ms",
        type=float,
        default=20.0,
        help="server delay per request, so the naive loop shows its drift",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout, seconds")
    args = parser.parse_args()

    interval = 1.0 / args.rate
    url, server = args.url, None
    if args.sim and url is None:
        server = start_sim(args.sim_latency_ms)
        if server is None:
            print("pipeline.sim.SimServer is not available: requests are no-ops")
        else:
            url = server.url
    url = endpoint_url(url) if url else None
    print(f"request: {url or 'no-op'}")

    per_worker = -(-args.requests // args.workers)  # ceil: at least --requests in all
    ctx = multiprocessing.get_context("fork")  # as luigi --workers N does
    results = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        state_path = str(Path(tmp) / "ratelimit.sqlite")
        SharedRateLimiter(interval, state_path)  # created before the fork, as in luigi
        processes = [
            ctx.Process(
                target=limiter_worker,
                args=(state_path, interval, per_worker, url, args.timeout, results),
            )
            for _ in range(args.workers)
        ]
        processes.append(
            ctx.Process(
                target=naive_worker,
                args=(interval, per_worker * args.workers, url, args.timeout, results),
            )
        )
        for process in processes:
            process.start()
        starts: dict[str, list[float]] = {"limiter": [], "naive": []}
        outcomes: dict[str, Counter] = {"limiter": Counter(), "naive": Counter()}
        limiter_stats: dict = {}
        for _ in processes:
            kind, worker_starts, worker_outcomes, stats = results.get()
            starts[kind] += worker_starts
            outcomes[kind] += worker_outcomes
            if stats and stats["requests"] >= limiter_stats.get("requests", 0):
                limiter_stats = stats  # as the last limiter worker saw it when done
        for process in processes:
            process.join()
    if server is not None and hasattr(server, "stop"):
        server.stop()

    rows = {
        f"shared limiter ({args.workers} procs)": summarize(starts["limiter"], args.rate),
        "naive sleep (1 proc)": summarize(starts["naive"], args.rate),
    }
    for label, kind in zip(rows, ("limiter", "naive"), strict=True):
        rows[label]["outcomes"] = ",".join(f"{k}:{v}" for k, v in sorted(outcomes[kind].items()))
    print_table(rows, args.rate)
    print(
        "limiter.stats(): "
        + ", ".join(
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in limiter_stats.items()
        )
    )


if __name__ == "__main__":
    main()
