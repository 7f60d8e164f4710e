"""Talking to stats.nba.com: egresses, pacing, retries and the one place failures are
classified.

nba_api's own endpoint classes make every call. We give nba_api a requests session whose
response hook classifies HTTP status and body before nba_api parses anything, because
nba_api itself never looks at the status and rewrites some error bodies. Each request goes
out through an egress (the direct connection or one proxy, pipeline.nba.egress) that the
shared limiter grants, and its outcome goes back to that egress's state.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pyarrow as pa
import requests
from nba_api.stats.library.http import NBAStatsHTTP
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from pipeline.core import config, events
from pipeline.core.errors import (
    ApiTimeoutError,
    ApiUnreachableError,
    BadPayloadError,
    NotFoundError,
    PermanentError,
    PipelineError,
    ServerError,
    ThrottledError,
    TransientError,
)
from pipeline.nba import egress, parse
from pipeline.nba.endpoints import Endpoint
from pipeline.nba.ratelimit import (
    AllBenched,
    Benched,
    BenchPolicy,
    Grant,
    SharedRateLimiter,
    default_state_path,
)

log = logging.getLogger("pipeline.nba.client")
DEFAULT_HOST = "stats.nba.com"


@dataclass
class Fetched:
    """A response that parsed and holds data: safe to store as done."""

    body: str
    tables: dict[str, pa.Table]
    response_ms: float
    attempts: int


class NoAnswerError(TransientError):
    """The egress gave no answer: a reset, a refused connection (a timeout is
    ApiTimeoutError). Counts toward the egress's bench, not necessarily the item's retries."""


def classify_response(response: requests.Response, *args, **kwargs) -> None:
    """requests hook: raise the right error class for a bad answer, before nba_api parses it."""
    status = response.status_code
    if status == 429:
        retry_after = response.headers.get("Retry-After")
        raise ThrottledError(
            "HTTP 429 Too Many Requests",
            status=status,
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        )
    if status == 407:  # the proxy, not the API: that way out is closed
        raise requests.exceptions.ProxyError("the proxy refused our credentials (HTTP 407)")
    if status >= 500:
        raise ServerError(f"HTTP {status}", status=status)
    if status == 404:
        raise NotFoundError(f"HTTP 404 for {urlsplit(response.url).path}")
    if status >= 400:
        raise PermanentError(f"HTTP {status}: {response.text[:120]!r}")
    if "html" in response.headers.get("Content-Type", ""):
        raise BadPayloadError(f"HTML page instead of JSON (HTTP {status})")


def _session(base_url: str) -> requests.Session:
    session = requests.Session()
    session.hooks["response"].append(classify_response)
    # Loopback (the simulator) must never go through a proxy from the environment; the
    # configured proxies are passed with each request and carry it all the same.
    session.trust_env = not egress.is_loopback(base_url)
    return session


def merged_headers(overrides: dict[str, str | None]) -> dict[str, str]:
    """nba_api's default headers with [nba] headers merged over them (names compare
    case-insensitively; None drops a header)."""
    headers = dict(NBAStatsHTTP.headers)
    for name, value in overrides.items():
        for existing in [h for h in headers if h.lower() == name.lower()]:
            del headers[existing]
        if value is not None:
            headers[name] = value
    return headers


class NbaClient:
    def __init__(
        self,
        base_url: str,
        limiter: SharedRateLimiter,
        *,
        egresses: Sequence[egress.Egress] | None = None,
        headers: dict[str, str | None] | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff_base: float = 2.0,
        backoff_max: float = 120.0,
    ):
        self.base_url = base_url
        self.limiter = limiter
        if egresses is None:  # the limiter's names, with no proxy behind them
            egresses = [egress.Egress(name) for name in limiter.egresses]
        self.egresses = {e.name: e for e in egresses}
        if tuple(self.egresses) != limiter.egresses:
            raise ValueError("the client's egresses and the limiter's must be the same")
        self.headers = merged_headers(headers or {})
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._pid = None

    @classmethod
    def from_config(cls) -> NbaClient:
        settings = config.nba()
        url = config.base_url()
        egresses = egress.configured()
        limiter = SharedRateLimiter(
            config.rate_limit_seconds(),
            settings.limiter_state_path or default_state_path(url),
            egresses=[e.name for e in egresses],
            bench=BenchPolicy(
                after_failures=settings.bench_after_failures,
                seconds=settings.bench_seconds,
                max_seconds=settings.bench_max_seconds,
                # A probe's outcome is known within the timeout (twice: connect, then read).
                probe_seconds=2 * settings.timeout_seconds + 5,
            ),
            pause_on_server_error=settings.server_error_pause_seconds,
            quiet_hours=config.quiet_hours(),
            quiet_multiplier=settings.quiet_multiplier,
            jitter_fraction=settings.jitter_fraction,
        )
        return cls(
            url,
            limiter,
            egresses=egresses,
            headers=config.request_headers(),
            timeout=settings.timeout_seconds,
            max_retries=settings.max_retries,
            backoff_base=settings.backoff_base_seconds,
            backoff_max=settings.backoff_max_seconds,
        )

    def _bind_nba_api(self) -> None:
        # nba_api keeps its URL and session on the class; a forked worker needs its own
        # session (sockets must not be shared across processes).
        if self._pid != os.getpid():
            NBAStatsHTTP.base_url = self.base_url
            NBAStatsHTTP.set_session(_session(self.base_url))
            self._pid = os.getpid()

    def _acquire(self) -> Grant:
        try:
            return self.limiter.acquire()
        except AllBenched as exc:
            raise ApiUnreachableError(self.unreachable_message(exc)) from None

    def unreachable_message(self, exc: AllBenched) -> str:
        """One line: the API does not answer from here, why that happens, what to set."""
        host = urlsplit(self.base_url).netloc
        api = DEFAULT_HOST if host == DEFAULT_HOST else f"{DEFAULT_HOST} (here {host})"
        count = len(self.egresses)
        if count > 1:
            ways = f"all {count} proxies"
        else:
            ways = "the direct connection" if egress.DIRECT in self.egresses else "the proxy"
        until = datetime.fromtimestamp(exc.soonest, timezone.utc).strftime("%H:%M:%S UTC")
        return (
            f"{api} is not answering from this host: {ways} got no answer "
            f"({self.limiter.bench.after_failures} requests in a row timed out, were reset or "
            f"refused) and {'is' if count == 1 else 'are'} benched until {until} at least. "
            "Cloud and CI IPs (AWS, GCP, hosted runners) are commonly blocked: send the "
            "requests through proxies with [nba] proxies or "
            "NBA_API_PROXIES=http://user:pass@host:3128,..."
        )

    def _report_benched(self, benched: list[Benched]) -> None:
        for b in benched:
            until = datetime.fromtimestamp(b.until, timezone.utc).strftime("%H:%M:%S UTC")
            log.warning(
                "egress %s benched for %gs (%s); probed again at %s",
                b.egress,
                b.seconds,
                b.reason,
                until,
                extra={"event_type": "egress_benched"},
            )

    def _attempt(self, grant: Grant, endpoint: Endpoint, kwargs: dict) -> tuple[str, dict, float]:
        self._bind_nba_api()
        way = self.egresses[grant.egress]
        started = time.monotonic()
        call = endpoint.nba_class(**kwargs, timeout=self.timeout, get_request=False)
        try:
            response = NBAStatsHTTP().send_api_request(
                endpoint=call.endpoint,
                parameters=call.parameters,
                proxy=way.nba_api_proxy(self.base_url),
                headers=self.headers,
                timeout=self.timeout,
            )
        except ThrottledError as exc:
            self.limiter.on_throttled(exc.retry_after, way.name)
            raise
        except ServerError:
            self.limiter.on_server_error(way.name)
            raise
        except PipelineError:  # an answer, if not a usable one (404, HTML page, ...)
            self.limiter.on_answer(way.name)
            raise
        except requests.Timeout as exc:
            self._report_benched(self.limiter.on_timeout(way.name))
            raise ApiTimeoutError(f"no answer within {self.timeout:g}s") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            self._report_benched(self.limiter.on_unreachable(way.name))
            raise NoAnswerError(f"connection failed: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise TransientError(f"request failed: {type(exc).__name__}") from exc
        body = response.get_response()
        try:
            tables = parse.parse(endpoint, body, asked=kwargs)
        except PipelineError:
            self.limiter.on_answer(way.name)  # the egress works; the body is another matter
            raise
        self.limiter.on_success(way.name)
        return body, tables, (time.monotonic() - started) * 1000.0

    def fetch(self, endpoint: Endpoint, **kwargs) -> Fetched:
        """One endpoint call, retried on transient errors; the body is parsed, non-empty and
        the one asked for.

        A failure counts against the call's retries unless it was its egress's fault: a
        request that got no answer (timeout, reset, refused) through an egress benched
        since is excused, and retried at once through whichever egress may send soonest;
        one through an egress that has not answered anybody since is not counted yet.
        Other retries wait an exponential backoff. When every egress is benched,
        ApiUnreachableError stops the run.
        """
        failures: list[tuple[Grant, TransientError]] = []

        def verdicts() -> list[str]:
            return [self._verdict(g, e) for g, e in failures]

        def out_of_retries(state: RetryCallState) -> bool:
            return verdicts().count("charged") > self.max_retries

        def wait(state: RetryCallState) -> float:
            judged = verdicts()
            if judged[-1] == "excused":
                return 0.0  # its egress is benched: go out through another one at once
            return self._backoff(len(judged) - judged.count("excused"))

        def log_retry(state: RetryCallState) -> None:
            grant, exc = failures[-1]
            self._log_retry(endpoint, grant, exc, state.next_action.sleep)

        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=out_of_retries,
            wait=wait,
            before_sleep=log_retry,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                grant = self._acquire()
                events.record({"event_type": "request", "endpoint": endpoint.key})
                try:
                    body, tables, response_ms = self._attempt(grant, endpoint, kwargs)
                except TransientError as exc:
                    failures.append((grant, exc))
                    raise
        attempts = retrying.statistics["attempt_number"]
        return Fetched(body=body, tables=tables, response_ms=response_ms, attempts=attempts)

    def _verdict(self, grant: Grant, exc: TransientError) -> str:
        """'charged', 'pending' or 'excused' (ratelimit.SharedRateLimiter.verdict)."""
        if not isinstance(exc, (ApiTimeoutError, NoAnswerError)):
            return "charged"  # the egress answered: the failure is the request's
        return self.limiter.verdict(grant)

    def _backoff(self, failures: int) -> float:
        """Exponential with up to 1 s of jitter (tenacity's wait_exponential_jitter, counted
        over the failures that were the request's own)."""
        wait = self.backoff_base * 2 ** (failures - 1) + random.uniform(0, 1)
        return min(wait, self.backoff_max)

    def _log_retry(self, endpoint: Endpoint, grant: Grant, exc: Exception, wait: float) -> None:
        error_type = type(exc).__name__
        log.warning(
            "retrying %s in %.1fs after %s via %s: %s",
            endpoint.api_name,
            wait,
            error_type,
            grant.egress,
            exc,
            extra={"event_type": "retry", "endpoint": endpoint.key, "error_type": error_type},
        )
        events.record({"event_type": "retry", "endpoint": endpoint.key, "error_type": error_type})
