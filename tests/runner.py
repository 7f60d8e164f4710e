"""Run the real CLI (`luigi --module pipeline ...`) against the simulator, as a user would."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def _luigi_command(args, *, lake, sim, tmp, env) -> tuple[list[str], dict]:
    # Each run is a run of its own: no run id or start time inherited from this process
    # (building a task in-process, as some tests do, sets them for the launching process).
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("BACKFILL_")}
    environment = {
        **inherited,
        "LAKE_ROOT": str(lake),
        "NBA_RATE_LIMIT_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
        # Tests read Luigi's own lines and a line per item (text logs leave them out by
        # default; tests/test_first_hour.py checks what a user sees).
        "LOG_VERBOSE": "1",
        **({"NBA_API_BASE_URL": sim.base_url} if sim else {}),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "luigi",
        "--module",
        "pipeline",
        *args,
        "--nba-limiter-state-path",
        str(pathlib.Path(tmp) / "limiter.sqlite"),
        # Tests do not wait out Luigi's production retry delays.
        "--worker-max-keep-alive-idle-duration",
        "3 seconds",
    ]
    if "--scheduler-host" not in args:
        command.append("--local-scheduler")
    return command, environment


def luigi_cli(args, *, lake, sim=None, tmp, env=None, timeout=300) -> subprocess.CompletedProcess:
    command, environment = _luigi_command(args, lake=lake, sim=sim, tmp=tmp, env=env)
    return subprocess.run(
        command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=timeout
    )


def luigi_cli_started(args, *, lake, sim=None, tmp, env=None) -> subprocess.Popen:
    """luigi_cli, left running: the caller waits for it (communicate())."""
    command, environment = _luigi_command(args, lake=lake, sim=sim, tmp=tmp, env=env)
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition, *, timeout: float) -> None:
    """Poll condition() until it holds; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not so after {timeout:g} s: {condition}")
        time.sleep(0.1)


def requests_in(log_path) -> list[dict]:
    path = pathlib.Path(log_path)
    if not path.exists():
        return []
    # Read while the simulator writes: a line it is still writing (one that crosses a page
    # can be seen half-written) has no newline yet, and counts once it has.
    lines = path.read_text().split("\n")[:-1]
    return [json.loads(line) for line in lines if line.strip()]


def lake_files(lake) -> dict[str, float]:
    """Every file in a local lake with its modification time (to prove nothing was written),
    less the run summaries: every run, even a no-op one, writes its own."""
    root = pathlib.Path(lake)
    files = {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    return {k: v for k, v in files.items() if not k.startswith("backfill-state/runs/")}


def why(run: subprocess.CompletedProcess, tail: int = 2000) -> str:
    """What a failed run said: its exit code, every traceback and error line of its stderr
    (a long run's first failure is far from its end), then its last lines."""
    lines = run.stderr.splitlines()
    said, in_traceback = [], False
    for line in lines:
        if line.startswith("Traceback"):
            in_traceback = True
        if in_traceback or "ERROR" in line or "terminate called" in line:
            said.append(line)
        if in_traceback and line and not line[0].isspace() and not line.startswith("Traceback"):
            in_traceback = False  # the exception's own line ends it
    return "\n".join([f"exit {run.returncode}", *said, "...", run.stderr[-tail:]])
