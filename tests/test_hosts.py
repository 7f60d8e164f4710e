"""Several hosts, one command each (issues 14 and 22): luigid on loopback and worker hosts,
each going out through its own loopback proxy, all running the same command on an empty lake.

Who gets which task is luigid's choice, so the tests make the interleaving they need on
purpose: the first host's answers are held back (by its proxy) until the second host has
done what the test is about (fetched a game, or said it has no API slot). Nothing here
depends on how fast the machine is.
"""

from __future__ import annotations

import contextlib
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
from tests.runner import requests_in, why
from tests.test_luigid import start_luigid

NBA_BACKFILL = pathlib.Path(sys.executable).parent / "nba-backfill"
WORKERS = 2
# Three days: about 30 games x 4 endpoints, one batch an endpoint (FetchTask's batches
# hold up to 50): a host's two workers take two batches, and leave two to another host.
SCOPE = ["--season", "2024-25", "--start-date", "2024-11-01", "--end-date", "2024-11-03"]
SCOPE += ["--no-player-info", "--no-team-info", "--workers", str(WORKERS)]
COMMANDS = {
    "nba-backfill": [str(NBA_BACKFILL), "run", *SCOPE],
    "luigi": [sys.executable, "-m", "luigi", "--module", "pipeline", "SeasonBackfill", *SCOPE],
}
GAME_APIS = {e.api_name for e in endpoints.endpoints_for(2024)}
SLOT_MESSAGE = "this host has API tasks waiting but no nba_api slot"
HOLD_AT_MOST_SECONDS = 120  # a safety net: each hold ends on an event


@contextlib.contextmanager
def luigid_for(tmp, nba_api: int):
    # A dead host's tasks go back to the others within seconds, not Luigi's minutes: luigid
    # prunes on every request for work, so it notices a dead host after the disconnect delay.
    scheduler = "worker_disconnect_delay = 3\nretry_delay = 2\nretry_count = 5\n"
    scheduler += "prune_on_get_work = true"
    (tmp / "luigid").mkdir()
    yield from start_luigid(tmp / "luigid", nba_api=nba_api, scheduler=scheduler)


def start_host(name, command, *, port, proxy, sim, lake, tmp) -> subprocess.Popen:
    """One host: the same command as the others, its own egress and its own limiter."""
    home = tmp / name
    home.mkdir()
    (home / "luigi.cfg").write_text(
        f"[nba]\nlimiter_state_path = {home / 'limiter.sqlite'}\n"
        "[worker]\nmax_keep_alive_idle_duration = 60 seconds\nwait_interval = 0.5\n"
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
        LOG_FORMAT="text",
        PYTHONUNBUFFERED="1",
    )
    where = ["--scheduler-host", "127.0.0.1", "--scheduler-port", str(port)]
    output = (home / "output.txt").open("w")
    return subprocess.Popen(
        [*command, *where],
        cwd=home,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def game_requests(proxy: ForwardProxy) -> list[tuple[str, str]]:
    return [
        (e["endpoint"], e["params"]["GameID"])
        for e in proxy.log
        if e["endpoint"] in GAME_APIS and e["status"] == 200
    ]


def output(tmp, name) -> str:
    path = tmp / name / "output.txt"
    return path.read_text() if path.exists() else ""


def wait_until(condition, seconds: float = HOLD_AT_MOST_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def holding(until):
    """A proxy rewrite that holds each game answer back until `until()` holds."""

    def hold(endpoint, params, body):
        if endpoint in GAME_APIS:
            wait_until(until)
        return body

    return hold


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
        COMMANDS["nba-backfill"], cwd=tmp, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, why(done)
    return len(requests_in(tmp / "sim.jsonl")) - before


def run_hosts(tmp, nba_api, command, names, *, holds=None, kill=None, seen=None):
    """luigid, then the hosts in order, each once the lake has its game index (so that each
    host lists the season's work, whichever command it runs); wait for them all. holds:
    host -> condition its game answers are held back until."""
    lake = tmp / "lake"
    holds = holds or {}
    with (
        luigid_for(tmp, nba_api) as luigid,
        SimServer(port=0, seed=9, latency_ms="20", request_log=str(tmp / "sim.jsonl")) as sim,
    ):
        proxies = {
            name: ForwardProxy(rewrite=holding(holds[name]) if name in holds else None).start()
            for name in names
        }
        if seen is not None:
            seen.update(proxies)  # for the holds' conditions
        hosts = {}
        try:
            for name in names:
                hosts[name] = start_host(
                    name, command, port=luigid["port"], proxy=proxies[name], sim=sim, lake=lake,
                    tmp=tmp,
                )  # fmt: skip
                indexed = wait_until(lambda: (lake / "games").exists(), 120)
                assert indexed, output(tmp, names[0])
            if kill:  # once the host has fetched a few games, as if its machine died
                wait_until(lambda: len(game_requests(proxies[kill])) >= 5)
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


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_two_hosts_share_a_season_and_each_exits_0(tmp_path, command):
    """luigid's cap is hosts x workers. The first host's answers are held until the second
    host has fetched a game: each host is useful, however luigid hands out the work."""
    names = ("host-a", "host-b")
    seen: dict[str, ForwardProxy] = {}

    def second_host_fetched() -> bool:
        return bool(seen) and bool(game_requests(seen["host-b"]))

    codes, proxies, left = run_hosts(
        tmp_path,
        len(names) * WORKERS,
        COMMANDS[command],
        names,
        holds={"host-a": second_host_fetched},
        seen=seen,
    )
    outputs = {n: output(tmp_path, n)[-3000:] for n in names}
    assert codes == {"host-a": 0, "host-b": 0}, (codes, outputs)  # the lake is complete
    fetched = {name: game_requests(proxy) for name, proxy in proxies.items()}
    assert all(fetched.values()), {n: len(f) for n, f in fetched.items()}  # both worked
    every = Counter(pair for pairs in fetched.values() for pair in pairs)
    assert max(every.values()) == 1, every.most_common(3)  # each (endpoint, game) once
    assert {e for e, _ in every} == GAME_APIS
    assert left == 0  # a rerun asks for nothing
    assert not any(SLOT_MESSAGE in o for o in outputs.values()), outputs


def test_a_host_without_an_api_slot_says_why_once(tmp_path):
    """luigid's cap is one host's workers: the first host holds every slot (its answers are
    held back) until the second, idle host has said why, with the fix."""
    names = ("host-a", "host-b")
    codes, proxies, left = run_hosts(
        tmp_path,
        WORKERS,
        COMMANDS["nba-backfill"],
        names,
        holds={"host-a": lambda: SLOT_MESSAGE in output(tmp_path, "host-b")},
    )
    said = output(tmp_path, "host-b")
    assert said.count(SLOT_MESSAGE) == 1, said[-3000:]
    line = next(line for line in said.splitlines() if SLOT_MESSAGE in line)
    assert f"allows nba_api = {WORKERS} at once" in line and "2 workers wait" in line, line
    assert f"nba_api = {len(names) * WORKERS} (2 hosts x their --workers)" in line, line
    assert codes == {"host-a": 0, "host-b": 0}, codes
    assert left == 0


def test_a_host_that_dies_leaves_its_work_to_the_others(tmp_path):
    """The first host's answers are held until the second has fetched a few games; then the
    second is killed, mid-batch, and the first finishes the season, its batch included."""
    names = ("host-a", "host-b")
    seen: dict[str, ForwardProxy] = {}

    def second_host_working() -> bool:
        return bool(seen) and len(game_requests(seen["host-b"])) >= 5

    codes, proxies, left = run_hosts(
        tmp_path,
        len(names) * WORKERS,
        COMMANDS["nba-backfill"],
        names,
        holds={"host-a": second_host_working},
        kill="host-b",
        seen=seen,
    )
    assert codes == {"host-a": 0, "host-b": -signal.SIGKILL}, codes
    assert left == 0  # the first host finished the season
    assert len(game_requests(proxies["host-b"])) >= 5
