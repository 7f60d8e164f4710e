"""A backfill through luigid on loopback: the task graph and progress through its API."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

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


@pytest.fixture(scope="module")
def luigid(tmp_path_factory):
    if not LUIGID.exists():
        pytest.skip("luigid not installed")
    tmp = tmp_path_factory.mktemp("luigid")
    cfg = tmp / "luigid.cfg"
    cfg.write_text(f"""
[resources]
nba_api = 2
[scheduler]
record_task_history = true
state_path = {tmp / 'state.pickle'}
[task_history]
db_connection = sqlite:///{tmp / 'history.sqlite'}
""")
    port = free_port()
    env = {**os.environ, "LUIGI_CONFIG_PATH": str(cfg)}
    proc = subprocess.Popen([str(LUIGID), "--port", str(port), "--address", "127.0.0.1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    yield {"port": port, "tmp": tmp}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def run(luigid, sim, tmp_path_factory):  # noqa: F811
    tmp = tmp_path_factory.mktemp("lrun")
    result = backfill(tmp, sim, "--no-play-by-play", "--workers", "2",
                      "--scheduler-host", "127.0.0.1", "--scheduler-port", str(luigid["port"]),
                      local=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_graph_through_luigid(luigid, run):
    done = api(luigid["port"], "task_list", {"status": "DONE"})
    families = sorted(t["name"] for t in done.values())
    assert families.count("SeasonBackfill") == 1 and "DiscoverGames" in families
    assert families.count("GameEndpoint") >= 3  # batched by the scheduler
    graph = api(luigid["port"], "graph")
    season_id = next(k for k, t in done.items() if t["name"] == "SeasonBackfill")
    assert set(graph[season_id]["deps"]) or season_id in graph
    assert (luigid["tmp"] / "history.sqlite").exists()


def test_season_progress_visible(luigid, run):
    """Needs observe.report_progress(self, state) in SeasonBackfill.run (see the report)."""
    done = api(luigid["port"], "task_list", {"status": "DONE"})
    season_id = next(k for k, t in done.items() if t["name"] == "SeasonBackfill")
    message = api(luigid["port"], "get_task_status_message", {"task_id": season_id})
    assert "pairs done" in (message.get("statusMessage") or "")
    progress = api(luigid["port"], "get_task_progress_percentage", {"task_id": season_id})
    assert progress.get("progressPercentage") is not None
