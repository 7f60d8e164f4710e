"""A small lake landed by the real graph from the simulator, for the compaction and query
tests: two days of 2024-25, where the API adds a column to CommonPlayerInfo between them.

    from tests.sim_lake import sim_lake  # noqa: F401  (pytest fixture)

The added column comes from a real HTTP proxy in front of the simulator that adds it to
every commonplayerinfo body once switched on: the pipeline meets it as it would meet a
column stats.nba.com starts sending mid-season.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pathlib
import shutil
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.sim.server import SimServer
from tests.runner import luigi_cli, why

SEASON = "2024-25"
# The simulator's (seed 7) first two days: 10 games, then 5. Its "today" is the day after:
# every game of those two days is final, later ones are not yet played.
FIRST_DAY, LAST_DAY, TODAY = "2024-10-23", "2024-10-24", "2024-10-25"
ADDED = ("CLUTCH_PCT", 0.5)  # a column the API starts sending (a *_PCT: typed double)


def days(start: str, end: str, *extra: str) -> list[str]:
    return [
        "SeasonBackfill",
        "--season",
        SEASON,
        "--start-date",
        start,
        "--end-date",
        end,
        "--workers",
        "2",
        *extra,
    ]


class AddedColumnApi:
    """stats.nba.com as the simulator answers it, except that once `adding` is set every
    CommonPlayerInfo row carries one more column. nba_api talks to it over HTTP."""

    def __init__(self, sim: SimServer):
        self.sim = sim
        self.adding = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                try:
                    answer = urllib.request.urlopen(api.sim.url + self.path, timeout=60)
                except urllib.error.HTTPError as error:  # relayed as it is
                    answer = error
                with answer:
                    body, status = answer.read(), answer.status
                    content_type = answer.headers.get("Content-Type", "application/json")
                if api.adding and self.path.startswith("/stats/commonplayerinfo"):
                    body = api.add_column(body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @staticmethod
    def add_column(body: bytes) -> bytes:
        decoded = json.loads(body)
        for result in decoded.get("resultSets", []):
            if result["name"] == "CommonPlayerInfo":
                result["headers"].append(ADDED[0])
                for row in result["rowSet"]:
                    row.append(ADDED[1])
        return json.dumps(decoded).encode()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/stats/{{endpoint}}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def built_once(tmp_path_factory, name: str):
    """A folder built once per test run, even across xdist's worker processes (each has a
    session of its own): the first to take the lock builds it, the others wait and reuse
    it. Yields (folder, built already?); the folder counts as built once the block ends."""
    own = tmp_path_factory.getbasetemp()
    shared = own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own
    folder = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".built"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way
            folder.mkdir()
            yield folder, False
            done.touch()
        else:
            yield folder, True


@pytest.fixture(scope="session")
def sim_lake(tmp_path_factory) -> pathlib.Path:
    """The first day landed, then the API adds a column, then the second day landed."""
    with built_once(tmp_path_factory, "sim-lake") as (tmp, built):
        if not built:
            land_sim_lake(tmp)
    return tmp / "lake"


def land_sim_lake(tmp: pathlib.Path) -> None:
    lake = tmp / "lake"
    with SimServer(port=0, seed=7, today=TODAY) as sim, AddedColumnApi(sim) as api:
        first = luigi_cli(days(FIRST_DAY, FIRST_DAY), lake=lake, sim=api, tmp=tmp)
        assert first.returncode == 0, why(first)
        api.adding = True
        second = luigi_cli(days(FIRST_DAY, LAST_DAY), lake=lake, sim=api, tmp=tmp)
        assert second.returncode == 0, why(second)
        assert "fetched 0," not in second.stderr
