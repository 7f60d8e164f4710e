"""`nba-backfill`: a thin layer over luigi.build (in the manner of gokart's build.py).

    nba-backfill run --season 2024-25                      # SeasonBackfill
    nba-backfill run --start-season 1996-97 --end-season 2024-25   # SeasonRange
    nba-backfill plan --season 2024-25                     # the dry run: no request, no write
    nba-backfill validate --season 2024-25                 # ValidateSeason: the lake only
    nba-backfill validate --season 2024-25 --limit 5       # a scope (default: the last run's)

It builds the same tasks as `luigi --module pipeline SeasonBackfill ...`, runs them with
`luigi.build(..., detailed_summary=True)` and turns the outcome into an exit code: Luigi's
own rule over our [retcode] settings (so both commands exit alike), plus 7 and 9 for a
critical stop, which Luigi cannot tell from a task failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import luigi
import luigi.execution_summary
import luigi.interface
import luigi.retcodes

import pipeline
from pipeline.app import glue, query
from pipeline.app import run as observe
from pipeline.app.plan import print_range_plan
from pipeline.core import config, seasons
from pipeline.core.errors import BadInput, exit_on_bad_input
from pipeline.model.work import SWITCHES, switch_name
from pipeline.nba import endpoints
from pipeline.tasks import critical
from pipeline.tasks.seasons import season_range

DONE = 0
# How long a host waits for another host's discovery of the same season (4 requests).
DISCOVERY_WAIT_SECONDS = 600
BAD_INPUT = 2
CRITICAL_STOP = 7
API_UNREACHABLE = 9
VALIDATION_FLAGGED = 10
INTERRUPTED = observe.INTERRUPTED_EXIT_CODE
MEANINGS = {
    0: "done",
    2: "bad input",
    3: "done except dead letters (data the API does not have)",
    4: "tasks failed",
    5: "scheduling error",
    6: "already running",
    7: "critical stop (the lake cannot be written)",
    8: "internal error",
    9: "stats.nba.com is not answering from this host",
    10: "validation flagged: the report did not pass",
    130: "interrupted (Ctrl-C): rerun the same command to resume",
}
EPILOG = "exit codes: " + "; ".join(f"{code} {text}" for code, text in MEANINGS.items())
# The critical error that means the API, not the lake, is out of reach (pipeline/core/errors.py).
API_UNREACHABLE_ERROR = "ApiUnreachableError"

# Command-line options that are Luigi config settings: set for this process and the task
# processes it forks, above any luigi.cfg (the command line wins, as with `luigi`).
SETTINGS = {
    "lake_root": ("lake", "root"),
    "nba_base_url": ("nba", "base_url"),
    **config.OLDER_OPTIONS,
    "proxies": ("nba", "proxies"),
    "log_format": ("log", "format"),
    "verbose": ("log", "verbose"),
}
# What a season run covers: SeasonBackfill's (and SeasonRange's) own parameters.
SCOPE = ("start_date", "end_date", "season_types", "limit", "retry_dead_letters") + SWITCHES


# --- subcommands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One subcommand: its options, and what it does with them (returns the exit code)."""

    help: str
    add_options: Callable[[argparse.ArgumentParser], None]
    execute: Callable[[argparse.Namespace], int]


def add_run_options(parser: argparse.ArgumentParser) -> None:
    which = parser.add_argument_group("seasons (one, or a range)")
    which.add_argument("--season", metavar="YYYY-YY", help="e.g. 2024-25 (env NBA_TARGET_SEASON)")
    which.add_argument("--start-season", metavar="YYYY-YY", help="first of a range (SeasonRange)")
    which.add_argument("--end-season", metavar="YYYY-YY", help="last season of a range")
    scope = add_scope_options(parser)
    scope.add_argument(
        "--retry-dead-letters",
        action="store_true",
        help="ask again for what the API answered 'no data' for",
    )
    api = parser.add_argument_group("stats.nba.com")
    api.add_argument(
        "--nba-base-url",
        metavar="URL",
        help="template (default https://stats.nba.com/stats/{endpoint}, env NBA_API_BASE_URL)",
    )
    api.add_argument(
        "--rate-limit",
        type=float,
        metavar="SECONDS",
        help="between requests, per host and egress (default 5, env NBA_RATE_LIMIT_SECONDS)",
    )
    api.add_argument(
        "--max-retries",
        type=int,
        metavar="N",
        help="in-task retries of transient errors (default 5)",
    )
    api.add_argument(
        "--proxies",
        metavar="URLS",
        help="comma-separated proxy URLs (default none: direct; env NBA_API_PROXIES)",
    )
    add_lake_options(parser)
    add_luigi_options(parser)


def add_scope_options(parser: argparse.ArgumentParser, validating: bool = False):
    """What a season run covers; `validate` judges the same choices (by default, the last
    run's)."""
    scope = parser.add_argument_group(
        "what to judge (default: what the last run covered)" if validating else "what to fetch"
    )
    scope.add_argument("--start-date", metavar="YYYY-MM-DD", help="only games on or after")
    scope.add_argument("--end-date", metavar="YYYY-MM-DD", help="only games on or before")
    scope.add_argument(
        "--season-types",
        metavar="TYPES",
        help="comma-separated (default all: " + ",".join(seasons.SEASON_TYPES) + ")",
    )
    scope.add_argument(
        "--limit", type=int, metavar="N", help="at most N games a season (default 0: all)"
    )
    for group in endpoints.GROUPS:  # the catalogue's dataset switches, as SeasonBackfill's
        optional = group in endpoints.OPTIONAL_GROUPS
        scope.add_argument(
            "--" + switch_name(group).replace("_", "-"),
            dest=switch_name(group),
            action="store_true",
            help=f"{'add' if optional else 'leave out'} the {group.replace('_', ' ')} datasets",
        )
    return scope


def add_validate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--season", metavar="YYYY-YY", required=True, help="e.g. 2024-25")
    add_scope_options(parser, validating=True)
    add_lake_options(parser)
    add_luigi_options(parser)


def add_lake_options(parser: argparse.ArgumentParser) -> None:
    lake = parser.add_argument_group("lake and logs")
    lake.add_argument(
        "--lake-root",
        metavar="ROOT",
        help="a folder or s3://bucket/prefix (default ./lake, env LAKE_ROOT)",
    )
    lake.add_argument(
        "--log-format", choices=["text", "json"], help="default text (env LOG_FORMAT)"
    )
    lake.add_argument(
        "--verbose",
        action="store_true",
        help="text logs: Luigi's per-task lines and a line per item too (json has them all)",
    )


def add_luigi_options(parser: argparse.ArgumentParser) -> None:
    luigi_options = parser.add_argument_group("Luigi")
    luigi_options.add_argument("--workers", type=int, metavar="N", help="worker processes (1)")
    luigi_options.add_argument(
        "--scheduler-host", metavar="HOST", help="luigid (default: local scheduler)"
    )
    luigi_options.add_argument(
        "--scheduler-port", type=int, metavar="PORT", help="luigid's port (8082)"
    )


def season_tasks(args: argparse.Namespace, *, dry_run: bool = False) -> list[luigi.Task]:
    """SeasonBackfill for --season, SeasonRange for --start-season/--end-season."""
    scope = given(args, SCOPE)
    ranged = given(args, ("start_season", "end_season"))
    if ranged:
        if args.season is not None:
            raise BadInput("give --season, or --start-season and --end-season, not both")
        missing = {"start_season", "end_season"} - ranged.keys()
        if missing:
            raise BadInput(f"--{missing.pop().replace('_', '-')} is missing")
        if not dry_run:
            return [make(pipeline.SeasonRange, **ranged, **scope)]
        # The plan of a range is each season's plan (SeasonRange itself starts a run).
        labels = season_range(
            seasons.parse_season(ranged["start_season"]), seasons.parse_season(ranged["end_season"])
        )
        return [make(pipeline.SeasonBackfill, season=s, dry_run=True, **scope) for s in labels]
    season = given(args, ("season",))
    return [
        make(pipeline.SeasonBackfill, **season, **scope, **({"dry_run": True} if dry_run else {}))
    ]


COMMANDS: dict[str, Command] = {
    "run": Command(
        "backfill one season (--season) or a range (--start-season/--end-season)",
        add_run_options,
        lambda args: run(season_tasks(args), args),
    ),
    "plan": Command(
        "print what `run` would fetch and its ETA: no request, no write",
        add_run_options,
        lambda args: plan(args),
    ),
    "validate": Command(
        "check a season in the lake (what the last run covered, or the scope given) and "
        "write its report (no request)",
        add_validate_options,
        lambda args: validate(args),
    ),
    "sql": Command(query.DESCRIPTION, query.add_sql_options, query.run_sql),
    "catalog": Command(glue.DESCRIPTION, glue.add_catalog_options, glue.run_catalog),
}


def plan(args: argparse.Namespace) -> int:
    """The dry run. A range is one table by era and endpoint, summed without Luigi (80
    seasons in about a second); one season is SeasonBackfill's own dry run."""
    tasks = season_tasks(args, dry_run=True)
    if given(args, ("start_season", "end_season")):
        print_range_plan([task.work for task in tasks])
        return DONE
    return build(tasks, args)


# --- building and running ------------------------------------------------------------------


def validate(args: argparse.Namespace) -> int:
    """ValidateSeason, and exit VALIDATION_FLAGGED when its report did not pass (Luigi
    sees a task failure: `luigi` exits [retcode] task_failed)."""
    scope = given(args, [name for name in SCOPE if name != "retry_dead_letters"])
    task = make(pipeline.ValidateSeason, season=args.season, **scope)
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    code = build([task], args)
    if code == luigi.retcodes.retcode().task_failed and task.flagged_since(started):
        return VALIDATION_FLAGGED
    return code


def given(args: argparse.Namespace, names) -> dict:
    """The options among `names` the user gave (the task's own defaults apply to the rest)."""
    values = {name: getattr(args, name, None) for name in names}
    return {
        name: value for name, value in values.items() if value is not None and value is not False
    }


def make(task_class: type[luigi.Task], **values) -> luigi.Task:
    """Build a task as `luigi` would from its command line: strings go through each
    parameter's own parse (so a bad value is the same bad input either way)."""
    params = dict(task_class.get_params())
    unknown = sorted(values.keys() - params.keys())
    if unknown:
        option = unknown[0].replace("_", "-")
        raise BadInput(f"--{option} does not apply to {task_class.__name__}")
    return task_class(
        **{
            name: params[name].parse(value) if isinstance(value, str) else value
            for name, value in values.items()
        }
    )


def apply_settings(args: argparse.Namespace) -> None:
    settings = luigi.configuration.get_config()
    for name, value in given(args, SETTINGS).items():
        section, key = SETTINGS[name]
        settings.set(section, key, str(value))


def run(tasks: list[luigi.Task], args: argparse.Namespace) -> int:
    """Discovery first, as a build of its own: once the game index exists, a season lists
    its work in requires(), so every host running this same command against one luigid
    schedules, and shares, all of it."""
    discoveries = [t.discovery() for t in tasks if isinstance(t, pipeline.SeasonBackfill)]
    if discoveries:
        # Without Luigi's lock: it is per process, and the season's build below takes it.
        code = build(discoveries, args, lock=False)
        if code == luigi.retcodes.retcode().already_running:
            code = wait_for(discoveries)  # another host is discovering the same season
        if code != DONE:
            return code
    return build(tasks, args)


def wait_for(tasks: list[luigi.Task], seconds: float = DISCOVERY_WAIT_SECONDS) -> int:
    """DONE once every task is complete (run by another worker), else not_run."""
    deadline = time.monotonic() + seconds
    while not all(task.complete() for task in tasks):
        if time.monotonic() > deadline:
            return luigi.retcodes.retcode().not_run
        time.sleep(1)
    return DONE


def build(tasks: list[luigi.Task], args: argparse.Namespace, lock: bool = True) -> int:
    scheduler = (
        {"scheduler_host": args.scheduler_host, **given(args, ("scheduler_port",))}
        if args.scheduler_host
        else {"local_scheduler": True}
    )
    with critical.watch() as stops:
        result = luigi.build(
            tasks,
            detailed_summary=True,
            no_lock=not lock,  # as `luigi` does: the same command twice at once exits 6
            **scheduler,
            **given(args, ("workers",)),
        )
    if stops:
        return API_UNREACHABLE if stops[0]["error_type"] == API_UNREACHABLE_ERROR else CRITICAL_STOP
    return luigi_exit_code(result)


def luigi_exit_code(result: luigi.execution_summary.LuigiRunResult) -> int:
    """The code `luigi` itself would exit with (luigi.retcodes.run_with_retcodes): the
    highest [retcode] among the outcomes present; not_run if the root task did not end done.
    result.status alone cannot tell "already running" apart, nor rank mixed outcomes."""
    codes = luigi.retcodes.retcode()
    tasks = luigi.execution_summary._summary_dict(result.worker)
    outcomes = {
        "still_pending_ext": codes.missing_data,
        "failed": codes.task_failed,
        "run_by_other_worker": codes.already_running,
        "scheduling_error": codes.scheduling_error,
        "not_run": codes.not_run,
    }
    code = max((c for outcome, c in outcomes.items() if tasks[outcome]), default=DONE)
    root = luigi.execution_summary._root_task(result.worker)
    if code == DONE and root not in tasks["completed"] and root not in tasks["already_done"]:
        return codes.not_run
    return code


# --- entry point ---------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="nba-backfill",
        description="Backfill NBA seasons from stats.nba.com into a Parquet lake (Luigi).",
        epilog=EPILOG,
    )
    subcommands = top.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    subcommands.required = True
    for name, command in COMMANDS.items():
        sub = subcommands.add_parser(
            name, help=command.help, description=command.help, epilog=EPILOG
        )
        command.add_options(sub)
        sub.set_defaults(execute=command.execute)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        with exit_on_bad_input():  # BadInput: its one line on stderr, exit code 2
            code = execute(args)
    except KeyboardInterrupt:  # Ctrl-C: a normal way to stop; the run's summary says so
        print(observe.interrupted(), file=sys.stderr, flush=True)
        return INTERRUPTED
    if code != DONE:
        print(f"nba-backfill: exit {code}: {MEANINGS.get(code, 'see [retcode]')}", file=sys.stderr)
    return code


def execute(args: argparse.Namespace) -> int:
    try:
        apply_settings(args)
        return args.execute(args)
    except BadInput:
        raise
    except luigi.parameter.ParameterException as exc:  # a missing or malformed parameter
        raise BadInput(str(exc)) from None
    except luigi.interface.PidLockAlreadyTakenExit:
        return luigi.retcodes.retcode().already_running
    except Exception:
        traceback.print_exc()
        return luigi.retcodes.retcode().unhandled_exception


if __name__ == "__main__":
    sys.exit(main())
