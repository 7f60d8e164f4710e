"""Every setting in one place: luigi.Config sections, their env vars, and input checks.

Precedence, highest first: the command line (`--lake-root`, `--nba-rate-limit-seconds`, or
SeasonBackfill's older names such as `--rate-limit`), a value set in luigi.cfg, the
environment variable, the built-in default. The shipped luigi.cfg leaves these keys unset
so that the environment variables of the older CLI keep working.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from urllib.parse import urlsplit

import luigi

from pipeline.nba.endpoints import SEASON_TYPES

DEFAULT_BASE_URL = "https://stats.nba.com/stats/{endpoint}"
SEASON_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_SEASON_YEAR = 1946
PROXY_SCHEMES = ("http", "https")


def env(name: str, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_flag(name: str) -> bool:
    return str(env(name, "false")).strip().lower() in ("1", "true", "yes", "on")


class lake(luigi.Config):  # noqa: N801 - luigi names the config section after the class
    root = luigi.OptionalParameter(
        default=None, description="Lake root: a folder or s3://bucket/prefix (env LAKE_ROOT)"
    )


class nba(luigi.Config):  # noqa: N801
    base_url = luigi.OptionalParameter(
        default=None, description="stats.nba.com URL template (env NBA_API_BASE_URL)"
    )
    rate_limit_seconds = luigi.OptionalFloatParameter(
        default=None, description="Seconds between requests, per host (env NBA_RATE_LIMIT_SECONDS)"
    )
    timeout_seconds = luigi.FloatParameter(default=30.0)
    max_retries = luigi.IntParameter(default=5, description="In-task retries of transient errors")
    backoff_base_seconds = luigi.FloatParameter(default=2.0)
    backoff_max_seconds = luigi.FloatParameter(default=120.0)
    server_error_pause_seconds = luigi.FloatParameter(default=30.0)
    limiter_state_path = luigi.OptionalParameter(default=None)
    quiet_hours = luigi.OptionalParameter(
        default=None, description="Slower pace in these US/Eastern hours, e.g. 9-18"
    )
    quiet_multiplier = luigi.FloatParameter(default=2.0)
    # Egresses (pipeline.nba.egress): proxies, headers, the jitter allowance and the bench.
    proxies = luigi.OptionalParameter(
        default=None,
        description="Comma-separated proxy URLs, e.g. http://user:pass@host:3128; each is an "
        "egress with its own rate (env NBA_API_PROXIES)",
    )
    headers = luigi.OptionalParameter(
        default=None,
        description="JSON object merged over nba_api's request headers (null drops a header)",
    )
    jitter_fraction = luigi.FloatParameter(
        default=0.10, description="Extra spacing per egress for network jitter (of the interval)"
    )
    bench_after_failures = luigi.IntParameter(
        default=3, description="Bench an egress after this many timeouts/resets in a row"
    )
    bench_seconds = luigi.FloatParameter(default=300.0, description="First bench; doubles")
    bench_max_seconds = luigi.FloatParameter(default=3600.0, description="Longest bench")


def lake_root() -> str:
    """[lake] root, else LAKE_ROOT, else the older AWS_S3_BUCKET/PREFIX, else ./lake."""
    configured = lake().root or env("LAKE_ROOT")
    if configured:
        return str(configured).rstrip("/")
    bucket = env("AWS_S3_BUCKET")
    if bucket:
        prefix = str(env("AWS_S3_PREFIX", "")).strip("/")
        return f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    return os.path.abspath("lake")


def base_url() -> str:
    return str(nba().base_url or env("NBA_API_BASE_URL", DEFAULT_BASE_URL))


def rate_limit_seconds() -> float:
    configured = nba().rate_limit_seconds
    if configured is None:
        configured = float(env("NBA_RATE_LIMIT_SECONDS", 5.0))
    return max(0.0, float(configured))


def proxy_urls() -> list[str]:
    """[nba] proxies, else NBA_API_PROXIES: comma-separated proxy URLs (none: direct)."""
    value = nba().proxies or env("NBA_API_PROXIES", "")
    urls = [url.strip() for url in str(value).split(",") if url.strip()]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
            shown = f"{parts.scheme}://{parts.hostname}" if parts.hostname else "a value"
            raise BadInput(
                f"invalid [nba] proxies / NBA_API_PROXIES entry ({shown}...): expected "
                f"{'|'.join(PROXY_SCHEMES)}://[user:password@]host:port"
            )
    return urls


def request_headers() -> dict[str, str | None]:
    """[nba] headers: a JSON object merged over nba_api's defaults (null drops a header)."""
    value = nba().headers
    if not value:
        return {}
    try:
        headers = json.loads(value)
    except ValueError:
        headers = None
    if not isinstance(headers, dict) or not all(
        isinstance(v, (str, type(None))) for v in headers.values()
    ):
        raise BadInput(
            "invalid [nba] headers: expected a JSON object of strings, "
            'e.g. {"User-Agent": "Mozilla/5.0 ..."}'
        )
    return headers


def run_started() -> str:
    """When this run started (UTC, ISO), shared with the workers it forks via the env."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return os.environ.setdefault("BACKFILL_RUN_STARTED", now)


def override(section: str, key: str, value) -> None:
    """Set a config value for this process and the workers it forks (older CLI names)."""
    if value is not None:
        luigi.configuration.get_config().set(section, key, str(value))


# --- input checks: one line, exit 2, before any request ---------------------------------


class BadInput(SystemExit):
    """Invalid input from the command line or config: one line on stderr, exit code 2.

    A SystemExit so that Luigi's launcher does not turn it into a stack trace and exit 4.
    """

    def __init__(self, message: str):
        print(f"error: {message}", file=sys.stderr)
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


def parse_season(value: str) -> str:
    """'2024-25' -> '2024-25'; anything else is bad input."""
    match = SEASON_PATTERN.match(str(value).strip())
    if not match:
        raise BadInput(f"invalid season {value!r}: expected YYYY-YY, for example 2024-25")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise BadInput(f"invalid season {value!r}: {end:02d} does not follow {start}")
    if start < FIRST_SEASON_YEAR or start > dt.date.today().year:
        raise BadInput(f"invalid season {value!r}: no NBA season starts in {start}")
    return f"{start}-{end:02d}"


def season_year(season: str) -> int:
    return int(season[:4])


def parse_season_types(values) -> tuple[str, ...]:
    chosen = tuple(values) or SEASON_TYPES
    unknown = [v for v in chosen if v not in SEASON_TYPES]
    if unknown:
        raise BadInput(f"unknown season type {unknown[0]!r}: choose from {', '.join(SEASON_TYPES)}")
    return chosen


def check_date_range(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and start > end:
        raise BadInput(f"start date {start} is after end date {end}")


def check_lake_root(root: str) -> None:
    if root.startswith("s3://") and len(root) <= len("s3://"):
        raise BadInput(f"invalid lake root {root!r}: expected s3://bucket/prefix")


class SeasonParameter(luigi.Parameter):
    """A season like 2024-25, checked when parsed from the command line or Python."""

    def normalize(self, x):
        return parse_season(x) if x is not None else x


class OptionalDateParameter(luigi.parameter.OptionalParameterMixin, luigi.DateParameter):
    """YYYY-MM-DD or empty; a malformed date is bad input, not a stack trace."""

    expected_type = dt.date

    def parse(self, x):
        if x in (None, ""):
            return None
        try:
            return dt.date.fromisoformat(str(x))
        except ValueError:
            raise BadInput(f"invalid date {x!r}: expected YYYY-MM-DD") from None
