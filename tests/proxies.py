"""Small HTTP forward proxies on loopback, for the egress tests and the bench.

Real proxies, as far as the client can tell: requests sends them the absolute-form request
line (``GET http://127.0.0.1:port/stats/... HTTP/1.1``) with ``Proxy-Authorization`` when
the proxy URL has credentials, and they forward to the origin named in that line. Each keeps
its own log: the arrival time of every request (the moment its request line was read, which
is when the server behind would see it), what it asked for, and what came back.

Behaviours:
- ``ForwardProxy()``: forwards every request.
- ``ForwardProxy(hang=True)``: accepts the connection, reads the request, never answers
  (what stats.nba.com does to a blocked IP); ``hang_after=N``: the same once N requests
  have been forwarded (an IP blocked mid-run).
- ``ForwardProxy(swaps={"0022400008": "0022400001"}, swap_times=3)``: forwards the first
  3 requests for game 0022400008 as requests for 0022400001, so the client gets another
  game's body (a caching proxy gone wrong).
- ``ForwardProxy(credentials=("user", "password"))``: 407 without the right credentials.
- ``ForwardProxy(rewrite=f)``: passes each answer's body through ``f(endpoint, params,
  body) -> body`` (an answer that differs from the origin's, or one held back until
  something has happened).
- ``proxy.most_in_flight``: the most requests it was forwarding at once.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-authenticate",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: ForwardProxy

    def log_message(self, format, *args):  # noqa: A002 - quiet; the proxy keeps its own log
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_CONNECT(self):  # noqa: N802 - http.server's naming
        self._reply(501, b"CONNECT is not supported by this test proxy")

    def do_GET(self):  # noqa: N802
        arrived = time.time()
        proxy = self.proxy
        target = urlsplit(self.path)
        params = dict(parse_qsl(target.query, keep_blank_values=True))
        entry = {
            "arrived": arrived,
            "endpoint": target.path.rsplit("/", 1)[-1].lower(),
            "params": params,
            "status": None,
            "authorized": proxy.authorized(self.headers.get("Proxy-Authorization")),
            "served_game": None,
            "headers": dict(self.headers.items()),
        }
        proxy._record(entry)  # at arrival: a hung request is in the log while it hangs
        try:
            if not entry["authorized"]:
                entry["status"] = 407
                self._reply(407, b"Proxy Authentication Required", {"Proxy-Authenticate": "Basic"})
            elif proxy.hangs_now():
                entry["status"] = "hang"
                proxy._stopping.wait()  # never answers; the client gives up first
                self.close_connection = True
            else:
                query = target.query
                served = proxy.swapped(params.get("GameID"))
                if served:
                    entry["served_game"] = served
                    query = urlencode({**params, "GameID": served})
                self._forward(target, query, entry)
        except OSError:
            entry["status"] = "client gone"

    def _forward(self, target, query: str, entry: dict) -> None:
        origin = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = target.netloc
        try:
            origin.request("GET", f"{target.path}?{query}", headers=headers)
            self.proxy._started()
            try:
                response = origin.getresponse()
                body = response.read()
                if self.proxy.rewrite is not None:
                    params = dict(parse_qsl(query, keep_blank_values=True))
                    body = self.proxy.rewrite(target.path.rsplit("/", 1)[-1].lower(), params, body)
            finally:
                # Before the answer goes back: the client's next request cannot come first.
                self.proxy._ended()
            passed = {
                k: v
                for k, v in response.getheaders()
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
            }
            # The log is complete before the answer goes back: a test that reads it as soon
            # as its call returns sees this request's status.
            entry["status"] = response.status
            self._reply(response.status, body, passed)
        except OSError:
            entry["status"] = 502
            self._reply(502, b"Bad Gateway")
        finally:
            origin.close()

    def _reply(self, status: int, body: bytes, headers: dict | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # a client that gave up (a timeout) is expected here


class ForwardProxy:
    """``with ForwardProxy() as proxy: ... proxy.url ... proxy.log``."""

    def __init__(
        self,
        *,
        hang: bool = False,
        hang_after: int | None = None,
        credentials: tuple[str, str] | None = None,
        swaps: dict[str, str] | None = None,
        swap_times: int = 0,
        rewrite=None,
    ):
        self.rewrite = rewrite
        self.hang = hang
        self.hang_after = hang_after
        self.forwarded = 0
        self.credentials = credentials
        self.swaps = dict(swaps or {})
        self.swaps_left = swap_times
        self.log: list[dict] = []
        # Requests forwarded and not yet answered: exact, whatever the machine's load (a
        # request counts from its forwarding until just before its answer is sent back).
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        handler = type("ProxyHandler", (_Handler,), {"proxy": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The proxy URL to configure, credentials included."""
        user = ""
        if self.credentials:
            user = f"{self.credentials[0]}:{self.credentials[1]}@"
        return f"http://{user}127.0.0.1:{self.port}"

    def authorized(self, header: str | None) -> bool:
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        return header == f"Basic {expected}"

    def hangs_now(self) -> bool:
        with self._lock:
            if self.hang or (self.hang_after is not None and self.forwarded >= self.hang_after):
                return True
            self.forwarded += 1
            return False

    def swapped(self, game_id: str | None) -> str | None:
        with self._lock:
            if game_id in self.swaps and self.swaps_left > 0:
                self.swaps_left -= 1
                return self.swaps[game_id]
        return None

    def _started(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _ended(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _record(self, entry: dict) -> None:
        with self._lock:
            self.log.append(entry)

    def arrivals(self) -> list[float]:
        with self._lock:
            return sorted(e["arrived"] for e in self.log)

    def start(self) -> ForwardProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes the hanging handlers
        if self._thread is not None:  # shutdown() waits for serve_forever, started or not
            self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """Most arrivals in any half-open window [t, t + window)."""
    times = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - window:
            first += 1
        most = max(most, last - first + 1)
    return most
