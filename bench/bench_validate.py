"""How long does validating a whole season take? (issue #6: ~1,300 games in under 60 s)

    /tmp/venv/bin/python bench/bench_validate.py [--lake DIR] [--sample 40]

The first run lands a full simulated 2024-25 season (every game endpoint plus player bios,
from pipeline.sim's bodies, without HTTP or Luigi) into --lake and keeps it for later runs.
Then it times validate_season + write_report on the whole season, and beside it a naive
baseline in the same run: each file read fully with pandas, one at a time, with the same
kind of per-game checks done row by row in Python, on a sample of games extrapolated.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import sys
import time
from multiprocessing import Pool

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from pipeline.lake.lake import Lake  # noqa: E402
from pipeline.nba import endpoints  # noqa: E402
from pipeline.nba.games import games_from_index  # noqa: E402
from pipeline.report import scan  # noqa: E402
from pipeline.report.season import validate_season, write_report  # noqa: E402
from tests.test_validate import SEASON, land_direct  # noqa: E402

SEED, TODAY = 5, "2025-07-01"  # a finished season: every game played


def _land_month(args) -> None:
    root, start, end = args
    land_direct(root, seed=SEED, today=TODAY, start=start, end=end)


def build(root: pathlib.Path) -> None:
    """Land the season in two processes, by halves of the calendar (idempotent writes)."""
    marker = root / ".complete"
    if marker.exists():
        return
    print(f"landing a simulated {SEASON} season into {root} (once; a few minutes)...")
    started = time.monotonic()
    halves = [(str(root), "2024-10-01", "2025-01-31"), (str(root), "2025-02-01", "2025-06-30")]
    with Pool(2) as pool:
        pool.map(_land_month, halves)
    marker.write_text("ok\n")
    print(f"landed in {time.monotonic() - started:.0f} s")


def naive(lake: Lake, sample: int) -> tuple[float, int]:
    """Seconds for `sample` games the naive way: full pandas reads, row-by-row checks."""
    games = games_from_index(lake.read_table(lake.layout.game_index(SEASON)))
    step = max(1, len(games) // sample)
    chosen = games[::step][:sample]
    started = time.monotonic()
    for game in chosen:
        frames = {}
        for endpoint in endpoints.endpoints_for(int(SEASON[:4])):
            for table in endpoint.tables.values():
                path = lake.layout.table_file(table, SEASON, game.month, game.game_id)
                if os.path.exists(path):
                    frames[table] = pd.read_parquet(path)
        players, teams = frames["box_traditional_players"], frames["box_traditional_teams"]
        for _, row in players.iterrows():
            minutes = row["minutes"]
            if minutes:
                mm, ss = minutes.split(":")
                assert 0 <= int(mm) + int(ss) / 60 <= 70
            assert row["fieldGoalsMade"] <= row["fieldGoalsAttempted"]
        for _, team in teams.iterrows():
            own = players[players["teamId"] == team["teamId"]]["points"].sum()
            assert own == team["points"]
        ids = frames["play_by_play"]["actionId"].tolist()
        assert ids == list(range(1, len(ids) + 1))
    return time.monotonic() - started, len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", default="/tmp/bench-validate-lake")
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args()
    root = pathlib.Path(args.lake)
    build(root)
    # A first report: what the season run's report kept of each file is dropped.
    shutil.rmtree(root / "backfill-state" / scan.SCAN_STATE, ignore_errors=True)
    lake = Lake(str(root))

    started = time.monotonic()
    report = validate_season(lake, SEASON)
    validated = time.monotonic() - started
    again = time.monotonic()
    validate_season(lake, SEASON)
    print(f"  the next report, nothing changed: {time.monotonic() - again:.1f} s")
    json_path, html_path = write_report(lake, SEASON, report)
    total = time.monotonic() - started
    s = report["summary"]
    files = sum(c["present"] for c in report["completeness"]["by_month_dataset"])
    print(
        f"validate_season: {s['expected_games']} games, {files} table files, "
        f"{s['problems']} problems, quality {s['quality_score']}"
    )
    print(
        f"  validate {validated:.1f} s + write report {total - validated:.1f} s "
        f"= {total:.1f} s  (target < 60 s)"
    )

    seconds, n = naive(lake, args.sample)
    per_game = seconds / n
    print(
        f"naive baseline (pandas, one file at a time, row-by-row checks): "
        f"{per_game * 1000:.0f} ms/game on {n} games -> "
        f"{per_game * s['expected_games']:.1f} s extrapolated to {s['expected_games']} games"
    )
    print(f"report: {json_path}\n        {html_path}")


if __name__ == "__main__":
    main()
