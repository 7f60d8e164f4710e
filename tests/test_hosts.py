"""Several hosts, one command each (issue 14): luigid on loopback and three worker hosts,
each going out through its own loopback proxy, all running the same `nba-backfill run`."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from pipeline.nba import endpoints
from pipeline.sim.server import SimServer
from tests.proxies import ForwardProxy
from tests.runner import requests_in
from tests.test_luigid import start_luigid

NBA_BACKFILL = pathlib.Path(sys.executable).parent / "nba-backfill"
HOSTS = ("host-a", "host-b", "host-c")
# November: about 220 games x 4 endpoints, in batches of up to 50 (FetchTask), so that
# luigid has work for every host.
COMMAND = ["run", "--season", "2024-25", "--start-date", "2024-11-01", "--end-date"]
COMMAND += ["2024-11-30", "--no-player-info", "--no-team-info", "--workers", "2"]
# A host's exit code is Luigi's view from that host: tasks that other hosts ran count as
# "not run" (3) or "run by another worker" (6). The lake is the authority (a rerun).
HOST_CODES = {0, 3, 6}
GAME_APIS = {e.api_name for e in endpoints.endpoints_for(2024)}


@pytest.fixture
def luigid(tmp_path):
    # A dead host's tasks go back to the others within seconds, not Luigi's minutes.
    scheduler = "worker_disconnect_delay = 3\nretry_delay = 2\nretry_count = 5"
    (tmp_path / "luigid").mkdir()
    yield from start_luigid(tmp_path / "luigid", nba_api=2 * len(HOSTS), scheduler=scheduler)


def start_host(name, *, port, proxy, sim, lake, tmp) -> subprocess.Popen:
    """One host: the same command as the others, its own egress and its own limiter."""
    home = tmp / name
    home.mkdir()
    (home / "luigi.cfg").write_text(
        f"[nba]\nlimiter_state_path = {home / 'limiter.sqlite'}\n"
        # luigid notices a dead host when it prunes, once a minute: wait longer than that.
        "[worker]\nmax_keep_alive_idle_duration = 150 seconds\nwait_interval = 0.5\n"
        # Luigi's lock (the same command twice on one machine) is per machine: hosts here
        # share one, so each gets its own.
        f"[core]\nlock_pid_dir = {home / 'pids'}\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALERT_", "BACKFILL_", "LOG_", "DRY_RUN", "LUIGI_CONFIG"))
    }
    env.update(
        LAKE_ROOT=str(lake),
        NBA_API_BASE_URL=sim.base_url,
        NBA_API_PROXIES=proxy.url,
        NBA_RATE_LIMIT_SECONDS="0",
        LUIGI_CONFIG_PATH=str(home / "luigi.cfg"),
        PYTHONUNBUFFERED="1",
    )
    command = [
        str(NBA_BACKFILL),
        *COMMAND,
        "--scheduler-host",
        "127.0.0.1",
        "--scheduler-port",
        str(port),
    ]
    output = (home / "output.txt").open("w")
    return subprocess.Popen(
        command, cwd=home, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )


def game_requests(proxy: ForwardProxy) -> list[tuple[str, str]]:
    return [
        (e["endpoint"], e["params"]["GameID"])
        for e in proxy.log
        if e["endpoint"] in GAME_APIS and e["status"] == 200
    ]


def rerun_requests(sim, lake, tmp) -> int:
    """A rerun of the same command on one machine, local scheduler: what is left to do."""
    before = len(requests_in(tmp / "sim.jsonl"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BACKFILL_")},
        "LAKE_ROOT": str(lake),
        "NBA_API_BASE_URL": sim.base_url,
        "NBA_RATE_LIMIT_SECONDS": "0",
    }
    env.pop("NBA_API_PROXIES", None)
    done = subprocess.run(
        [str(NBA_BACKFILL), *COMMAND], cwd=tmp, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return len(requests_in(tmp / "sim.jsonl")) - before


def run_hosts(tmp, luigid, *, kill: str | None = None):
    lake = tmp / "lake"
    with SimServer(port=0, seed=9, latency_ms="40", request_log=str(tmp / "sim.jsonl")) as sim:
        proxies = {name: ForwardProxy().start() for name in HOSTS}
        hosts = {
            name: start_host(
                name, port=luigid["port"], proxy=proxies[name], sim=sim, lake=lake, tmp=tmp
            )
            for name in HOSTS
        }
        try:
            if kill:  # once the host has fetched a few games, as if its machine died
                deadline = time.time() + 120
                while len(game_requests(proxies[kill])) < 5 and time.time() < deadline:
                    time.sleep(0.05)
                os.killpg(hosts[kill].pid, signal.SIGKILL)
            codes = {name: proc.wait(timeout=300) for name, proc in hosts.items()}
        finally:
            for proc in hosts.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
            for proxy in proxies.values():
                proxy.stop()
        left = rerun_requests(sim, lake, tmp)
    return codes, proxies, left


def test_the_same_command_on_three_hosts_shares_the_season(tmp_path, luigid):
    codes, proxies, left = run_hosts(tmp_path, luigid)
    outputs = {n: (tmp_path / n / "output.txt").read_text() for n in HOSTS}
    assert set(codes.values()) <= HOST_CODES, (codes, {n: o[-2000:] for n, o in outputs.items()})
    fetched = {name: game_requests(proxy) for name, proxy in proxies.items()}
    assert all(fetched.values()), {n: len(f) for n, f in fetched.items()}  # every host worked
    every = Counter(pair for pairs in fetched.values() for pair in pairs)
    assert max(every.values()) == 1, every.most_common(3)  # each (endpoint, game) once
    assert {e for e, _ in every} == GAME_APIS
    assert left == 0  # the lake is complete: a rerun asks for nothing


def test_a_host_that_dies_leaves_its_work_to_the_others(tmp_path, luigid):
    codes, proxies, left = run_hosts(tmp_path, luigid, kill="host-c")
    assert codes["host-c"] == -signal.SIGKILL
    assert all(code in HOST_CODES for name, code in codes.items() if name != "host-c"), codes
    assert left == 0  # the others finished the season
    others = sum(len(game_requests(proxies[n])) for n in ("host-a", "host-b"))
    assert others > 0 and game_requests(proxies["host-c"])
