"""Fault, latency and throttle settings: parsing the command-line specs and drawing from them.

Fault spec: comma-separated ``KIND=RATE`` items, each optionally prefixed ``ENDPOINT:``
(``429=0.1,500=0.05,hang=0.02,playbyplayv3:500=0.2``). Endpoint-specific rates replace the
global rate of the same kind for that endpoint. Kinds: 429 500 502 503 504 hang reset
truncated html error_message (transient: drawn per request) and empty notfound (permanent:
drawn per (endpoint, entity id) and sticky).

Latency spec: ``MS`` or ``DIST`` for every endpoint, or ``ENDPOINT=VALUE,...,default=VALUE``,
where a value is a fixed ``MS``, ``lognormal:MEAN_MS:SIGMA`` or ``uniform:LO_MS:HI_MS``.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

TRANSIENT_KINDS = (
    "429",
    "500",
    "502",
    "503",
    "504",
    "hang",
    "reset",
    "truncated",
    "html",
    "error_message",
)
PERMANENT_KINDS = ("empty", "notfound")
ALL_KINDS = TRANSIENT_KINDS + PERMANENT_KINDS


@dataclass
class FaultSpec:
    default: dict[str, float] = field(default_factory=dict)
    per_endpoint: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        spec = cls()
        for item in (text or "").split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, rate_text = item.partition("=")
            if not sep:
                raise ValueError(f"fault item {item!r} is not KIND=RATE")
            endpoint, _, kind = key.rpartition(":")
            kind = kind.strip().lower()
            if kind not in ALL_KINDS:
                raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(ALL_KINDS)})")
            rate = float(rate_text)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault rate {rate} for {kind} is not in [0, 1]")
            target = spec.default
            if endpoint:
                target = spec.per_endpoint.setdefault(endpoint.lower(), {})
            target[kind] = rate
        for rates in [spec.default, *spec.per_endpoint.values()]:
            if sum(r for k, r in rates.items() if k in TRANSIENT_KINDS) > 1.0 + 1e-9:
                raise ValueError("transient fault rates add up to more than 1")
        return spec

    def rates(self, endpoint: str) -> dict[str, float]:
        return {**self.default, **self.per_endpoint.get(endpoint, {})}

    def __bool__(self) -> bool:
        return bool(self.default or self.per_endpoint)


def _kind_drawn(draw: float, rates: dict[str, float], kinds) -> str | None:
    """The kind whose slice of [0, 1) a uniform draw falls in (rates laid end to end)."""
    cumulative = 0.0
    for kind in kinds:
        cumulative += rates.get(kind, 0.0)
        if draw < cumulative:
            return kind
    return None


class FaultDrawer:
    """Decides the fault (or None) for each request. Deterministic given the seed."""

    def __init__(self, spec: FaultSpec, seed: int = 0):
        self.spec = spec
        self.seed = seed
        self._rng = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()

    def sticky(self, endpoint: str, entity: str | None) -> str | None:
        """Permanent fault of this (endpoint, entity): the same answer every time."""
        if entity is None:
            return None
        rates = self.spec.rates(endpoint)
        digest = hashlib.sha256(f"{self.seed}:{endpoint}:{entity}".encode()).digest()
        return _kind_drawn(int.from_bytes(digest[:8], "big") / 2**64, rates, PERMANENT_KINDS)

    def transient(self, endpoint: str) -> str | None:
        rates = self.spec.rates(endpoint)
        with self._lock:
            draw = self._rng.random()
        return _kind_drawn(draw, rates, TRANSIENT_KINDS)

    def html_status(self) -> int:
        with self._lock:
            return 503 if self._rng.random() < 0.5 else 200


class Latency:
    """Per-endpoint delay in milliseconds, fixed or drawn from a distribution."""

    def __init__(self, spec: str | float | int | None, seed: int = 0):
        self._rules: dict[str, tuple] = {}
        self._rng = random.Random(f"latency:{seed}")
        self._lock = threading.Lock()
        if spec is None or spec == "":
            return
        text = str(spec)
        if "=" not in text:
            self._rules["default"] = self._parse_value(text)
            return
        for item in text.split(","):
            name, _, value = item.partition("=")
            self._rules[name.strip().lower()] = self._parse_value(value.strip())

    @staticmethod
    def _parse_value(text: str) -> tuple:
        parts = text.split(":")
        if len(parts) == 1:
            return ("fixed", float(parts[0]))
        kind = parts[0].lower()
        if kind == "lognormal" and len(parts) == 3:
            return ("lognormal", float(parts[1]), float(parts[2]))
        if kind == "uniform" and len(parts) == 3:
            return ("uniform", float(parts[1]), float(parts[2]))
        raise ValueError(f"bad latency value {text!r}")

    def draw_ms(self, endpoint: str) -> float:
        rule = self._rules.get(endpoint) or self._rules.get("default")
        if rule is None:
            return 0.0
        if rule[0] == "fixed":
            return rule[1]
        with self._lock:
            if rule[0] == "uniform":
                return self._rng.uniform(rule[1], rule[2])
            mean, sigma = rule[1], rule[2]
            # Choose mu so that the distribution's mean is MEAN_MS.
            mu = math.log(max(mean, 1e-6)) - sigma * sigma / 2
            return self._rng.lognormvariate(mu, sigma)


class Throttle:
    """Sliding-window rate limit: over N requests in W seconds, requests hang."""

    def __init__(self, spec: str | None):
        self.limit = 0
        self.window = 0.0
        if spec:
            count, _, window = str(spec).partition("/")
            self.limit, self.window = int(count), float(window)
            if self.limit <= 0 or self.window <= 0:
                raise ValueError(f"bad throttle {spec!r}, want N/W like 100/10")
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def over_limit(self) -> bool:
        """Record one request; True if it is beyond the limit of the current window."""
        if not self.limit:
            return False
        now = time.monotonic()
        with self._lock:
            while self._times and self._times[0] <= now - self.window:
                self._times.popleft()
            self._times.append(now)
            return len(self._times) > self.limit
