"""Every setting in one place: luigi.Config sections, their env vars, and input checks.

Environment variables are read when a setting is used, never at import.

Precedence, highest first: the command line (`--lake-root`, `--nba-rate-limit-seconds`, or
SeasonBackfill's older names such as `--rate-limit`), a value set in luigi.cfg, the
environment variable, the built-in default. Our Luigi defaults (pipeline/app/defaults.cfg, read
beneath any user config) leave these keys unset so that the environment variables work.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from urllib.parse import urlsplit

import luigi

from pipeline.core.errors import BadInput
from pipeline.core.seasons import parse_season

DEFAULT_BASE_URL = "https://stats.nba.com/stats/{endpoint}"
PROXY_SCHEMES = ("http", "https")


def env(name: str, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


class EnvDefault:
    """Mixin: a Luigi parameter whose default is an environment variable, read when a task
    or config section is built (never at import), so the variable may be set at any time."""

    def __init__(self, *args, env_var: str | None = None, **kwargs):
        self.env_var = env_var
        super().__init__(*args, **kwargs)

    @property
    def _default(self):
        value = env(self.env_var) if self.env_var else None
        return self._fallback if value is None else self.from_env(value)

    @_default.setter
    def _default(self, value):
        self._fallback = value

    def from_env(self, value: str):
        return self.parse(value)


class EnvParameter(EnvDefault, luigi.OptionalParameter):
    pass


class EnvIntParameter(EnvDefault, luigi.IntParameter):
    pass


class EnvBoolParameter(EnvDefault, luigi.BoolParameter):
    def from_env(self, value: str) -> bool:
        return value.strip().lower() in ("1", "true", "yes", "on")


class EnvChoiceParameter(EnvDefault, luigi.ChoiceParameter):
    pass


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


class log(luigi.Config):  # noqa: N801 - the section [log] gives the flag --log-format
    format = EnvChoiceParameter(
        env_var="LOG_FORMAT",
        choices=["text", "json"],
        default="text",
        description="text or json log lines on stderr (env LOG_FORMAT)",
    )
    verbose = EnvBoolParameter(
        env_var="LOG_VERBOSE",
        default=False,
        description="text logs: every line, Luigi's per-task ones and each item's too",
    )


class alerts(luigi.Config):  # noqa: N801 - the section is [alerts]
    webhook_url = EnvParameter(env_var="ALERT_WEBHOOK_URL", default=None)
    smtp_host = EnvParameter(env_var="ALERT_SMTP_HOST", default=None)
    smtp_port = EnvIntParameter(env_var="ALERT_SMTP_PORT", default=25)
    smtp_from = EnvParameter(env_var="ALERT_SMTP_FROM", default="nba-backfill@localhost")
    smtp_to = EnvParameter(env_var="ALERT_SMTP_TO", default=None, description="comma-separated")
    smtp_user = EnvParameter(env_var="ALERT_SMTP_USER", default=None)
    smtp_password = EnvParameter(env_var="ALERT_SMTP_PASSWORD", default=None)
    smtp_starttls = EnvBoolParameter(env_var="ALERT_SMTP_STARTTLS", default=False)
    only_on_failure = EnvBoolParameter(env_var="ALERT_ONLY_ON_FAILURE", default=False)


class glue(luigi.Config):  # noqa: N801 - the section is [glue]
    database = EnvParameter(
        env_var="NBA_GLUE_DATABASE",
        default=None,
        description="Register the lake's tables in this Glue database after each season run",
    )
    endpoint_url = luigi.OptionalParameter(
        default=None, description="Glue's endpoint (default: boto3's, e.g. AWS_ENDPOINT_URL_GLUE)"
    )


# What Athena accepts as a database name (Glue itself takes more, then lower-cases it).
GLUE_DATABASE_NAME = re.compile(r"[a-z0-9_]{1,255}")


def glue_database(name: str | None = None) -> str | None:
    """The Glue database to register the lake in: `name`, else [glue] database, else
    NBA_GLUE_DATABASE; None: off. Bad input unless Athena can use it."""
    name = name if name is not None else glue().database
    if name is None or name == "":
        return None
    if not GLUE_DATABASE_NAME.fullmatch(name):
        raise BadInput(
            f"invalid Glue database name {name!r}: expected lower-case letters, digits "
            f"and _ (at most 255), as Athena requires"
        )
    return name


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


def log_level() -> str:
    """Env LOG_LEVEL (not a [log] setting: --log-level is Luigi's own flag)."""
    return str(env("LOG_LEVEL", "INFO")).upper()


def log_verbose() -> bool:
    """Text logs show every line: [log] verbose (--verbose), or a LOG_LEVEL asked for."""
    return bool(log().verbose) or env("LOG_LEVEL") is not None


def quiet_hours() -> tuple[int, int] | None:
    """[nba] quiet_hours "9-18" -> (9, 18): US/Eastern hours in which to go slower."""
    value = nba().quiet_hours
    if not value:
        return None
    start, _, end = str(value).partition("-")
    if not (start.strip().isdigit() and end.strip().isdigit()) or max(int(start), int(end)) > 24:
        raise BadInput(f"invalid [nba] quiet_hours {value!r}: expected two hours like 9-18")
    return int(start), int(end)


def proxy_urls() -> list[str]:
    """[nba] proxies, else NBA_API_PROXIES: comma-separated proxy URLs (none: direct)."""
    value = nba().proxies or env("NBA_API_PROXIES", "")
    urls = [url.strip() for url in str(value).split(",") if url.strip()]
    for url in urls:
        parts = urlsplit(url)
        try:
            host_port = parts.netloc.rpartition("@")[2].rpartition("]")[2]  # past an IPv6 host
            port_ok = parts.port is not None or ":" not in host_port
        except ValueError:  # a port that is not a number, or out of range
            port_ok = False
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname or not port_ok:
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


def run_stamp() -> str:
    """run_started() as a path-friendly stamp: 20261130T204100Z."""
    started = dt.datetime.fromisoformat(run_started())
    return started.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def override(section: str, key: str, value) -> None:
    """Set a config value for this process and the workers it forks."""
    if value is not None:
        luigi.configuration.get_config().set(section, key, str(value))


# The older CLI's option names, as the settings they stand for (SeasonBackfill and
# `nba-backfill run` both take them).
OLDER_OPTIONS = {
    "rate_limit": ("nba", "rate_limit_seconds"),
    "max_retries": ("nba", "max_retries"),
}


def apply_older_options(rate_limit=None, max_retries=None, s3_bucket=None, s3_prefix=None):
    """The older CLI's option names (--rate-limit, --max-retries, --s3-bucket/--s3-prefix),
    mapped onto their settings; then the lake root is checked."""
    for name, value in (("rate_limit", rate_limit), ("max_retries", max_retries)):
        override(*OLDER_OPTIONS[name], value)
    if s3_bucket:
        prefix = (s3_prefix or "").strip("/")
        override("lake", "root", f"s3://{s3_bucket}/{prefix}".rstrip("/"))
    check_lake_root(lake_root())


# --- input checks: one line, exit 2, before any request ---------------------------------


def check_date_range(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and start > end:
        raise BadInput(f"start date {start} is after end date {end}")


def check_lake_root(root: str) -> None:
    if root.startswith("s3://") and len(root) <= len("s3://"):
        raise BadInput(f"invalid lake root {root!r}: expected s3://bucket/prefix")


class SeasonParameter(EnvDefault, luigi.Parameter):
    """A season like 2024-25, checked when parsed from the command line or Python (or
    from env_var, if given)."""

    def normalize(self, x):
        return parse_season(x) if x is not None else x


class OptionalDateParameter(luigi.parameter.OptionalParameterMixin, luigi.DateParameter):
    """YYYY-MM-DD or empty; a malformed date is bad input, not a stack trace."""

    expected_type = dt.date

    def parse(self, x):
        # Checked in normalize, which runs where our tasks turn BadInput into exit code 2.
        return None if x in (None, "") else str(x)

    def normalize(self, x):
        if x is None or isinstance(x, dt.date):
            return x
        try:
            return dt.date.fromisoformat(str(x))
        except ValueError:
            raise BadInput(f"invalid date {x!r}: expected YYYY-MM-DD") from None
