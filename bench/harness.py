"""What the benchmarks share: a simulator in its own process, the real CLI timed with the
peak memory of its process tree, and the request log."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import requests

REPO = pathlib.Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def simulator(log: pathlib.Path | None = None, *extra: str, warm_seasons: tuple = ()):
    """`python -m pipeline.sim` in its own process (as the API is), yielding its base URL.

    warm_seasons: ask for each season's schedule once first. The simulator's first
    leaguegamefinder call simulates every game of the season (5-10 s of the simulator's
    own CPU); the real API has that data ready, so the timed run should not pay for it."""
    command = [sys.executable, "-m", "pipeline.sim", "--today", "2025-07-01", *extra]
    if log:
        command += ["--request-log", str(log)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"(http://\S+)", process.stdout.readline()).group(1)
        for season in warm_seasons:
            requests.get(
                f"{url}/stats/leaguegamefinder",
                timeout=300,
                params={
                    "Season": season,
                    "SeasonType": "Regular Season",
                    "PlayerOrTeam": "T",
                    "LeagueID": "00",
                },
            )
        yield f"{url}/stats/{{endpoint}}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Run:
    seconds: float
    returncode: int
    peak_tree_mb: float  # summed RSS of the CLI's process tree (shared pages counted twice)
    output: str
    peak_process_mb: float = 0.0  # the largest RSS of any one process of the tree
    peak_pss_mb: float = 0.0  # the tree's proportional set size (shared pages split)
    cpu_seconds: float = 0.0  # user + system CPU of the tree (its reaped processes)
    largest: str = ""  # the command line of the largest process, at its peak


def _tree(root_pid: int) -> list[int]:
    """A process and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = pathlib.Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB, from smaps_rollup; (0, 0) once it is gone."""
    try:
        text = pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in text.splitlines()[1:] if ":" in line)
    return (int(fields.get("Rss", "0 kB").split()[0]), int(fields.get("Pss", "0 kB").split()[0]))


def timed(command: list[str], env: dict | None = None, timeout: float = 3600) -> Run:
    """Run a command from the repository, sampling its process tree's memory twice a second
    (summed RSS, the largest process, PSS), and its CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = {"rss": 0, "largest": 0, "pss": 0}
    largest = [""]

    def sample() -> None:
        while process.poll() is None:
            pids = _tree(process.pid)
            memory = [_memory_kb(pid) for pid in pids]
            peak["rss"] = max(peak["rss"], sum(r for r, _ in memory))
            peak["pss"] = max(peak["pss"], sum(p for _, p in memory))
            rss, pid = max(
                ((r, pid) for (r, _), pid in zip(memory, pids, strict=True)), default=(0, 0)
            )
            if rss > peak["largest"]:
                peak["largest"], largest[0] = rss, _command(pid)
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate(timeout=timeout)
    seconds = time.perf_counter() - started
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    mb = {k: v / 1024 for k, v in peak.items()}
    return Run(
        seconds, process.returncode, mb["rss"], output, mb["largest"], mb["pss"], cpu, largest[0]
    )


def _command(pid: int) -> str:
    try:
        raw = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:120]


def luigi_command(*args: str) -> list[str]:
    # --no-lock: another run of the same command line (another benchmark on a shared
    # machine) must not make this one exit at once.
    return [sys.executable, "-m", "luigi", *args, "--local-scheduler", "--no-lock"]


def backfill_env(lake: pathlib.Path, url: str | None, rate: float = 0) -> dict:
    """Environment for the CLI; no url means nothing answers (a call would fail loudly)."""
    return {
        "LAKE_ROOT": str(lake),
        "NBA_RATE_LIMIT_SECONDS": str(rate),
        "NBA_API_BASE_URL": url or "http://127.0.0.1:9/stats/{endpoint}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def requests_logged(path: pathlib.Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def lake_bytes(lake: pathlib.Path, top: str | None = None) -> int:
    base = lake / top if top else lake
    return sum(p.stat().st_size for p in base.rglob("*") if p.is_file())


def figure(name: str, value: str, baseline: str, target: str, met: bool | None) -> dict:
    """One row of the performance table, printed as it is measured."""
    row = {
        "benchmark": name,
        "figure": value,
        "baseline": baseline,
        "target": target,
        "met": "yes" if met else ("no" if met is not None else "-"),
    }
    print(f"| {name} | {value} | {baseline} | {target} | {row['met']} |", flush=True)
    return row
