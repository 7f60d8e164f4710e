"""The run summary: built at exit from the events file, the lake and the config; written to
backfill-state/runs/<run_id>.json and printed short."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import os

import luigi

from pipeline.core import config
from pipeline.core.redact import redact_mapping

log = logging.getLogger("pipeline.app.summary")
CONFIG_SECTIONS = (
    "lake",
    "nba",
    "resources",
    "worker",
    "scheduler",
    "retcode",
    "s3",
    "log",
    "alerts",
    "core",
)
ENV_NAMES = (
    "LAKE_ROOT",
    "NBA_API_BASE_URL",
    "NBA_RATE_LIMIT_SECONDS",
    "NBA_TARGET_SEASON",
    "AWS_S3_BUCKET",
    "AWS_S3_PREFIX",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "DRY_RUN",
    "LOG_FORMAT",
    "ALERT_WEBHOOK_URL",
    "ALERT_SMTP_HOST",
    "ALERT_SMTP_PASSWORD",
)
MAX_DEAD_LETTERS_LISTED = 50


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def config_snapshot(run) -> dict:
    coverage = run.coverage
    parser = luigi.configuration.get_config()
    sections = {}
    for name in CONFIG_SECTIONS:
        if parser.has_section(name):
            sections[name] = redact_mapping(dict(parser.items(name)))
    conf = config.alerts()
    sections["alerts"] = redact_mapping(
        {
            "webhook_url": conf.webhook_url,
            "smtp_host": conf.smtp_host,
            "smtp_port": conf.smtp_port,
            "smtp_to": conf.smtp_to,
            "smtp_user": conf.smtp_user,
            "smtp_password": conf.smtp_password,
            "only_on_failure": conf.only_on_failure,
        }
    )
    return {
        "task": redact_mapping(coverage.params),
        "effective": {k: v for k, v in run.effective.items() if k != "host_rate_per_s"},
        "config": sections,
        "env": redact_mapping({k: os.environ[k] for k in ENV_NAMES if k in os.environ}),
    }


def _error_class(event: dict) -> str:
    if event.get("error_type"):
        return str(event["error_type"])
    return str(event.get("error") or "unknown").split(":", 1)[0]


def count_events(events: list[dict]) -> dict:
    by_status = collections.Counter()
    failures = {
        "failed": collections.Counter(),
        "retried": collections.Counter(),
        "dead_letter": collections.Counter(),
    }
    totals = collections.Counter()
    failed_tasks = []
    for event in events:
        kind = event.get("event_type")
        if kind == "task_failed":
            failed_tasks.append({k: event.get(k) for k in ("task", "error_type", "error")})
        elif kind == "request":
            totals["requests"] += 1
        elif kind == "retry":
            totals["retries"] += 1
            failures["retried"][_error_class(event)] += 1
        elif kind in ("fetched", "rederived", "dead_letter", "failed"):
            by_status[kind] += 1
            totals["bytes_stored"] += int(event.get("bytes_stored") or 0)
            totals["rows"] += int(event.get("rows") or 0)
            if kind in ("failed", "dead_letter"):
                failures[kind][_error_class(event)] += 1
    return {
        "counts": {
            k: by_status.get(k, 0) for k in ("fetched", "rederived", "dead_letter", "failed")
        },
        "requests": totals["requests"],
        "retries": totals["retries"],
        "bytes_stored": totals["bytes_stored"],
        "rows": totals["rows"],
        "failures_by_class": {k: dict(v) for k, v in failures.items() if v},
        "failed_tasks": failed_tasks,
        "corrected_games": sorted(
            {str(e["game_id"]) for e in events if e.get("event_type") == "corrected"}
        ),
    }


def lake_state(run) -> tuple[dict, dict]:
    """Where the run's selection stands now, from listings, summed over its seasons; and
    what a rerun of the same command would request (players of games not stored yet are
    an estimate: `exact` says whether there is one)."""
    lake = run.lake()
    lake.forget_listings()
    seasons = run.coverage.seasons(lake, {})  # the indexes as they are now
    outlooks = [work.outlook(rerun=True) for work in seasons]
    remaining = {
        "requests": sum(o.requests for o in outlooks),
        "exact": all(o.exact for o in outlooks),
        "estimated": sum(o.games.estimated + o.others.estimated for o in outlooks),
    }
    if not all(work.has_index() for work in seasons):
        return {"game_index": False}, remaining
    counts = [work.state(work.known_work()).counts() for work in seasons]
    state = {
        "game_index": True,
        **{key: sum(c[key] for c in counts) for key in ("done", "missing", "dead_letter")},
    }
    return state, remaining


def dead_letters(lake, seasons: list[str]) -> dict:
    paths = sorted(
        path
        for season in seasons
        for path in lake.listing(lake.layout.dead_letter_prefix(season), fresh=True)
    )
    listed = []
    for path in paths[:MAX_DEAD_LETTERS_LISTED]:
        try:
            entry = lake.read_json(path)
        except Exception:  # a ledger entry being rewritten: list the path alone
            entry = {}
        listed.append(
            {
                "path": lake.layout.relative(path),
                **{k: entry.get(k) for k in ("endpoint", "key", "error_type", "error", "attempts")},
            }
        )
    return {"total": len(paths), "listed": listed}


def outcome(counts: dict, state: dict, interrupted: bool = False) -> str:
    if interrupted:
        return "interrupted"
    if counts["failed"] or not state.get("game_index") or state.get("missing"):
        return "failed"
    return "incomplete" if state.get("dead_letter") else "success"


def build(run, ended: float) -> dict:
    from pipeline.core.events import read_all

    events = read_all(run.events_path)
    counted = count_events(events)
    duration = max(ended - run.started, 1e-6)
    summary = {
        "run_id": run.run_id,
        "season": run.coverage.label,
        "task_id": run.coverage.task_id,
        "started_at": iso(run.started),
        "ended_at": iso(ended),
        "duration_s": round(duration, 3),
    }
    try:
        state, remaining = lake_state(run)
    except Exception as exc:  # the summary must still be written
        state = {"game_index": None, "error": f"{type(exc).__name__}: {exc}"}
        remaining = {"requests": None, "exact": False, "estimated": None}
    try:
        ledger = dead_letters(run.lake(), [scope.season for scope in run.coverage.scopes])
    except Exception as exc:
        ledger = {"total": None, "error": f"{type(exc).__name__}: {exc}"}
    summary.update(
        status=outcome(counted["counts"], state, run.interrupted),
        counts=counted["counts"],
        lake_state=state,
        remaining=remaining,
        scopes=[scope.as_dict() for scope in run.coverage.scopes],
        requests=counted["requests"],
        retries=counted["retries"],
        rate_achieved_per_s=round(counted["requests"] / duration, 3),
        rate_configured_per_s=(
            round(run.effective["host_rate_per_s"], 3)
            if run.effective.get("host_rate_per_s")
            else None
        ),
        bytes_stored=counted["bytes_stored"],
        rows=counted["rows"],
        failures_by_class=counted["failures_by_class"],
        failed_tasks=counted["failed_tasks"],
        corrected_games=counted["corrected_games"],
        dead_letters=ledger,
        config=config_snapshot(run),
    )
    return summary


def short_text(summary: dict) -> str:
    counts = summary["counts"]
    state = summary.get("lake_state", {})
    lines = [
        f"Backfill {summary['season']} run {summary['run_id']}: {summary['status'].upper()} "
        f"in {dt.timedelta(seconds=round(summary['duration_s']))}",
        f"  fetched {counts['fetched']}, rederived {counts['rederived']}, "
        f"dead letters {counts['dead_letter']}, failed {counts['failed']}; "
        f"{summary['requests']} requests ({summary['rate_achieved_per_s']:g}/s), "
        f"{summary['retries']} retries, {summary['bytes_stored']:,} bytes stored",
    ]
    if state.get("game_index"):
        lines.append(
            f"  lake now: {state['done']} done, {state['missing']} missing, "
            f"{state['dead_letter']} dead-lettered"
        )
    elif state.get("game_index") is False:
        lines.append("  lake now: no game index (discovery did not finish)")
    remaining = summary.get("remaining") or {}
    if remaining.get("requests"):
        about = "" if remaining.get("exact") else "about "
        lines.append(
            f"  left: {about}{remaining['requests']} requests, for a rerun of the same command"
        )
    if summary.get("corrected_games"):
        corrected = summary["corrected_games"]
        lines.append(
            f"  stat corrections: {len(corrected)} game(s) fetched again, previous files kept "
            f"under superseded/: {', '.join(corrected[:10])}"
        )
    for kind, classes in summary["failures_by_class"].items():
        lines.append(f"  {kind}: " + ", ".join(f"{k} x{v}" for k, v in sorted(classes.items())))
    failed_tasks = summary.get("failed_tasks") or []
    if failed_tasks:
        lines.append(f"  tasks failed: {len(failed_tasks)}, first:")
        lines.extend(
            f"    {t['task']}: {t['error_type']}: {t['error']}"[:500] for t in failed_tasks[:3]
        )
    if summary.get("summary_path"):
        lines.append(f"  summary: {summary['summary_path']}")
    return "\n".join(lines)


def write(run, summary: dict) -> str:
    lake = run.lake()
    path = lake.layout.run_summary(summary["run_id"])
    summary["summary_path"] = path
    lake.write_json(path, summary)
    return path


def last_scope(lake, season: str):
    """What the last run that covered `season` selected of it, from the run summaries
    (newest first: a run id starts with its UTC start time). (Scope, run id), or None."""
    from pipeline.model.work import Scope

    for path in sorted(lake.listing(lake.layout.runs_prefix(), fresh=True), reverse=True):
        if not path.endswith(".json"):
            continue
        try:
            summary = lake.read_json(path)
        except Exception:  # a summary being written, or not ours: the one before counts
            continue
        for scope in summary.get("scopes") or ():
            if scope.get("season") == season:
                return Scope.from_dict(scope), summary.get("run_id")
    return None
