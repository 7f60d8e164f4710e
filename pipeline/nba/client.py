"""Talking to stats.nba.com: pacing, retries and the one place failures are classified.

nba_api's own endpoint classes make every call. We give nba_api a requests session whose
response hook classifies HTTP status and body before nba_api parses anything, because
nba_api itself never looks at the status and rewrites some error bodies.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyarrow as pa
import requests
from nba_api.stats.library.http import NBAStatsHTTP
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from pipeline import config, observe
from pipeline.errors import (
    ApiTimeoutError,
    BadPayloadError,
    NotFoundError,
    PermanentError,
    ServerError,
    ThrottledError,
    TransientError,
)
from pipeline.nba import parse
from pipeline.nba.endpoints import Endpoint
from pipeline.nba.ratelimit import SharedRateLimiter, default_state_path

log = logging.getLogger("pipeline.nba.client")


@dataclass
class Fetched:
    """A response that parsed and holds data: safe to store as done."""

    body: str
    tables: dict[str, pa.Table]
    response_ms: float
    attempts: int


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
    # Loopback (the simulator) must never go through a proxy from the environment.
    session.trust_env = urlsplit(base_url).hostname not in ("127.0.0.1", "localhost", "::1")
    return session


class NbaClient:
    def __init__(
        self,
        base_url: str,
        limiter: SharedRateLimiter,
        *,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff_base: float = 2.0,
        backoff_max: float = 120.0,
    ):
        self.base_url = base_url
        self.limiter = limiter
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._pid = None

    @classmethod
    def from_config(cls) -> NbaClient:
        settings = config.nba()
        url = config.base_url()
        limiter = SharedRateLimiter(
            config.rate_limit_seconds(),
            settings.limiter_state_path or default_state_path(url),
            pause_on_server_error=settings.server_error_pause_seconds,
            quiet_hours=config.quiet_hours(),
            quiet_multiplier=settings.quiet_multiplier,
        )
        return cls(
            url,
            limiter,
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

    def _attempt(self, endpoint: Endpoint, kwargs: dict) -> tuple[str, dict, float]:
        self._bind_nba_api()
        self.limiter.acquire()
        started = time.monotonic()
        call = endpoint.nba_class(**kwargs, timeout=self.timeout, get_request=False)
        try:
            response = NBAStatsHTTP().send_api_request(
                endpoint=call.endpoint, parameters=call.parameters, timeout=self.timeout
            )
            body = response.get_response()
            tables = parse.parse(endpoint, body)
        except ThrottledError as exc:
            self.limiter.on_throttled(exc.retry_after)
            raise
        except ServerError:
            self.limiter.on_server_error()
            raise
        except requests.Timeout as exc:
            self.limiter.on_timeout()
            raise ApiTimeoutError(f"no answer within {self.timeout:g}s") from exc
        except requests.ConnectionError as exc:
            raise TransientError(f"connection failed: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise TransientError(f"request failed: {type(exc).__name__}") from exc
        self.limiter.on_success()
        return body, tables, (time.monotonic() - started) * 1000.0

    def fetch(self, endpoint: Endpoint, **kwargs) -> Fetched:
        """One endpoint call, retried on transient errors; the body is parsed and non-empty."""
        attempts = 0

        def log_retry(state) -> None:
            exc = state.outcome.exception()
            log.warning(
                "retrying %s after %s: %s",
                endpoint.api_name,
                type(exc).__name__,
                exc,
                extra={
                    "event_type": "retry",
                    "endpoint": endpoint.key,
                    "error_type": type(exc).__name__,
                },
            )
            observe.record(
                {"event_type": "retry", "endpoint": endpoint.key, "error_type": type(exc).__name__}
            )

        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.max_retries + 1),
            wait=wait_exponential_jitter(initial=self.backoff_base, max=self.backoff_max),
            before_sleep=log_retry,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                attempts += 1
                observe.record({"event_type": "request", "endpoint": endpoint.key})
                body, tables, response_ms = self._attempt(endpoint, kwargs)
        return Fetched(body=body, tables=tables, response_ms=response_ms, attempts=attempts)
