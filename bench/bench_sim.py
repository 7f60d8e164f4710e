"""Benchmark pipeline.sim: ~6,000 requests (a season's worth of game endpoints) through a few
threads, next to a baseline measured in the same run: the same server answering a static
body for the same number of requests (the raw cost of http.server + requests). Then the
first (and second) call of each season-level answer for a full season, each on a fresh
server: what a client waits for before the season's numbers are cached.

    .venv/bin/python bench/bench_sim.py [--games 1500] [--threads 4] [--season-level-only]
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from pipeline.sim.bodies import Reply
from pipeline.sim.server import SimServer

GAME_ENDPOINTS = (
    "boxscoretraditionalv3",
    "boxscoreadvancedv3",
    "playbyplayv3",
    "boxscoresummaryv3",
)


def run(urls: list[str], threads: int) -> tuple[float, int, int]:
    local = threading.local()

    def fetch(url: str) -> tuple[int, int]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        response = session.get(url, timeout=60)
        return response.status_code, len(response.content)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(fetch, urls))
    elapsed = time.perf_counter() - started
    ok = sum(1 for status, _ in results if status == 200)
    return elapsed, ok, sum(size for _, size in results)


SEASON_LEVEL = {  # label -> (endpoint, parameters)
    "leaguegamefinder": ("leaguegamefinder", {"PlayerOrTeam": "T"}),
    "leaguegamelog T": ("leaguegamelog", {"PlayerOrTeam": "T"}),
    "leaguegamelog P": ("leaguegamelog", {"PlayerOrTeam": "P"}),
    "playerindex": ("playerindex", {}),
    "scheduleleaguev2": ("scheduleleaguev2", {}),
}


def season_level(season: str) -> None:
    for label, (endpoint, extra) in SEASON_LEVEL.items():
        params = {"Season": season, "LeagueID": "00", "SeasonType": "Regular Season", **extra}
        with SimServer(port=0, seed=0, today="2025-07-01") as sim:
            url = f"{sim.url}/stats/{endpoint}"
            times = []
            for _ in range(2):
                started = time.perf_counter()
                response = requests.get(url, params=params, timeout=300)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        print(
            f"{label:17s} first call {times[0]:.2f} s, second {times[1]:.2f} s "
            f"({len(response.content) / 1e6:.1f} MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--games", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--season", default="2024-25")
    parser.add_argument("--season-level-only", action="store_true")
    args = parser.parse_args()
    if args.season_level_only:
        season_level(args.season)
        return

    with SimServer(port=0, seed=0, today="2025-07-01") as sim:
        games = [g.game_id for g in sim.league.season(args.season).games][: args.games]
        urls = [
            f"{sim.url}/stats/{endpoint}?GameID={game_id}"
            for game_id in games
            for endpoint in GAME_ENDPOINTS
        ]
        urls += [
            f"{sim.url}/stats/leaguegamefinder?Season={args.season}&PlayerOrTeam=T"
            f"&SeasonType=Regular+Season"
        ]
        elapsed, ok, size = run(urls, args.threads)
        print(
            f"sim:      {len(urls)} requests ({ok} ok, {size / 1e6:.0f} MB) in {elapsed:.1f} s "
            f"= {len(urls) / elapsed:.0f} req/s with {args.threads} threads "
            f"({len(games)} games simulated)"
        )
        elapsed2, ok2, _ = run(urls, args.threads)
        print(
            f"cached:   same requests again (games in LRU where they fit) in {elapsed2:.1f} s "
            f"= {len(urls) / elapsed2:.0f} req/s"
        )

    # Baseline: the same server code answering one fixed ~20 KB body (no simulation).
    with SimServer(port=0) as baseline:
        static = {"static": "x" * 20000}
        baseline.responder.answer = lambda endpoint, params: Reply(200, static)
        base_urls = [f"{baseline.url}/stats/boxscoretraditionalv3?GameID=0"] * len(urls)
        elapsed3, ok3, _ = run(base_urls, args.threads)
        print(
            f"baseline: {len(base_urls)} requests of a static 20 KB body in {elapsed3:.1f} s "
            f"= {len(base_urls) / elapsed3:.0f} req/s (http.server + requests floor)"
        )
    season_level(args.season)


if __name__ == "__main__":
    main()
