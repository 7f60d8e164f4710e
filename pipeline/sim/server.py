"""The HTTP side: a threading http.server that answers /stats/<endpoint> like stats.nba.com."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .bodies import Reply, Responder
from .faults import FaultDrawer, FaultSpec, Latency, Throttle
from .league import League
from .replay import ReplayResponder

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your "
    "request. Please try again later.</p></body></html>"
)
STATUS_BODY = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class RequestLog:
    """JSON lines, one per request, flushed at once; safe to share between threads."""

    def __init__(self, path: str | None):
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115
        self._lock = threading.Lock()

    def write(self, entry: dict) -> None:
        if self._file is None:
            return
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            if not self._file.closed:
                self._file.write(line)
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its CDN
    server_version = "Microsoft-IIS/10.0"
    sim: SimServer  # set on the subclass made per server

    def log_message(self, format, *args):  # noqa: A002 - quiet: we keep our own log
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK stall every keep-alive response by about 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sim._connections.add(self.connection)

    def finish(self):
        # The client (or a 'reset' fault) may have closed the socket first.
        with contextlib.suppress(OSError):
            super().finish()
        self.sim._connections.discard(self.connection)

    def do_GET(self):  # noqa: N802 - http.server's naming
        with self.sim._in_flight_lock:
            self.sim._in_flight += 1
        try:
            self._handle_get()
        finally:
            with self.sim._in_flight_lock:
                self.sim._in_flight -= 1

    def _handle_get(self):
        self._started = time.monotonic()
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        parts = [p for p in split.path.split("/") if p]
        endpoint = parts[1].lower() if len(parts) == 2 and parts[0] == "stats" else split.path
        self._entry = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "endpoint": endpoint,
            "params": params,
            "status": None,
            "latency_ms": None,
            "fault": None,
        }
        self._fault = None
        try:
            status, fault = self._serve(
                endpoint, params, is_stats=len(parts) == 2 and parts[0] == "stats"
            )
        except (BrokenPipeError, ConnectionResetError) as error:  # the client gave up first
            status, fault = None, None  # it got no answer
            self._note_error(error)
            self.close_connection = True
        except Exception as error:  # never let one request take the server down
            status, fault = 500, None
            self._note_error(error)
            with contextlib.suppress(OSError):
                self._send(500, "Internal Server Error", TEXT_TYPE)
        if self._entry is not None:  # no answer went out (a hang, a reset, a client gone)
            self._log(status, fault)

    def _note_error(self, error: Exception) -> None:
        if self._entry is not None:  # else its line went out with the answer's headers
            self._entry["error"] = repr(error)

    def _log(self, status, fault) -> None:
        entry, self._entry = self._entry, None
        entry["status"], entry["fault"] = status, fault
        entry["latency_ms"] = round((time.monotonic() - self._started) * 1000, 2)
        self.sim.request_log.write(entry)

    def _serve(self, endpoint, params, is_stats):
        sim = self.sim
        if sim.throttle.over_limit():
            self._hang()
            return None, "throttle"
        delay = sim.latency.draw_ms(endpoint) / 1000
        if delay > 0:
            sim._stopping.wait(delay)
        if not is_stats:
            self._send(404, "The requested resource does not exist.", TEXT_TYPE)
            return 404, None
        fault = self._fault = sim.faults.transient(endpoint) if sim.faults.spec else None
        if fault in ("hang", "reset"):
            self._hang() if fault == "hang" else self._reset()
            return None, fault
        if fault in ("429", "500", "502", "503", "504"):
            status = int(fault)
            headers = {"Retry-After": str(sim.retry_after)} if status == 429 else {}
            self._send(status, STATUS_BODY[status], TEXT_TYPE, headers)
            return status, fault
        if fault == "html":
            status = sim.faults.html_status()
            self._send(status, HTML_ERROR_PAGE, HTML_TYPE)
            return status, fault
        if fault == "error_message":
            self._send(500, '{"Message":"An error has occurred."}', JSON_TYPE)
            return 500, fault
        reply = sim.responder.answer(endpoint, params)
        sticky = sim.faults.sticky(endpoint, reply.entity) if reply.status == 200 else None
        self._fault = sticky or fault
        if sticky == "notfound":
            self._send(404, f"No data found for {reply.entity}.", TEXT_TYPE)
            return 404, sticky
        if sticky == "empty":
            self._send(200, "{}", JSON_TYPE)
            return 200, sticky
        body = self._encode(reply)
        if fault == "truncated":
            body = body[: max(1, len(body) // 2)]
        content_type = JSON_TYPE if reply.is_json else TEXT_TYPE
        self._send(reply.status, body, content_type)
        return reply.status, fault

    @staticmethod
    def _encode(reply: Reply) -> str:
        if reply.is_json:
            return json.dumps(reply.body, ensure_ascii=False, separators=(",", ":"))
        return reply.body

    def _send(self, status: int, body: str | bytes, content_type: str, headers=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        if "gzip" in (self.headers.get("Accept-Encoding") or "") and len(data) > 0:
            data = gzip.compress(data, compresslevel=4)
            headers = {**(headers or {}), "Content-Encoding": "gzip"}
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self._entry is not None:
            # Logged before the body goes out: whoever reads the log once its answer has
            # arrived finds this request in it, whatever the machine's load.
            self._log(status, self._fault)
        self.wfile.write(data)

    def _hang(self):
        """Say nothing for hang_seconds (longer than the client's timeout), then drop."""
        self.sim._stopping.wait(self.sim.hang_seconds)
        self.close_connection = True

    def _reset(self):
        """Close abruptly with no response: SO_LINGER 0 makes the kernel send a RST."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()


class _ThreadingServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # a dropped client is not our problem; the request log has the story


class SimServer:
    """stats.nba.com stand-in. ``with SimServer(port=0) as sim: ... sim.base_url``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        faults: str | FaultSpec | None = None,
        latency_ms: str | float | None = None,
        request_log: str | None = None,
        today: dt.date | str | None = None,
        throttle: str | None = None,
        hang_seconds: float = 5.0,
        fault_seed: int | None = None,
        retry_after: int = 1,
        corrections: dict[str, dt.date | str] | None = None,
        recorded: str | None = None,
    ):
        if isinstance(today, str):
            today = dt.date.fromisoformat(today)
        self.host = host
        self.seed = seed
        self.league = League(seed, today)
        self.responder = (
            ReplayResponder(self.league, recorded, corrections=corrections)
            if recorded
            else Responder(self.league, corrections=corrections)
        )
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        self.faults = FaultDrawer(spec, seed if fault_seed is None else fault_seed)
        self.latency = Latency(latency_ms, seed)
        self.throttle = Throttle(throttle)
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self.request_log = RequestLog(request_log)
        self._stopping = threading.Event()
        self._connections: set = set()
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        handler = type("SimHandler", (_Handler,), {"sim": self})
        self._httpd = _ThreadingServer((host, port), handler)
        self.port = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """In nba_api's format, for ``NBAStatsHTTP.base_url``."""
        return f"{self.url}/stats/{{endpoint}}"

    def start(self) -> SimServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sim-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self._stopping.set()  # wakes hung requests and latency sleeps
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        # Let woken requests write their log line (at once, unless the machine is busy).
        deadline = time.monotonic() + 5.0
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.request_log.close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
