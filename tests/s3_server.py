"""S3 for tests: moto's real HTTP server on loopback, buckets, IAM auth, and a fault proxy.

Reusable from any test module:

    from tests.s3_server import s3_endpoint, s3_bucket  # noqa: F401  (pytest fixtures)

    def test_something(s3_bucket):            # a fresh, empty bucket on the shared server
        root = f"s3://{s3_bucket}/prefix"

`s3_endpoint` (session) starts one ThreadedMotoServer, sets fake credentials and points
Luigi's `[s3] endpoint_url` at it, so the pipeline's shared client speaks HTTP to moto.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import socket
import struct
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import boto3
import luigi
import pyarrow as pa
import pytest
from moto.server import ThreadedMotoServer

from pipeline.app import runtime
from pipeline.lake.parquet import to_parquet_bytes
from pipeline.nba.endpoints import endpoints_for
from pipeline.nba.games import INDEX_SCHEMA, Game

GAME_ENDPOINTS = endpoints_for(2024)  # what a default run of a modern season fetches

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Settings from the developer's shell that would send boto3 elsewhere.
STRAY_ENV = (
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_REGION",
)


def boto_client(endpoint_url: str, **kwargs):
    return boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1", **kwargs)


@contextlib.contextmanager
def use_endpoint(endpoint_url: str | None):
    """Point Luigi's [s3] endpoint_url (hence the pipeline's shared client) somewhere."""
    config = luigi.configuration.get_config()
    previous = config.get("s3", "endpoint_url", None)
    _set_endpoint(endpoint_url)
    runtime.reset()
    try:
        yield endpoint_url
    finally:
        _set_endpoint(previous)
        runtime.reset()


def _set_endpoint(url: str | None) -> None:
    config = luigi.configuration.get_config()
    if url is None:
        if config.has_section("s3"):
            config.remove_option("s3", "endpoint_url")
    else:
        config.set("s3", "endpoint_url", url)


@contextlib.contextmanager
def moto_s3():
    """A moto S3 server on 127.0.0.1: yields (endpoint_url, boto3 client)."""
    saved = {k: os.environ.get(k) for k in (*FAKE_ENV, *STRAY_ENV)}
    os.environ.update(FAKE_ENV)
    for key in STRAY_ENV:
        os.environ.pop(key, None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        with use_endpoint(url):
            yield url, boto_client(url)
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def make_bucket(client, name: str | None = None) -> str:
    name = name or f"lake-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name


def seed_objects(bucket: str, keys, body: bytes = b"x") -> None:
    """Put many objects straight into the in-process moto backend (HTTP PUTs through moto
    manage ~150/s here; this does ~20,000/s). The server serves them like any other."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = get_backend("s3")[DEFAULT_ACCOUNT_ID]["global"]
    for key in keys:
        backend.put_object(bucket, key, body)


@pytest.fixture(scope="session")
def s3_endpoint():
    """(endpoint_url, boto3 client) of the session's moto server."""
    with moto_s3() as served:
        yield served


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A fresh bucket; the pipeline's shared client is rebuilt so each test starts clean."""
    runtime.reset()
    yield make_bucket(s3_endpoint[1])
    runtime.reset()


# --- IAM: moto enforces policies once auth is switched on --------------------------------


def iam_user_keys(endpoint_url: str, statements: list[dict]) -> dict:
    """An IAM user with these policy statements; returns env vars for its access key."""
    iam = boto3.client("iam", endpoint_url=endpoint_url, region_name="us-east-1")
    name = f"user-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="lake",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }


@contextlib.contextmanager
def moto_auth(endpoint_url: str):
    """Make moto check signatures and IAM policies (off again on exit)."""

    def reset_auth(count: str) -> None:
        request = urllib.request.Request(
            f"{endpoint_url}/moto-api/reset-auth",
            data=count.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(request, timeout=10).read()

    reset_auth("0")
    try:
        yield
    finally:
        reset_auth("inf")


# --- faults: a loopback proxy that fails the first N matching requests -------------------


SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
INTERNAL = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
)


class FaultProxy:
    """HTTP proxy to an upstream S3 endpoint. The first len(faults) requests whose method is
    in `methods` get a fault instead of a reply: "500", "503" (SlowDown) or "reset" (the
    connection is reset halfway through reading the request body). Everything else, and
    every request after the faults are used up, is relayed as is.
    """

    def __init__(self, upstream: str, faults: list[str], methods=("PUT",)):
        self.upstream = urlsplit(upstream)
        self.faults = list(faults)
        self.methods = methods
        self.seen: list[tuple[str, str, str]] = []  # (method, path, "relayed" or fault)
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                proxy._handle(self)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _next_fault(self, method: str) -> str | None:
        with self._lock:
            if method in self.methods and self.faults:
                return self.faults.pop(0)
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        method, length = handler.command, int(handler.headers.get("Content-Length") or 0)
        fault = self._next_fault(method)
        self.seen.append((method, handler.path, fault or "relayed"))
        if fault == "reset":
            handler.rfile.read(length // 2)
            # SO_LINGER 0: close() sends RST, like a dropped load balancer connection.
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            handler.close_connection = True
            handler.connection.close()
            return
        body = handler.rfile.read(length) if length else b""
        if fault in ("500", "503"):
            payload = INTERNAL if fault == "500" else SLOW_DOWN
            self._reply(handler, int(fault), {"Content-Type": "application/xml"}, payload)
            return
        upstream = http.client.HTTPConnection(
            self.upstream.hostname, self.upstream.port, timeout=30
        )
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() != "connection"}
            upstream.request(method, handler.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            keep = {
                k: v
                for k, v in response.getheaders()
                if k.lower() not in ("transfer-encoding", "connection", "content-length")
            }
            if method == "HEAD":
                keep["Content-Length"] = response.getheader("Content-Length", "0")
            self._reply(handler, response.status, keep, data, head=method == "HEAD")
        finally:
            upstream.close()

    @staticmethod
    def _reply(handler, status: int, headers: dict, data: bytes, head: bool = False) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        if not head:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if not head:
            handler.wfile.write(data)


# --- a simulated season: the objects completeness looks at --------------------------------


def simulated_games(count: int = 1320, season: str = "2024-25") -> list[Game]:
    """`count` games spread over a season: regular season Oct-Apr, then playoffs Apr-Jun."""
    start = dt.date(int(season[:4]), 10, 22)
    games = []
    for n in range(count):
        regular = n < 1230
        game_id = f"002{season[2:4]}{n + 1:05d}" if regular else f"004{season[2:4]}{n:05d}"
        day = start + dt.timedelta(days=n * 174 // 1230 if regular else 180 + (n - 1230) // 2)
        games.append(
            Game(
                game_id=game_id,
                season=season,
                season_type="Regular Season" if regular else "Playoffs",
                game_date=day.isoformat(),
                month=day.month,
                home_team_id=1610612739,
                away_team_id=1610612741,
            )
        )
    return games


def write_game_index(lake, games: list[Game], season: str = "2024-25") -> None:
    rows = [{**vars(g), "home_team": "CLE", "away_team": "CHI"} for g in games]
    table = pa.Table.from_pylist(rows, schema=INDEX_SCHEMA)
    lake.write_bytes(lake.layout.game_index(season), to_parquet_bytes(table, {"season": season}))


def write_era_verdicts(lake, season: str = "2024-25") -> None:
    """What a complete run leaves beside its data: the verdict of each uncertain era of the
    season's game endpoints (here: recorded), so the work model lists every game for it."""
    from pipeline.core.seasons import season_year
    from pipeline.model.eras import Learned

    learned = Learned(lake, season)
    for endpoint in GAME_ENDPOINTS:
        if endpoint.era.uncertain(season_year(season)):
            learned.write(endpoint, True, [])


def season_keys(lake, games: list[Game], *, raw: bool = True) -> list[str]:
    """Bucket keys of every table file (and raw body) the season's game endpoints write."""
    from pipeline.lake.s3.store import split
    from pipeline.model.ingest import game_item, raw_path, table_paths

    bucket_prefix = len(f"s3://{split(lake.root)[0]}/")
    keys = []
    for endpoint in GAME_ENDPOINTS:
        for game in games:
            item = game_item(game)
            keys += [path[bucket_prefix:] for path, _ in table_paths(lake, endpoint, item)]
            if raw:
                keys.append(raw_path(lake, endpoint, item)[bucket_prefix:])
    return keys
