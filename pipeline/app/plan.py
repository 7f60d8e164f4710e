"""The dry run: what a backfill would do, from listings only. No API call, no write.

Per endpoint: items done, to fetch, dead-lettered, and requests needed (an item whose raw
body is already stored is re-derived without a request). Per dataset: targets that exist
and targets missing. Work that cannot be known yet (no game index; players before their
box scores exist) is estimated and marked so.
"""

from __future__ import annotations

import datetime as dt

from pipeline.core import config, seasons
from pipeline.model.eras import PROBE_ITEMS
from pipeline.model.ingest import raw_path, standing, table_paths
from pipeline.model.work import GAME_LOGS, Scope, SeasonWork
from pipeline.nba import endpoints
from pipeline.nba.egress import egress_count, host_rate

# Without a game index we can only estimate: 2024-25 had 1,321 games of these types,
# about 7.5 a day in the regular season, 30 teams and some 570 players (19 a team).
TYPICAL_GAMES_PER_DAY = 7.5
PLAYERS_PER_GAME = 21
PLAYERS_PER_TEAM = 19
# The league's shape by season (start year -> value, in force until the next key): teams,
# and regular-season games per team (the lockouts of 1998-99 and 2011-12, the 2019-20
# season cut short and finished in the bubble, 2020-21's 72 games).
TEAMS = {1946: 11, 1947: 8, 1948: 12, 1949: 17, 1950: 11, 1951: 10, 1953: 9, 1954: 8}
TEAMS |= {1961: 9, 1966: 10, 1967: 12, 1968: 14, 1970: 17, 1974: 18, 1976: 22, 1980: 23}
TEAMS |= {1988: 25, 1989: 27, 1995: 29, 2004: 30}
GAMES_PER_TEAM = {1946: 60, 1947: 48, 1948: 60, 1949: 68, 1951: 66, 1952: 70, 1953: 72}
GAMES_PER_TEAM |= {1959: 75, 1960: 79, 1961: 80, 1966: 81, 1967: 82, 1998: 50, 1999: 82}
GAMES_PER_TEAM |= {2011: 66, 2012: 82, 2019: 71, 2020: 72, 2021: 82}
# Playoff games, about: fewer teams and shorter series early on.
PLAYOFF_GAMES = {1946: 20, 1967: 50, 1984: 80}
# Players in the league's history (BAA and NBA, to 2025-26), about: a lake-wide endpoint (a
# bio) is fetched once per player, however many seasons a range holds.
ALL_TIME_PLAYERS = 5300
# Play-in games (from 2020-21) and the Cup final (from 2023-24).
SEASON_TYPE_GAMES = {"PlayIn": 6, "IST": 1}


def _shape(table: dict[int, int], year: int) -> int:
    return table[max(k for k in table if k <= year)]


def season_teams(year: int) -> int:
    return _shape(TEAMS, year)


def season_games(year: int, season_types: tuple[str, ...]) -> int:
    """About how many games a season had, of the given types."""
    count = {
        "Regular Season": season_teams(year) * _shape(GAMES_PER_TEAM, year) // 2,
        "Playoffs": _shape(PLAYOFF_GAMES, year),
        **SEASON_TYPE_GAMES,
    }
    return sum(count[t] for t in season_types)


def discovery_requests(scope: Scope) -> int:
    """One LeagueGameFinder request per season type the league played that season."""
    return len(seasons.season_types_of(scope.year))


def _exact_rows(lake, work, retry_dead_letters: bool, uncertain=frozenset()) -> list[dict]:
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
                "uncertain": endpoint.key in uncertain,
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


def _estimated_rows(eps, count: int, uncertain=frozenset()) -> list[dict]:
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
            "uncertain": e.key in uncertain,
            "datasets": {t: {"exist": 0, "missing": count} for t in e.tables.values()},
        }
        for e in eps
    ]


def season_item_count(work: SeasonWork, endpoint) -> int:
    """A season-level endpoint's items: a game log per season type, else one."""
    return len(work.scope.season_types) if endpoint in GAME_LOGS.values() else 1


def _count_in_full(rows: list[dict], counts: dict[str, int]) -> None:
    """An uncertain era lists its probes only: count the rest too (the most it can cost).
    counts: items by `per` ("game", "team", "player") or by endpoint key."""
    for row in rows:
        full = counts.get(row["endpoint"], counts.get(row["per"]))
        extra = (full or 0) - row["items"]
        if row["uncertain"] and extra > 0:
            for name in ("items", "missing", "requests"):
                row[name] += extra
            for dataset in row["datasets"].values():
                dataset["missing"] += extra
            row["estimated"] = True


def estimated_games(scope: Scope) -> int:
    games = season_games(scope.year, scope.season_types)
    if scope.start and scope.end:
        days = (scope.end - scope.start).days + 1
        games = min(games, round(days * TYPICAL_GAMES_PER_DAY))
    return min(games, scope.limit) if scope.limit else games


def plan(work: SeasonWork) -> dict:
    lake, scope = work.lake, work.scope
    has_index = work.has_index()
    retry = scope.retry_dead_letters
    # Uncertain eras not learned yet: their requests are counted in full (the most they
    # can cost); a probe may find the season unrecorded after PROBE_ITEMS requests.
    uncertain = frozenset(e.key for e in work.undecided_endpoints())
    if has_index:
        season_level = work.season_work(logs=False)
        if work.checks_game_logs() and not work.check_done():
            season_level += work.season_work(logs=True)
        listed = work.game_work() + work.team_work() + season_level
        rows = _exact_rows(lake, listed, retry, uncertain)
        games = len(work.games())
        full = {e.key: season_item_count(work, e) for e in work.season_endpoints()}
        _count_in_full(rows, {"game": games, "team": len(work.team_ids()), **full})
    else:
        games = estimated_games(scope)
        teams = season_teams(scope.year)
        rows = _estimated_rows(work.game_endpoints(), games, uncertain)
        rows += _estimated_rows(work.entity_endpoints("team"), teams, uncertain)
        for endpoint in work.season_endpoints():  # PlayerIndex, and a log per season type
            rows += _estimated_rows([endpoint], season_item_count(work, endpoint), uncertain)
    if work.wants_players():
        ids = work.player_ids() if has_index else None
        if ids is not None:
            rows += _exact_rows(lake, work.player_work(ids), retry, uncertain)
            _count_in_full(rows, {"player": len(ids)})
        else:
            players = min(season_teams(scope.year) * PLAYERS_PER_TEAM, games * PLAYERS_PER_GAME)
            rows += _estimated_rows(work.entity_endpoints("player"), players, uncertain)
    discovery = 0 if has_index else discovery_requests(scope)
    requests = sum(r["requests"] for r in rows) + discovery
    at_least = requests - sum(
        r["requests"] - min(r["requests"], PROBE_ITEMS) for r in rows if r["uncertain"]
    )
    interval = config.rate_limit_seconds()
    rate = host_rate()
    seconds = requests / rate if rate else 0.0
    return {
        "season": scope.season,
        "lake": lake.root,
        "game_index": "present" if has_index else "missing (games estimated)",
        "endpoints": rows,
        "discovery_requests": discovery,
        "requests": requests,
        "requests_at_least": at_least,
        # Asked for by no run: the era does not record them, or a probe learned so.
        "not_recorded": [
            {
                "endpoint": e.key,
                "learned": work.learned.recorded(e) is False,
            }
            for e in work.not_recorded()
        ],
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
        mark += " (uncertain era)" if row["uncertain"] else ""
        print(
            f"  {row['endpoint'] + mark:<30}{row['done']:>8}{row['missing']:>9}"
            f"{row['dead_letters']:>6}{row['requests']:>10}"
        )
        for table, counts in row["datasets"].items():
            print(f"    {table:<28}{counts['exist']:>8}{counts['missing']:>9}")
    if summary["discovery_requests"]:
        print(f"  {'game discovery':<30}{'':>23}{summary['discovery_requests']:>10}")
    if summary["not_recorded"]:
        names = [
            n["endpoint"] + (" (learned by a probe)" if n["learned"] else "")
            for n in summary["not_recorded"]
        ]
        print(f"  not recorded in this era (not asked for): {', '.join(names)}")
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
        f"  Per-game datasets (one request per game each; the whole season is about "
        f"{season_games(scope.year, scope.season_types):,} games), for the {games} game(s) "
        f"of this run:"
    )
    for row in dataset_rows(scope, games):
        state = "on" if row["on"] else "off"
        cost = f"{row['requests']} requests" if row["in_era"] else "not recorded this season"
        print(f"    {row['endpoint']:<20}{state:<5}{row['switch']:<22}{row['era']:<26}{cost}")


# --- a range of seasons ---------------------------------------------------------------------


def eta(requests: int, egresses: int) -> float:
    """Seconds for `requests` at the configured pace on `egresses` egresses (0: unpaced)."""
    interval = config.rate_limit_seconds() * (1 + config.nba().jitter_fraction)
    return requests * interval / egresses if egresses else 0.0


def _era_of(scope: Scope) -> tuple:
    """What makes a season's era for this run: which of the run's endpoints the catalogue
    says it records (and which of them are uncertain), and the season types played."""
    year = scope.year
    catalogue = tuple(
        (e.key, e.era.records(year), e.era.uncertain(year))
        for e in endpoints.ALL.values()
        if e.group not in scope.groups_off
    )
    return catalogue, seasons.season_types_of(year)


def range_plan(works: list[SeasonWork]) -> dict:
    """Each season's plan, summed by era (runs of seasons that request the same endpoints)
    and by endpoint within each era."""
    eras: list[dict] = []
    for work in works:
        summary = plan(work)
        key = _era_of(work.scope)
        if not eras or eras[-1]["key"] != key:
            eras.append({"key": key, "seasons": [], "endpoints": {}, "discovery": 0})
        era = eras[-1]
        era["seasons"].append(summary["season"])
        era["discovery"] += summary["discovery_requests"]
        era.setdefault("requests", 0)
        era.setdefault("requests_at_least", 0)
        era["requests"] += summary["requests"]
        era["requests_at_least"] += summary["requests_at_least"]
        for row in summary["endpoints"]:
            counted = era["endpoints"].setdefault(
                row["endpoint"], {"requests": 0, "uncertain": row["uncertain"]}
            )
            counted["requests"] += row["requests"]
            counted["uncertain"] = counted["uncertain"] or row["uncertain"]
    # A lake-wide endpoint asked by many seasons is fetched once per key: its seasons' sum
    # counts a player once per season played; the whole range needs each player once.
    lake_wide = {e.key for e in (*endpoints.ENTITY_ENDPOINTS,) if e.lake_wide}
    summed = sum(
        counted["requests"]
        for era in eras
        for key, counted in era["endpoints"].items()
        if key in lake_wide
    )
    once = 0 if len(works) == 1 else max(0, summed - ALL_TIME_PLAYERS * len(lake_wide))
    requests = sum(e["requests"] for e in eras) - once
    # (at least: probes only where uncertain, a few per season: nothing counted twice)
    at_least = sum(e["requests_at_least"] for e in eras)
    egresses = egress_count()
    return {
        "seasons": [s for e in eras for s in e["seasons"]],
        "eras": [{k: v for k, v in e.items() if k != "key"} for e in eras],
        "requests": requests,
        "requests_at_least": at_least,
        "lake_wide_counted_once": once,
        "rate_limit_seconds": config.rate_limit_seconds(),
        "egresses": egresses,
        "eta_seconds": eta(requests, egresses),
        "eta_seconds_by_egresses": {n: eta(requests, n) for n in (1, 10)},
    }


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:,.1f} h"


def print_range_plan(works: list[SeasonWork]) -> dict:
    summary = range_plan(works)
    seasons = summary["seasons"]
    lake = works[0].lake.root if works else ""
    print(f"Plan for {seasons[0]}..{seasons[-1]} into {lake} ({len(seasons)} seasons), by era:")
    for era in summary["eras"]:
        first, last = era["seasons"][0], era["seasons"][-1]
        label = first if first == last else f"{first}..{last} ({len(era['seasons'])} seasons)"
        print(f"  {label:<42}{'requests':>10}")
        for key, counted in era["endpoints"].items():
            mark = " (uncertain: probed)" if counted["uncertain"] else ""
            print(f"    {key + mark:<40}{counted['requests']:>12,}")
        print(f"    {'game discovery':<40}{era['discovery']:>12,}")
        print(f"    {'era total':<40}{era['requests']:>12,}")
    if summary["lake_wide_counted_once"]:
        print(
            f"  {'less bios asked by several seasons':<40}"
            f"{-summary['lake_wide_counted_once']:>12,}  (about {ALL_TIME_PLAYERS:,} "
            "players in the league's history, each fetched once)"
        )
    by_egresses = summary["eta_seconds_by_egresses"]
    print(
        f"  about {summary['requests']:,} requests (at least {summary['requests_at_least']:,} "
        f"if every uncertain era proves unrecorded) at one per "
        f"{summary['rate_limit_seconds']:g} s (plus the jitter allowance) on each of "
        f"{summary['egresses']} egress(es): ETA about {_hours(summary['eta_seconds'])} "
        f"(1 egress: {_hours(by_egresses[1])}; 10 egresses: {_hours(by_egresses[10])}). "
        "Dry run: nothing fetched, nothing written.",
        flush=True,
    )
    return summary
