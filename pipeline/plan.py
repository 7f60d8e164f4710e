"""The dry run: what a backfill would do, from listings only. No API call, no write."""

from __future__ import annotations

import datetime as dt

from pipeline import config
from pipeline.nba import endpoints
from pipeline.tasks.common import current_lake

# Discovery costs one LeagueGameFinder request per season type.
DISCOVERY_REQUESTS = len(endpoints.SEASON_TYPES)
# Without a game index we can only estimate: 2024-25 had 1,321 games of these types.
TYPICAL_SEASON_GAMES = 1321


def plan(season_task) -> dict:
    lake = current_lake()
    has_index = lake.exists(lake.layout.game_index(season_task.season))
    rows = []
    if has_index:
        state = season_task.state()
        for endpoint in season_task.game_endpoints():
            done = sum(1 for e, _ in state["done"] if e is endpoint)
            missing = sum(1 for e, _ in state["missing"] if e is endpoint)
            dead = sum(1 for e, _ in state["dead_letter"] if e is endpoint)
            rows.append({"endpoint": endpoint.key, "datasets": list(endpoint.tables.values()),
                         "exist": done, "missing": missing, "dead_letters": dead,
                         "requests": missing})
    else:
        games = season_task.limit or TYPICAL_SEASON_GAMES
        for endpoint in season_task.game_endpoints():
            rows.append({"endpoint": endpoint.key, "datasets": list(endpoint.tables.values()),
                         "exist": 0, "missing": games, "dead_letters": 0, "requests": games,
                         "estimated": True})
    requests = sum(r["requests"] for r in rows) + (0 if has_index else DISCOVERY_REQUESTS)
    seconds = requests * config.rate_limit_seconds()
    return {
        "season": season_task.season,
        "lake": lake.root,
        "game_index": "present" if has_index else "missing (games estimated)",
        "endpoints": rows,
        "requests": requests,
        "rate_limit_seconds": config.rate_limit_seconds(),
        "eta_seconds": seconds,
        "eta": str(dt.timedelta(seconds=round(seconds))),
    }


def print_plan(season_task) -> dict:
    summary = plan(season_task)
    print(f"Plan for {summary['season']} into {summary['lake']} "
          f"(game index {summary['game_index']}):")
    print(f"  {'endpoint':<16}{'exist':>8}{'missing':>9}{'dead':>6}{'requests':>10}  datasets")
    for row in summary["endpoints"]:
        print(f"  {row['endpoint']:<16}{row['exist']:>8}{row['missing']:>9}"
              f"{row['dead_letters']:>6}{row['requests']:>10}  {', '.join(row['datasets'])}")
    print(f"  {summary['requests']} requests at one per {summary['rate_limit_seconds']:g} s: "
          f"ETA {summary['eta']}. Dry run: nothing fetched, nothing written.")
    return summary
