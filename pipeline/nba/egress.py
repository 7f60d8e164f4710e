"""Egresses: the ways out from this host to stats.nba.com.

stats.nba.com hangs for cloud and CI addresses and throttles per IP (nba-api-notes.md, "In
the field"), so requests may leave through proxies. Each proxy, or the direct connection
when none is configured, is an egress: it has its own rate budget and its own bench in the
shared limiter (pipeline.nba.ratelimit), and the client sends each request through the
egress that may send soonest.

A proxy URL may carry credentials (http://user:pass@host:3128). They go to requests and
nowhere else: an egress is known by its name, the URL with the password masked (in logs,
the limiter's file and messages), and the password is registered with the redactor in case
it turns up in any other text.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from pipeline.core import config
from pipeline.core.redact import MASK, add_secret
from pipeline.nba.ratelimit import DIRECT

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Egress:
    name: str  # safe to log: "direct", or the proxy URL with its password masked
    proxy_url: str | None = None  # with credentials: for requests only

    def nba_api_proxy(self, base_url: str) -> str | None:
        """nba_api's ``proxy=`` argument for a request to base_url.

        A proxy carries every request, loopback included. The direct connection to loopback
        (the simulator) uses no proxy at all (""); elsewhere None, which leaves the
        environment's proxies (HTTPS_PROXY, nba_api's NBA_API_PROXY) in force as before.
        """
        if self.proxy_url:
            return self.proxy_url
        return "" if is_loopback(base_url) else None


def is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in LOOPBACK


def egress_name(proxy_url: str) -> str:
    """'http://user:secret@host:3128/' -> 'http://user:***@host:3128'."""
    parts = urlsplit(proxy_url)
    user = f"{parts.username}:{MASK}@" if parts.password is not None else ""
    if parts.username and parts.password is None:
        user = f"{parts.username}@"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{parts.hostname}{port}"


def from_urls(urls: list[str]) -> list[Egress]:
    """One egress per proxy URL (their passwords registered as secrets), or the direct
    connection when there is none."""
    if not urls:
        return [Egress(DIRECT)]
    egresses = []
    for url in urls:
        password = urlsplit(url).password
        if password:
            add_secret(password)
            add_secret(unquote(password))
        egress = Egress(egress_name(url), url)
        if any(e.name == egress.name for e in egresses):
            raise config.BadInput(f"[nba] proxies lists {egress.name} twice")
        egresses.append(egress)
    return egresses


def configured() -> list[Egress]:
    """The egresses of this host, from [nba] proxies or NBA_API_PROXIES."""
    return from_urls(config.proxy_urls())


def egress_count() -> int:
    """How many egresses this host has: the default for concurrent API tasks follows it."""
    return len(configured())


def host_rate() -> float | None:
    """Requests per second this host may send: each egress once per interval, plus the
    jitter allowance. None when unpaced (rate limit 0)."""
    interval = config.rate_limit_seconds() * (1 + config.nba().jitter_fraction)
    return egress_count() / interval if interval else None
