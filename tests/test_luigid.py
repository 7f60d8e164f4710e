"""A backfill through luigid on loopback: the task graph and progress through its API."""

from __future__ import annotations

import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter

import pytest

from pipeline.nba import endpoints
from pipeline.sim.server import SimServer
from tests.proxies import ForwardProxy
from tests.runner import REPO, luigi_cli, requests_in, why
from tests.test_observe import backfill, sim  # noqa: F401 - the shared simulator fixture

LUIGID = pathlib.Path(sys.executable).parent / "luigid"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port: int, method: str, data: dict | None = None):
    query = "?data=" + urllib.parse.quote(json.dumps(data)) if data is not None else ""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/api/{method}{query}", timeout=10) as resp:
        return json.loads(resp.read())["response"]


def start_luigid(tmp: pathlib.Path, nba_api: int, scheduler: str = ""):
    """luigid on loopback with its own config: [resources] counts only here."""
    if not LUIGID.exists():
        pytest.skip("luigid not installed")
    cfg = tmp / "luigid.cfg"
    cfg.write_text(f"""
[resources]
nba_api = {nba_api}
[scheduler]
record_task_history = true
state_path = {tmp / "state.pickle"}
{scheduler}
[task_history]
db_connection = sqlite:///{tmp / "history.sqlite"}
""")
    port = free_port()
    env = {**os.environ, "LUIGI_CONFIG_PATH": str(cfg)}
    proc = subprocess.Popen(
        [str(LUIGID), "--port", str(port), "--address", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 20
    while True:
        try:
            api(port, "task_list", {"status": "DONE"})
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("luigid did not start")
            time.sleep(0.2)
    try:
        yield {"port": port, "tmp": tmp}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def luigid(tmp_path_factory):
    yield from start_luigid(tmp_path_factory.mktemp("luigid"), nba_api=2)


@pytest.fixture(scope="module")
def run(luigid, sim, tmp_path_factory):  # noqa: F811
    tmp = tmp_path_factory.mktemp("lrun")
    result = backfill(
        tmp,
        sim,
        "--no-play-by-play",
        "--workers",
        "2",
        "--scheduler-host",
        "127.0.0.1",
        "--scheduler-port",
        str(luigid["port"]),
        local=False,
    )
    assert result.returncode == 0, why(result)
    return result


def test_graph_through_luigid(luigid, run):
    done = api(luigid["port"], "task_list", {"status": "DONE"})
    families = sorted(t["name"] for t in done.values())
    assert families.count("SeasonBackfill") == 1 and "DiscoverGames" in families
    assert families.count("GameEndpoint") >= 3
    # No batches under luigid (pipeline/tasks/hosts.py): each task is one game's endpoint.
    keys = [t["params"]["key"] for t in done.values() if t["name"] == "GameEndpoint"]
    assert keys and all("," not in key for key in keys), keys
    graph = api(luigid["port"], "graph")
    season_id = next(k for k, t in done.items() if t["name"] == "SeasonBackfill")
    assert set(graph[season_id]["deps"]) or season_id in graph
    assert (luigid["tmp"] / "history.sqlite").exists()


def test_season_progress_visible(luigid, run):
    """Needs observe.report_progress(self, work) in SeasonBackfill.run (see the report)."""
    done = api(luigid["port"], "task_list", {"status": "DONE"})
    season_id = next(k for k, t in done.items() if t["name"] == "SeasonBackfill")
    message = api(luigid["port"], "get_task_status_message", {"task_id": season_id})
    assert "games " in (message.get("statusMessage") or "")
    assert " done; " in message["statusMessage"]
    progress = api(luigid["port"], "get_task_progress_percentage", {"task_id": season_id})
    assert progress.get("progressPercentage") is not None


# --- several hosts: one luigid, two worker processes, one global resource -----------------

# Each "host" backfills its own slice of the season (same season, same lake), and the two
# slices share the play-by-play of 2024-10-25: luigid must run each of those tasks once.
# luigid hands a task only to a worker that scheduled it; box scores only in host-a's slice
# and summaries only in host-b's give each host work of its own. (Luigi's batches, off under
# luigid, would put the other host's queued tasks in one: pipeline/tasks/hosts.py.)
SLICES = {  # host: first day, last day, dataset left out
    "host-a": ("2024-10-24", "2024-10-25", "game_summary"),
    "host-b": ("2024-10-25", "2024-10-26", "box_scores"),
}
GLOBAL_LIMIT = 1  # luigid's [resources] nba_api for the test below


def slice_args(host: str) -> list[str]:
    first, last, off = SLICES[host]
    return [
        "SeasonBackfill",
        "--season",
        "2024-25",
        "--start-date",
        first,
        "--end-date",
        last,
        f"--no-{off.replace('_', '-')}",
        "--no-player-info",
        "--no-team-info",
    ]


@pytest.fixture(scope="module")
def luigid_one(tmp_path_factory):
    """A second luigid whose resource is the binding constraint: one API task at a time."""
    yield from start_luigid(tmp_path_factory.mktemp("luigid1"), nba_api=GLOBAL_LIMIT)


def start_host(name: str, *, port: int, lake, server, proxy, tmp) -> subprocess.Popen:
    """One worker host: its own limiter file and log, only luigid in common with the other."""
    home = tmp / name
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALERT_", "BACKFILL_", "LOG_", "DRY_RUN", "LUIGI_CONFIG"))
    }
    env.update(
        {
            "LAKE_ROOT": str(lake),
            "NBA_API_BASE_URL": server.base_url,
            "NBA_API_PROXIES": proxy.url,
            "NBA_RATE_LIMIT_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
            "LOG_FORMAT": "text",
            "LOG_VERBOSE": "1",  # a line per item fetched: the test counts them
        }
    )
    command = [
        sys.executable,
        "-m",
        "luigi",
        "--module",
        "pipeline",
        *slice_args(name),
        "--workers",
        "2",
        "--scheduler-host",
        "127.0.0.1",
        "--scheduler-port",
        str(port),
        "--nba-limiter-state-path",
        str(home / "limiter.sqlite"),
        # A host whose own tasks wait for the one API slot (held by the other host's batches,
        # long on a loaded machine) must not give up on them: idle means nothing to wait for.
        "--worker-max-keep-alive-idle-duration",
        "180 seconds",
        "--worker-wait-jitter",
        "1",
    ]
    output = (home / "output.txt").open("w")
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
    )


def test_two_hosts_share_one_luigid_resource(luigid_one, tmp_path):
    log, lake = tmp_path / "requests.jsonl", tmp_path / "lake"
    # 50 ms per request, so that unco-ordinated hosts would overlap. Both hosts go out
    # through one proxy here, which counts the requests in flight exactly.
    with (
        SimServer(port=0, seed=3, latency_ms="50", request_log=str(log)) as server,
        ForwardProxy() as proxy,
    ):
        hosts = {
            name: start_host(
                name, port=luigid_one["port"], lake=lake, server=server, proxy=proxy, tmp=tmp_path
            )
            for name in SLICES
        }
        try:
            codes = {name: proc.wait(timeout=240) for name, proc in hosts.items()}
        finally:
            for proc in hosts.values():
                if proc.poll() is None:
                    proc.kill()
        outputs = {name: (tmp_path / name / "output.txt").read_text() for name in hosts}
        requests = requests_in(log)
        # The authority: a no-op rerun of each slice on one machine, without luigid.
        for name in SLICES:
            final = luigi_cli(slice_args(name), lake=lake, sim=server, tmp=tmp_path)
            assert final.returncode == 0, why(final)
        extra = [(r["endpoint"], r["params"]) for r in requests_in(log)[len(requests) :]]
        assert extra == [], ("the lake was not complete", extra, outputs)
        games = {g.game_id: g.date.isoformat() for g in server.league.season("2024-25").games}
    # Both hosts fetched, and between them every (game, endpoint) exactly once (each host
    # checks its own slice against the season's game logs, so those are asked for by both).
    game_keys = "|".join(e.key for e in endpoints.endpoints_for(2024))
    fetched = {
        name: len(re.findall(rf"INFO pipeline\.tasks: fetched (?:{game_keys}) ", out))
        for name, out in outputs.items()
    }
    assert all(n > 0 for n in fetched.values()), fetched
    for name, out in outputs.items():
        assert re.search(r"Worker .* done +GameEndpoint\(", out), (name, out[-3000:])
    wanted = {
        (e.api_name, g)
        for first, last, off in SLICES.values()
        for e in endpoints.endpoints_for(2024)
        if e.group != off
        for g, day in games.items()
        if first <= day <= last
    }
    asked = Counter(
        (r["endpoint"], r["params"]["GameID"]) for r in requests if r["params"].get("GameID")
    )
    assert set(asked) == wanted and max(asked.values()) == 1, asked.most_common(3)
    assert sum(fetched.values()) == len(wanted)
    # luigid's resource, not the hosts' separate limiters, kept the global concurrency.
    assert proxy.most_in_flight == GLOBAL_LIMIT
    # Each host's run summary (from the lake) is a success with nothing missing.
    summaries = [json.loads(p.read_text()) for p in (lake / "backfill-state/runs").glob("*")]
    assert len(summaries) == 4  # two hosts and the two reruns
    assert all(s["status"] == "success" and s["lake_state"]["missing"] == 0 for s in summaries), (
        summaries
    )
    # Each host's exit code is the lake's: its slice is complete, whoever fetched it.
    assert codes == {"host-a": 0, "host-b": 0}, (codes, {n: o[-3000:] for n, o in outputs.items()})
