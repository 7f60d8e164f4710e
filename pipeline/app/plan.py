"""The dry run: what a backfill would do, from listings only. No API call, no write.

Per endpoint: items done, to fetch, dead-lettered, and requests needed (an item whose raw
body is already stored is re-derived without a request). Per dataset: targets that exist
and targets missing. Work that cannot be known yet (no game index; players before their
box scores exist) is estimated and marked so.
"""

from __future__ import annotations

import datetime as dt

from pipeline.core import config, seasons
from pipeline.model.ingest import raw_path, standing, table_paths
from pipeline.model.work import Scope, SeasonWork
from pipeline.nba import endpoints
from pipeline.nba.egress import egress_count, host_rate

# Discovery costs one LeagueGameFinder request per season type.
DISCOVERY_REQUESTS = len(seasons.SEASON_TYPES)
# Without a game index we can only estimate: 2024-25 had 1,321 games of these types,
# about 7.5 a day in the regular season, 30 teams and some 570 players.
TYPICAL_SEASON_GAMES = 1321
TYPICAL_GAMES_PER_DAY = 7.5
TYPICAL_TEAMS = 30
TYPICAL_PLAYERS = 570
PLAYERS_PER_GAME = 21


def _exact_rows(lake, work, retry_dead_letters: bool) -> list[dict]:
    rows: dict[str, dict] = {}
    for endpoint, item in work:
        row = rows.setdefault(
            endpoint.key,
            {
                "endpoint": endpoint.key,
                "per": endpoint.per,
                "items": 0,
                "done": 0,
                "missing": 0,
                "dead_letters": 0,
                "requests": 0,
                "estimated": False,
                "datasets": {t: {"exist": 0, "missing": 0} for t in endpoint.tables.values()},
            },
        )
        row["items"] += 1
        # Under --retry-dead-letters only this run's dead letters settle an item: none yet.
        where = standing(lake, endpoint, item, config.run_started() if retry_dead_letters else None)
        if where == "done":
            row["done"] += 1
        elif where == "dead_letter":
            row["dead_letters"] += 1
            continue  # not fetched again: its missing tables are not work of this run
        else:
            row["missing"] += 1
            raw = raw_path(lake, endpoint, item)
            if not lake.has(raw, lake.layout.raw_prefix(endpoint.key, item.season)):
                row["requests"] += 1
        for (path, prefix), table in zip(
            table_paths(lake, endpoint, item), endpoint.tables.values(), strict=True
        ):
            row["datasets"][table]["exist" if lake.has(path, prefix) else "missing"] += 1
    return list(rows.values())


def _estimated_rows(eps, count: int) -> list[dict]:
    return [
        {
            "endpoint": e.key,
            "per": e.per,
            "items": count,
            "done": 0,
            "missing": count,
            "dead_letters": 0,
            "requests": count,
            "estimated": True,
            "datasets": {t: {"exist": 0, "missing": count} for t in e.tables.values()},
        }
        for e in eps
    ]


def estimated_games(scope: Scope) -> int:
    games = TYPICAL_SEASON_GAMES
    if scope.start and scope.end:
        days = (scope.end - scope.start).days + 1
        games = min(games, round(days * TYPICAL_GAMES_PER_DAY))
    return min(games, scope.limit) if scope.limit else games


def plan(work: SeasonWork) -> dict:
    lake, scope = work.lake, work.scope
    has_index = work.has_index()
    retry = scope.retry_dead_letters
    if has_index:
        season_level = work.season_work(logs=False)
        if scope.checks_game_logs() and not work.check_done():
            season_level += work.season_work(logs=True)
        rows = _exact_rows(lake, work.game_work() + work.team_work() + season_level, retry)
        games = len(work.games())
    else:
        games = estimated_games(scope)
        rows = _estimated_rows(scope.game_endpoints(), games)
        rows += _estimated_rows(scope.entity_endpoints("team"), TYPICAL_TEAMS)
        for endpoint in scope.season_endpoints():  # PlayerIndex, and a log per season type
            rows += _estimated_rows([endpoint], len(work.season_items(endpoint)))
    if scope.wants_players():
        ids = work.player_ids() if has_index else None
        if ids is not None:
            rows += _exact_rows(lake, work.player_work(ids), retry)
        else:
            rows += _estimated_rows(
                scope.entity_endpoints("player"), min(TYPICAL_PLAYERS, games * PLAYERS_PER_GAME)
            )
    requests = sum(r["requests"] for r in rows) + (0 if has_index else DISCOVERY_REQUESTS)
    interval = config.rate_limit_seconds()
    rate = host_rate()
    seconds = requests / rate if rate else 0.0
    return {
        "season": scope.season,
        "lake": lake.root,
        "game_index": "present" if has_index else "missing (games estimated)",
        "endpoints": rows,
        "discovery_requests": 0 if has_index else DISCOVERY_REQUESTS,
        "requests": requests,
        "estimated": any(r["estimated"] for r in rows) or not has_index,
        "rate_limit_seconds": interval,
        "egresses": egress_count(),
        "eta_seconds": seconds,
        "eta": str(dt.timedelta(seconds=round(seconds))),
    }


def print_plan(work: SeasonWork) -> dict:
    summary = plan(work)
    print(
        f"Plan for {summary['season']} into {summary['lake']} (game index {summary['game_index']}):"
    )
    print(f"  {'endpoint / dataset':<30}{'exist':>8}{'missing':>9}{'dead':>6}{'requests':>10}")
    for row in summary["endpoints"]:
        mark = " (estimated)" if row["estimated"] else ""
        print(
            f"  {row['endpoint'] + mark:<30}{row['done']:>8}{row['missing']:>9}"
            f"{row['dead_letters']:>6}{row['requests']:>10}"
        )
        for table, counts in row["datasets"].items():
            print(f"    {table:<28}{counts['exist']:>8}{counts['missing']:>9}")
    if summary["discovery_requests"]:
        print(f"  {'game discovery':<30}{'':>23}{summary['discovery_requests']:>10}")
    approx = "about " if summary["estimated"] else ""
    print(
        f"  {approx}{summary['requests']} requests at one per "
        f"{summary['rate_limit_seconds']:g} s (plus the jitter allowance) on each of "
        f"{summary['egresses']} egress(es): ETA {approx}{summary['eta']}. "
        f"Dry run: nothing fetched, nothing written.",
        flush=True,
    )
    print_datasets(
        work.scope, len(work.games()) if work.has_index() else estimated_games(work.scope)
    )
    return summary


def dataset_rows(scope: Scope, games: int) -> list[dict]:
    """Every per-game dataset of the catalogue: its switch, its era, and what it costs this
    season (one request per game, in its era; none before it)."""
    rows = []
    for e in endpoints.GAME_ENDPOINTS:
        era = e.era
        first = f"{era.first}-{(era.first + 1) % 100:02d}"
        rows.append(
            {
                "endpoint": e.key,
                "switch": ("--" if e.optional else "--no-") + e.group.replace("_", "-"),
                "on": e.group not in scope.groups_off,
                "era": f"from {first}" + ("" if era.certain else " (to confirm)"),
                "in_era": era.records(scope.year),
                "requests": games if era.records(scope.year) else 0,
            }
        )
    return rows


def print_datasets(scope: Scope, games: int) -> None:
    print(
        f"  Per-game datasets (one request per game each; a whole season is about "
        f"{TYPICAL_SEASON_GAMES:,} games), for the {games} game(s) of this run:"
    )
    for row in dataset_rows(scope, games):
        state = "on" if row["on"] else "off"
        cost = f"{row['requests']} requests" if row["in_era"] else "not recorded this season"
        print(f"    {row['endpoint']:<20}{state:<5}{row['switch']:<22}{row['era']:<26}{cost}")
