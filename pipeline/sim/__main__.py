"""python -m pipeline.sim: run the stats.nba.com stand-in (see pipeline.sim's docstring)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import signal
import sys

from .server import SimServer


def parse_corrections(specs: list[str]) -> dict[str, dt.date]:
    """["0022400100@2025-01-20", ...] -> {"0022400100": date(2025, 1, 20), ...}"""
    corrections = {}
    for spec in specs:
        game_id, _, day = spec.partition("@")
        if not re.fullmatch(r"\d{10}", game_id):
            raise ValueError(f"--correction {spec!r}: expected GAME_ID@YYYY-MM-DD")
        corrections[game_id] = dt.date.fromisoformat(day)  # ValueError when malformed
    return corrections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", default=None, help="e.g. 429=0.1,playbyplayv3:500=0.2")
    parser.add_argument("--fault-seed", type=int, default=None, help="default: --seed")
    parser.add_argument("--latency-ms", default=None, help="e.g. 50 or playbyplayv3=200,default=30")
    parser.add_argument("--request-log", default=None, help="JSON-lines file, one line per request")
    parser.add_argument("--today", default=None, help="YYYY-MM-DD; later games are unplayed")
    parser.add_argument("--throttle", default=None, help="N/W: hang beyond N requests in W s")
    parser.add_argument("--hang-seconds", type=float, default=5.0)
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After of 429s")
    parser.add_argument(
        "--correction",
        action="append",
        default=[],
        metavar="GAME_ID@YYYY-MM-DD",
        help="from that --today on, the game's box scores carry a stat correction (repeatable)",
    )
    parser.add_argument(
        "--recorded",
        default=None,
        metavar="DIR",
        help="serve the recorded bodies under DIR (<endpoint>/<season>/<game_id>.json) for "
        "their games; their seasons are made of those games only",
    )
    args = parser.parse_args(argv)
    try:
        corrections = parse_corrections(args.correction)
        sim = SimServer(
            host=args.host,
            port=args.port,
            seed=args.seed,
            faults=args.faults,
            fault_seed=args.fault_seed,
            latency_ms=args.latency_ms,
            request_log=args.request_log,
            today=args.today,
            throttle=args.throttle,
            hang_seconds=args.hang_seconds,
            retry_after=args.retry_after,
            corrections=corrections,
            recorded=args.recorded,
        )
    except ValueError as error:
        parser.error(str(error))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"sim listening on {sim.url}", flush=True)
    try:
        sim.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
