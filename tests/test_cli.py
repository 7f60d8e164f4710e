"""The installed tools, run as a new user would: from an empty folder outside the repo, with
no luigi.cfg there and LUIGI_CONFIG_PATH unset unless a test sets its own.

Our Luigi defaults ([retcode] above all) ship inside the package; before they did, a run
from such a folder printed FAILED and exited 0.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import socket
import subprocess
import sys

import luigi
import pytest

from pipeline import cli
from pipeline.core.errors import CriticalError, StorageError
from pipeline.sim.server import SimServer
from pipeline.tasks.common import PipelineTask
from tests.runner import REPO, requests_in, why

BIN = pathlib.Path(sys.executable).parent
NBA_BACKFILL = BIN / "nba-backfill"
LUIGI = BIN / "luigi"
# Fast failure for the tests only: no keep-alive retries, no in-task retries. No [retcode]
# here: the exit codes under test are the package's own defaults.
FAST = """
[worker]
keep_alive = false
[nba]
max_retries = 0
backoff_base_seconds = 0.01
backoff_max_seconds = 0.01
"""
WEEK = ["--season", "2024-25", "--start-date", "2024-10-22", "--end-date", "2024-10-24"]


@pytest.fixture
def empty_folder(tmp_path) -> pathlib.Path:
    folder = tmp_path / "cwd"
    folder.mkdir()
    assert not (folder / "luigi.cfg").exists() and REPO not in folder.parents
    return folder


def run_tool(tool, args, *, cwd, env=None, timeout=120) -> subprocess.CompletedProcess:
    if not tool.exists():
        pytest.skip(f"{tool} not installed (pip install -e .)")
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LUIGI_CONFIG", "BACKFILL_", "NBA_", "LAKE_ROOT", "DRY_RUN"))
        and not k.startswith(("LOG_FORMAT", "AWS_", "ALERT_"))
    }
    # TMPDIR: Luigi's pid lock and our run events stay in the test's own folder.
    environment.update(
        {"PYTHONUNBUFFERED": "1", "LOG_FORMAT": "text", "TMPDIR": str(cwd), **(env or {})}
    )
    return subprocess.run(
        [str(tool), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def refused_url() -> str:
    """A loopback port nobody listens on: every connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/stats/{{endpoint}}"


def test_help_lists_the_subcommands(empty_folder):
    result = run_tool(NBA_BACKFILL, ["--help"], cwd=empty_folder, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("run", "plan", "validate"):
        assert f"\n    {command} " in result.stdout, result.stdout


@pytest.mark.parametrize(
    "command",
    [
        [str(NBA_BACKFILL), "run"],
        [str(LUIGI), "--module", "pipeline", "SeasonBackfill", "--local-scheduler"],
    ],
    ids=["nba-backfill", "luigi"],
)
def test_unreachable_api_fails_the_run_from_any_folder(empty_folder, command):
    fast = empty_folder.parent / "fast.cfg"
    fast.write_text(FAST)
    tool, *args = command
    result = run_tool(
        pathlib.Path(tool),
        [*args, "--season", "2024-25", "--limit", "2"],
        cwd=empty_folder,
        env={
            "NBA_API_BASE_URL": refused_url(),
            "LAKE_ROOT": str(empty_folder.parent / "lake"),
            "LUIGI_CONFIG_PATH": str(fast),
        },
    )
    output = result.stdout + result.stderr
    assert "DiscoverGames" in output and "failed" in output, output[-3000:]
    # 4 is [retcode] task_failed from pipeline/app/defaults.cfg (Luigi's own default is 0).
    # nba-backfill exits 9 instead once an unreachable API is a critical ApiUnreachableError.
    expected = {4, 9} if tool == str(NBA_BACKFILL) else {4}
    assert result.returncode in expected, output[-3000:]


def test_a_users_luigi_cfg_overrides_the_packaged_defaults(empty_folder):
    (empty_folder / "luigi.cfg").write_text(FAST + "[retcode]\ntask_failed = 11\n")
    result = run_tool(
        LUIGI,  # nba-backfill's own codes for a critical stop (9 here, one day) are not [retcode]
        ["--module", "pipeline", "SeasonBackfill", "--local-scheduler", "--limit", "2"],
        cwd=empty_folder,
        env={"NBA_API_BASE_URL": refused_url(), "LAKE_ROOT": str(empty_folder.parent / "lake")},
    )
    assert result.returncode == 11, why(result)


@pytest.mark.parametrize("tool", [NBA_BACKFILL, LUIGI], ids=["nba-backfill", "luigi"])
def test_bad_season_is_one_line_and_exit_2(empty_folder, tool):
    prefix = ["run"] if tool == NBA_BACKFILL else ["--module", "pipeline", "SeasonBackfill"]
    result = run_tool(
        tool,
        [*prefix, "--season", "2024-26"],
        cwd=empty_folder,
        env={"NBA_API_BASE_URL": refused_url(), "LAKE_ROOT": str(empty_folder / "lake")},
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "error: invalid season '2024-26': 26 does not follow 2024"
    assert not (empty_folder / "lake").exists()


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    log = tmp_path_factory.mktemp("cli-sim") / "requests.jsonl"
    with SimServer(port=0, seed=11, request_log=str(log)) as server:
        server.log_path = log
        yield server


def test_plan_then_run_against_the_simulator(empty_folder, sim):
    lake = empty_folder.parent / "lake"
    env = {"NBA_API_BASE_URL": sim.base_url, "NBA_RATE_LIMIT_SECONDS": "0"}
    lake_option = ["--lake-root", str(lake)]
    before = len(requests_in(sim.log_path))

    plan = run_tool(
        NBA_BACKFILL, ["plan", *WEEK, "--limit", "2", *lake_option], cwd=empty_folder, env=env
    )
    assert plan.returncode == 0, why(plan)
    assert "Plan for 2024-25" in plan.stdout and "requests" in plan.stdout, plan.stdout
    assert len(requests_in(sim.log_path)) == before, "the plan made requests"
    assert not lake.exists(), "the plan wrote to the lake"

    # Players and teams off (switches derived from the catalogue's groups): fewer requests.
    run = run_tool(
        NBA_BACKFILL,
        ["run", *WEEK, "--limit", "2", "--no-player-info", "--no-team-info", *lake_option],
        cwd=empty_folder,
        env=env,
    )
    assert run.returncode == 0, why(run)
    assert len(requests_in(sim.log_path)) > before
    games = list((lake / "box_traditional_players" / "season=2024-25").rglob("*.parquet"))
    assert len(games) == 2, games
    assert not (lake / "teams").exists() and not (lake / "players").exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_critical_stop_exits_7(empty_folder, sim, workers):
    """The lake cannot be written (a file where its raw/ folder should be): the first write
    is a StorageError, the run stops, and nba-backfill tells it from a failure. With two
    workers the error happens in a forked task process."""
    lake = empty_folder.parent / "lake"
    lake.mkdir()
    (lake / "raw").write_text("not a folder")
    result = run_tool(
        NBA_BACKFILL,
        ["run", *WEEK, "--limit", "2", "--lake-root", str(lake), "--workers", workers],
        cwd=empty_folder,
        env={"NBA_API_BASE_URL": sim.base_url, "NBA_RATE_LIMIT_SECONDS": "0"},
    )
    assert "critical: StorageError" in result.stderr, result.stderr[-3000:]
    assert result.returncode == 7, why(result)
    assert "nba-backfill: exit 7: critical stop (the lake cannot be written)" in result.stderr


class ForeignTask(luigi.Task):
    """Another package's task, run in the same worker as ours."""

    def complete(self):
        return False

    def run(self):
        raise StorageError("not our task")


class ApiUnreachableError(CriticalError):
    """Named as the error the client raises when stats.nba.com does not answer this host."""


class UnreachableTask(PipelineTask):
    """One of ours (our tasks' base) meeting that error."""

    def complete(self):
        return False

    def run(self):
        raise ApiUnreachableError("stats.nba.com did not answer")


@contextlib.contextmanager
def in_process_worker():
    """luigi.build in this process: no keep-alive wait, and the test's SIGUSR1 handler back
    afterwards (Luigi's worker installs its own)."""
    settings = luigi.configuration.get_config()
    keep_alive = settings.get("worker", "keep_alive", None)
    settings.set("worker", "keep_alive", "false")
    before = signal.getsignal(signal.SIGUSR1)
    try:
        yield
    finally:
        signal.signal(signal.SIGUSR1, before)
        if keep_alive is None:
            settings.remove_option("worker", "keep_alive")
        else:
            settings.set("worker", "keep_alive", keep_alive)


def test_critical_handler_is_scoped_to_our_tasks(caplog):
    """A CriticalError in a task that is not ours is that task's failure, not a stop."""
    with in_process_worker(), caplog.at_level("INFO", logger="pipeline.tasks"):
        result = luigi.build([ForeignTask()], local_scheduler=True, detailed_summary=True)
    assert result.status == luigi.LuigiStatusCode.FAILED
    assert not [r for r in caplog.records if r.name == "pipeline.tasks"], caplog.text


def test_unreachable_api_stop_exits_9(caplog):
    args = cli.parser().parse_args(["validate", "--season", "2024-25"])
    with in_process_worker(), caplog.at_level("INFO", logger="pipeline.tasks"):
        code = cli.build([UnreachableTask()], args)
    assert "critical: ApiUnreachableError: stats.nba.com did not answer" in caplog.text
    assert code == cli.API_UNREACHABLE == 9
