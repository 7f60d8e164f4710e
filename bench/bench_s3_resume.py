"""How much a no-op resume of a whole season costs on S3: our listings vs Luigi's per-target check.

    python bench/bench_s3_resume.py [--games 1320] [--sample 2000] [--missing-sample 200]

A moto S3 server runs in a child process (so it does not share our GIL) and is seeded there,
straight into its backend, with every object a simulated season writes at the real layout
paths: 1,320 games x the tables of GAME_ENDPOINTS, plus their raw bodies. Then, over HTTP:

- ours: ingest.is_done() for every (game, endpoint), as SeasonBackfill.state() does: one
  ListObjectsV2 per 1,000 keys per table prefix (through Lake.has and S3Store.list);
- Luigi's: luigi.contrib.s3.S3Target(path, client=shared).exists() per target, on a sample,
  extrapolated to the season (one HEAD per present target, four requests per missing one).

Requests are counted with a botocore "before-send" hook. Real S3 adds network latency per
request, which loopback moto does not: the last column adds a modelled latency (default
20 ms per HEAD/GET, 100 ms per LIST page, sequential as both checks are).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import luigi
from luigi.contrib.s3 import S3Target

from pipeline.app import runtime
from pipeline.lake.lake import Lake
from pipeline.model.ingest import game_item, is_dead_lettered, is_done
from pipeline.nba.endpoints import endpoints_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests/
from bench.harness import figure  # noqa: E402
from tests.s3_server import FAKE_ENV, season_keys, simulated_games  # noqa: E402

GAME_ENDPOINTS = endpoints_for(2024)  # what a default run of a modern season fetches

BUCKET = "hoopstat-haus-bronze"
ROOT = f"s3://{BUCKET}/historical-backfill"


def serve(keys: list[str], conn) -> None:
    """Child process: seed moto's backend directly (fast), then serve it over HTTP."""
    import logging

    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    backend = get_backend("s3")[DEFAULT_ACCOUNT_ID]["global"]
    backend.create_bucket(BUCKET, "us-east-1")
    for key in keys:
        backend.put_object(BUCKET, key, b"PAR1 dummy")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    conn.send(server.get_host_and_port()[1])
    threading.Event().wait()


class Requests:
    """Counts the requests one boto3 client sends, by operation."""

    def __init__(self, *clients):
        self.ops: Counter[str] = Counter()
        for client in clients:
            client.meta.events.register("before-send.s3.*", self._count)

    def _count(self, event_name, **_):
        self.ops[event_name.rsplit(".", 1)[-1]] += 1

    def take(self) -> Counter:
        ops, self.ops = self.ops, Counter()
        return ops


def modelled(ops: Counter, seconds: float, get_ms: float, list_ms: float) -> float:
    lists = ops["ListObjectsV2"] + ops["ListObjects"]
    return seconds + (lists * list_ms + (sum(ops.values()) - lists) * get_ms) / 1000


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=1320)
    parser.add_argument("--sample", type=int, default=2000, help="targets for Luigi's check")
    parser.add_argument("--missing-sample", type=int, default=200)
    parser.add_argument("--get-ms", type=float, default=20.0, help="modelled HEAD/GET latency")
    parser.add_argument("--list-ms", type=float, default=100.0, help="modelled LIST latency")
    args = parser.parse_args()

    season = "2024-25"
    games = simulated_games(args.games, season)
    lake = Lake(ROOT)
    keys = season_keys(lake, games)
    targets = [(e, game_item(g)) for e in GAME_ENDPOINTS for g in games]
    paths = [f"s3://{BUCKET}/{k}" for k in season_keys(lake, games, raw=False)]

    started = time.monotonic()
    parent, child = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(keys, child), daemon=True
    )
    server.start()
    port = parent.recv()
    seeded = time.monotonic() - started
    try:
        os.environ.update(FAKE_ENV)
        luigi.configuration.get_config().set("s3", "endpoint_url", f"http://127.0.0.1:{port}")
        runtime.reset()
        client = runtime.current().s3_client()
        client.boto.head_bucket(Bucket=BUCKET)  # build the clients before timing
        client.lister.head_bucket(Bucket=BUCKET)
        requests = Requests(client.boto, client.lister)
        rows = []

        # Ours, season complete: every (game, endpoint) done, from listings.
        t = time.monotonic()
        assert all(is_done(lake, e, item) for e, item in targets)
        rows.append(
            (
                "listing (ours), season complete",
                len(paths),
                requests.take(),
                time.monotonic() - t,
                False,
            )
        )

        # Ours, fresh season: nothing there yet (a season with no objects at all).
        fresh = [
            (e, game_item(g))
            for e in GAME_ENDPOINTS
            for g in simulated_games(args.games, "2023-24")
        ]
        t = time.monotonic()
        assert not any(is_done(lake, e, i) or is_dead_lettered(lake, e, i) for e, i in fresh)
        rows.append(
            (
                "listing (ours), season empty",
                len(paths),
                requests.take(),
                time.monotonic() - t,
                False,
            )
        )

        # Luigi's per-target check, shared client: a sample, extrapolated.
        step = max(1, len(paths) // args.sample)
        sample = paths[::step][: args.sample]
        t = time.monotonic()
        assert all(S3Target(p, client=client.luigi_client).exists() for p in sample)
        rows.append(
            (
                f"S3Target.exists, present (sample {len(sample):,})",
                len(sample),
                requests.take(),
                time.monotonic() - t,
                True,
            )
        )

        missing = [p.replace("season=2024-25", "season=2023-24") for p in sample]
        missing = missing[: args.missing_sample]
        t = time.monotonic()
        assert not any(S3Target(p, client=client.luigi_client).exists() for p in missing)
        rows.append(
            (
                f"S3Target.exists, missing (sample {len(missing):,})",
                len(missing),
                requests.take(),
                time.monotonic() - t,
                True,
            )
        )
    finally:
        server.terminate()
        server.join()

    print(
        f"season {season}: {args.games:,} games x {len(GAME_ENDPOINTS)} endpoints, "
        f"{len(paths):,} table targets ({len(keys):,} objects with raw bodies; "
        f"moto seeded in {seeded:.1f} s)"
    )
    print(
        f"modelled latency: {args.get_ms:.0f} ms per HEAD/GET, {args.list_ms:.0f} ms per "
        f"LIST page; rows marked * are extrapolated from their sample to {len(paths):,}"
    )
    header = (
        f"{'check':<42} {'targets':>8} {'requests':>9} {'req/target':>11} "
        f"{'seconds':>8} {'+latency s':>11}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for label, checked, ops, seconds, extrapolate in rows:
        scale = len(paths) / checked if extrapolate else 1
        total = sum(ops.values()) * scale
        ops_scaled = Counter({k: v * scale for k, v in ops.items()})
        secs, real = (
            seconds * scale,
            modelled(ops_scaled, seconds * scale, args.get_ms, args.list_ms),
        )
        results[label] = (total, secs, real)
        mark = "*" if extrapolate else " "
        print(
            f"{label:<42} {len(paths):>8,} {total:>9,.0f} {total / len(paths):>11.4f} "
            f"{secs:>7.1f}{mark} {real:>10.1f}{mark}"
        )
    ours, naive = rows[0][0], rows[2][0]
    (ours_n, ours_s, ours_r), (naive_n, naive_s, naive_r) = results[ours], results[naive]
    print("-" * len(header))
    print(
        f"{'ratio Luigi/ours, season complete':<42} {'':>8} {naive_n / ours_n:>8,.0f}x "
        f"{'':>11} {naive_s / ours_s:>7.0f}x {naive_r / ours_r:>10.0f}x"
    )
    print(
        f"ours: 1 request per {len(paths) / ours_n:,.0f} targets "
        f"(requirement: at most 1 per 500, under 15 s)"
    )
    return [
        figure(
            "3b. no-op check of a season on S3 (moto)",
            f"{ours_s:.1f} s ({ours_r:.1f} s with S3 latency), {ours_n:,.0f} requests",
            f"S3Target.exists: {naive_s:.0f} s ({naive_r:.0f} s), {naive_n:,.0f} requests",
            "<= 15 s, <= 1 request per 500 targets",
            ours_r <= 15 and len(paths) / ours_n >= 500,
        )
    ]


if __name__ == "__main__":
    main()
