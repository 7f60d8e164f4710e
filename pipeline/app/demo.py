"""`make demo`: start the bundled simulator on loopback and backfill a week of 2024-25.

It runs the very command a user runs against stats.nba.com, pointed at the simulator:
    luigi --module pipeline SeasonBackfill --season 2024-25 --start-date ... --end-date ...
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

from pipeline.sim.server import SimServer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", default=os.path.abspath("lake"), help="lake root (./lake)")
    parser.add_argument("--season", default="2024-25")
    parser.add_argument("--start-date", default="2024-10-22")
    parser.add_argument("--end-date", default="2024-10-28")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--rate-limit", default="0.02", help="seconds between requests")
    args = parser.parse_args(argv)

    with (
        tempfile.TemporaryDirectory() as scratch,
        SimServer(port=0, seed=2024, request_log=os.path.join(scratch, "requests.jsonl")) as sim,
    ):
        env = {
            **os.environ,
            "LAKE_ROOT": args.lake,
            "NBA_API_BASE_URL": sim.base_url,
            "NBA_RATE_LIMIT_SECONDS": args.rate_limit,
        }
        print(f"simulated stats.nba.com at {sim.url}; lake at {args.lake}", flush=True)
        command = [
            sys.executable,
            "-m",
            "luigi",
            "--module",
            "pipeline",
            "SeasonBackfill",
            "--season",
            args.season,
            "--start-date",
            args.start_date,
            "--end-date",
            args.end_date,
            "--local-scheduler",
            "--workers",
            args.workers,
            "--nba-limiter-state-path",
            os.path.join(scratch, "limiter.sqlite"),
        ]
        code = subprocess.call(command, env=env)
        with open(os.path.join(scratch, "requests.jsonl")) as log:
            requests = sum(1 for _ in log)
    report = os.path.join(
        args.lake, "data-quality", "validation-reports", f"season={args.season}", "report.html"
    )
    tool = shlex.quote(command_path("nba-backfill"))
    lake = shlex.quote(args.lake)
    print(f"\n{requests} requests to the simulator; exit code {code}.")
    print(f"data:   {args.lake}")
    print(f"report: {report}")
    print("next, as they will run from here:")
    print(f"  {tool} validate --season {args.season} --lake-root {lake}")
    print(
        f"  {tool} sql --lake-root {lake} "
        '"SELECT season, count(*) AS games FROM games GROUP BY season"'
    )
    return code


def command_path(name: str) -> str:
    """How to call one of our commands from here: its bare name when the shell finds this
    very one on the PATH, else its path beside this Python (.venv/bin/nba-backfill when
    `make demo` ran without the virtualenv activated), relative when under this folder."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    found = shutil.which(name)
    if found and os.path.realpath(found) == os.path.realpath(beside):
        return name
    relative = os.path.relpath(beside)
    return relative if not relative.startswith("..") else beside


if __name__ == "__main__":
    sys.exit(main())
