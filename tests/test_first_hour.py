"""The first hour of a new user (issue 26), through the installed tools, from an empty
folder, against the bundled simulator: validate agrees with the run it follows and fails
when flagged; bad paths and proxies are bad input; the output of a small run fits on a
screen and its progress line knows its total and ETA; `luigi` writes its summary where
its tables go; Ctrl-C is an interrupted run that says how to resume.
"""

from __future__ import annotations

import json
import os
import pathlib
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from pipeline.sim.server import SimServer
from tests.runner import REPO, requests_in, why

BIN = pathlib.Path(sys.executable).parent
NBA_BACKFILL = BIN / "nba-backfill"
LUIGI = BIN / "luigi"
SEASON = ["--season", "2024-25"]
SCREEN = 40  # lines
# The simulator's "today": a season in progress, a few days old (its season-level answers
# are quick to make, and each run discovers the season again).
TODAY = "2024-10-27"


def environment(cwd: pathlib.Path, sim=None, **extra) -> dict:
    """A new user's environment: none of our settings, the simulator as the API."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LUIGI_CONFIG", "BACKFILL_", "NBA_", "LAKE_ROOT", "DRY_RUN"))
        and not k.startswith(("LOG_", "AWS_", "ALERT_"))
    }
    env.update({"PYTHONUNBUFFERED": "1", "TMPDIR": str(cwd), "NBA_RATE_LIMIT_SECONDS": "0"})
    # Never the real API from a test: without the simulator, a port nobody listens on.
    env["NBA_API_BASE_URL"] = sim.base_url if sim else "http://127.0.0.1:9/stats/{endpoint}"
    env.update(extra)
    return env


def tool(path: pathlib.Path, args, *, cwd, sim=None, env=None, timeout=180):
    if not path.exists():
        pytest.skip(f"{path} not installed (pip install -e .)")
    return subprocess.run(
        [str(path), *args],
        cwd=cwd,
        env=environment(cwd, sim, **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def luigi_args(task: str, *args: str) -> list[str]:
    return ["--module", "pipeline", task, *args, "--local-scheduler"]


def summaries(lake: pathlib.Path) -> list[dict]:
    folder = lake / "backfill-state" / "runs"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    log = tmp_path_factory.mktemp("first-hour-sim") / "requests.jsonl"
    with SimServer(port=0, seed=11, request_log=str(log), today=TODAY) as server:
        server.log_path = log
        yield server


@pytest.fixture(scope="module")
def five(sim, tmp_path_factory):
    """`nba-backfill run --season 2024-25 --limit 5` from an empty folder."""
    cwd = tmp_path_factory.mktemp("five")
    lake = cwd / "lake"
    result = tool(NBA_BACKFILL, ["run", *SEASON, "--limit", "5"], cwd=cwd, sim=sim)
    assert result.returncode == 0, why(result)
    return cwd, lake, result


# --- 1. validate judges what the run covered --------------------------------------------


def test_validate_agrees_with_the_run_it_follows(five):
    cwd, lake, run = five
    assert "validation: quality 1.0 for 5 games" in run.stdout, run.stdout
    summary = summaries(lake)[-1]
    result = tool(NBA_BACKFILL, ["validate", *SEASON], cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert (
        f"validating 2024-25, first 5 games (as run {summary['run_id']} covered it)"
        in result.stdout
    )
    assert "quality score 1.0 over 5 games, error rate 0.0, passed" in result.stdout
    # The same scope the run reported on: one report, made again, not a second one.
    scopes = lake / "data-quality/validation-reports/season=2024-25"
    [scope] = [p.name for p in scopes.glob("scope=*")]
    assert f"{scope}/report.json" in result.stdout


def test_a_flagged_report_fails_and_replaces_no_other_scope(five):
    cwd, lake, _ = five
    reports = lake / "data-quality/validation-reports/season=2024-25"
    [five_games] = list(reports.glob("scope=*/report.json"))
    whole = tool(NBA_BACKFILL, ["validate", *SEASON, "--limit", "0"], cwd=cwd)
    assert whole.returncode == 10, whole.stdout + whole.stderr[-3000:]
    assert "validating 2024-25, all games (as asked)" in whole.stdout
    assert "FLAGGED" in whole.stdout and "Traceback" not in whole.stderr
    assert "nba-backfill: exit 10: validation flagged" in whole.stderr
    # The same judgement through luigi: the task fails, [retcode] task_failed.
    again = tool(LUIGI, luigi_args("ValidateSeason", *SEASON, "--limit", "0"), cwd=cwd)
    assert again.returncode == 4, again.stdout + again.stderr[-3000:]
    assert "FLAGGED" in again.stdout and "Traceback" not in again.stderr
    # Each scope keeps its own report; the season's latest is the last one written.
    assert json.loads(five_games.read_text())["summary"]["passed"] is True
    by_scope = {p.parent.name: json.loads(p.read_text()) for p in reports.glob("scope=*/*.json")}
    assert len(by_scope) == 2
    latest = json.loads((reports / "report.json").read_text())
    assert latest["summary"]["passed"] is False and latest["scope"]["selection"]["limit"] == 0
    # And luigi, given no scope, judges what the last run covered, as nba-backfill does.
    last = tool(LUIGI, luigi_args("ValidateSeason", *SEASON), cwd=cwd)
    assert last.returncode == 0, last.stdout + last.stderr[-3000:]
    assert "first 5 games (as run" in last.stdout


def test_the_readme_documents_every_exit_code():
    from pipeline import cli

    readme = (REPO / "README.md").read_text()
    for code in cli.MEANINGS:
        assert re.search(rf"^\| {code} \| ", readme, re.MULTILINE), code


# --- 2. bad paths and proxies: one line, exit 2, no request -----------------------------


def unwritable(cwd: pathlib.Path) -> str:
    (cwd / "a-file").write_text("not a folder")
    return str(cwd / "a-file" / "lake")


BAD = {
    "proc": (NBA_BACKFILL, ["run", *SEASON, "--limit", "2", "--lake-root", "/proc/x"]),
    "sys": (NBA_BACKFILL, ["run", *SEASON, "--limit", "2", "--lake-root", "/sys/x"]),
    "unwritable": (NBA_BACKFILL, ["run", *SEASON, "--limit", "2", "--lake-root", unwritable]),
    "nothing-to-validate": (
        NBA_BACKFILL,
        ["validate", *SEASON, "--lake-root", "{cwd}/nonexistent"],
    ),
    "proxy-port": (
        NBA_BACKFILL,
        ["run", *SEASON, "--limit", "2", "--proxies", "http://127.0.0.1:notaport"],
    ),
    "luigi-proc": (LUIGI, luigi_args("SeasonBackfill", *SEASON, "--lake-root", "/proc/x")),
    "luigi-nothing-to-validate": (
        LUIGI,
        luigi_args("ValidateSeason", *SEASON, "--lake-root", "{cwd}/nonexistent"),
    ),
    "luigi-proxy-port": (
        LUIGI,
        luigi_args("SeasonBackfill", *SEASON, "--nba-proxies", "http://127.0.0.1:notaport"),
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_paths_and_proxies_are_bad_input(case, sim, tmp_path):
    path, args = BAD[case]
    args = [a(tmp_path) if callable(a) else a.format(cwd=tmp_path) for a in args]
    before = len(requests_in(sim.log_path))
    result = tool(path, args, cwd=tmp_path, sim=sim, timeout=60)
    assert result.returncode == 2, why(result)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: "), line
    assert len(requests_in(sim.log_path)) == before, "a request was made"
    assert not (tmp_path / "nonexistent").exists() and not (tmp_path / "lake").exists()


# --- 3. the output of a run fits on a screen, and says how much is left -----------------


def test_a_five_game_run_fits_on_a_screen(five):
    _, _, run = five
    lines = (run.stdout + run.stderr).splitlines()
    assert len(lines) <= SCREEN, "\n".join(lines)
    assert not [line for line in lines if "luigi-interface" in line]
    # Outside a terminal the log reports the phases, bios apart from the games.
    reports = [line for line in lines if ": 2024-25: games " in line]
    assert reports and re.search(r"games 0/20, players and teams 0/~?\d+ done", reports[0])


def test_verbose_shows_what_the_screen_leaves_out(five, sim):
    cwd, lake, _ = five
    quiet = tool(NBA_BACKFILL, ["run", *SEASON, "--limit", "5"], cwd=cwd, sim=sim)
    loud = tool(NBA_BACKFILL, ["run", *SEASON, "--limit", "5", "--verbose"], cwd=cwd, sim=sim)
    assert quiet.returncode == loud.returncode == 0, why(loud)
    assert "luigi-interface" not in quiet.stderr and "luigi-interface" in loud.stderr
    # JSON keeps everything, verbose or not.
    json_run = tool(
        NBA_BACKFILL, ["run", *SEASON, "--limit", "5", "--log-format", "json"], cwd=cwd, sim=sim
    )
    components = {json.loads(line)["component"] for line in json_run.stderr.splitlines()}
    assert "luigi-interface" in components


def test_progress_line_knows_its_total_and_eta_from_the_first_update(sim, tmp_path):
    """In a terminal (a pty), a run of 2 games paced at 0.05 s a request (a few seconds)."""
    if not NBA_BACKFILL.exists():
        pytest.skip(f"{NBA_BACKFILL} not installed")
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(NBA_BACKFILL), "run", *SEASON, "--limit", "2"],
        cwd=tmp_path,
        env=environment(tmp_path, sim, NBA_RATE_LIMIT_SECONDS="0.05", LOG_FORMAT="text"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(60) == 0, output.decode(errors="replace")[-3000:]
    updates = [
        part.split("\r\n")[0].split("\n")[0]
        for part in output.decode(errors="replace").split("\r\033[K")[1:]
        if part.strip() and "done |" in part.split("\n")[0]
    ]
    assert updates, output.decode(errors="replace")[-3000:]
    pattern = (
        r"^games \d+/8(, players and teams \d+/~?\d+)? \| \d+/~?\d+ done \| [\d.]+ req/s \| "
        r"0 failed \| ETA ~?\d+:\d\d:\d\d$"
    )
    for update in updates:
        assert re.match(pattern, update), updates
    first_total = int(re.search(r"\| \d+/~?(\d+) done", updates[0]).group(1))
    assert first_total > 8, updates  # the whole run: games, then players and teams


# --- 4. `luigi` writes its summary where its tables go ----------------------------------


def test_luigi_summary_follows_its_lake_root(sim, tmp_path):
    lake = tmp_path / "lake-luigi"
    args = luigi_args(
        "SeasonBackfill", *SEASON, "--limit", "2", "--no-player-info", "--lake-root", str(lake)
    )
    result = tool(LUIGI, args, cwd=tmp_path, sim=sim)
    assert result.returncode == 0, why(result)
    assert not (tmp_path / "lake").exists(), "something was written to ./lake"
    [summary] = summaries(lake)
    assert summary["config"]["effective"]["lake_root"] == str(lake)
    state = summary["lake_state"]
    assert state["done"] == summary["counts"]["fetched"] > 0 and state["missing"] == 0
    assert f"summary: {lake}/backfill-state/runs/" in result.stderr


# --- 5. Ctrl-C: an interrupted run, and how to resume it --------------------------------


def test_ctrl_c_is_an_interrupted_run_that_says_how_to_resume(tmp_path):
    """SIGINT to the process group once the bios are being fetched (slowly): the summary
    counts what is left exactly, and the resume asks for exactly that."""
    log = tmp_path / "requests.jsonl"
    command = [str(NBA_BACKFILL), "run", *SEASON, "--limit", "3", "--no-team-info"]
    if not NBA_BACKFILL.exists():
        pytest.skip(f"{NBA_BACKFILL} not installed")
    latency = "commonplayerinfo=100,default=1"
    with SimServer(port=0, seed=11, request_log=str(log), latency_ms=latency, today=TODAY) as slow:
        env = environment(tmp_path, slow, LOG_FORMAT="text")
        with open(tmp_path / "err", "w") as err:
            process = subprocess.Popen(
                command,
                cwd=tmp_path,
                env=env,
                stdout=err,
                stderr=err,
                start_new_session=True,
                # As from a terminal: a suite started in the background (`make test &`)
                # hands its children SIGINT ignored, and the tool then leaves it so.
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
            deadline = time.monotonic() + 120
            while not (log.exists() and "commonplayerinfo" in log.read_text()):
                assert process.poll() is None and time.monotonic() < deadline, "no bio fetched"
                time.sleep(0.05)
            os.killpg(process.pid, signal.SIGINT)
            code = process.wait(60)
        output = (tmp_path / "err").read_text()
        assert code == 130, output[-3000:]
        assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
        last = output.strip().splitlines()[-1]
        [summary] = summaries(tmp_path / "lake")
        assert summary["status"] == "interrupted"
        stored = summary["counts"]["fetched"] + summary["counts"]["rederived"]
        left = summary["remaining"]["requests"]
        assert summary["remaining"]["exact"] and left > 0
        assert last == (
            f"interrupted; {stored} stored, {left} requests left, rerun the same command to resume"
        )
        before = len(requests_in(log))
        resume = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert resume.returncode == 0, why(resume)
        assert len(requests_in(log)) - before == left


# --- also: defaults in --help, and the demo's commands as they will run -----------------


def test_run_help_shows_the_defaults(tmp_path):
    result = tool(NBA_BACKFILL, ["run", "--help"], cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    for option, default in (
        ("--rate-limit SECONDS", "default 5"),
        ("--max-retries N", "default 5"),
        ("--lake-root ROOT", "default ./lake"),
        ("--season-types TYPES", "default all: Regular Season,PlayIn,Playoffs,IST"),
    ):
        assert re.search(re.escape(option) + r" .{0,80}?" + re.escape(default), text), option
    assert "130 interrupted" in text and "10 validation flagged" in text


def test_demo_prints_commands_that_run_as_printed(tmp_path):
    """`make demo` runs without the virtualenv activated: the commands it suggests must
    work from the same folder with the PATH the user has."""
    bare_path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if pathlib.Path(p) != BIN
    )
    env = environment(tmp_path, PATH=bare_path, PYTHONPATH=str(REPO))
    code = "from pipeline.app.demo import command_path; print(command_path('nba-backfill'))"
    printed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    command = printed.stdout.strip()
    assert command.endswith("nba-backfill") and command != "nba-backfill"
    ran = subprocess.run(
        f"{command} sql --help", shell=True, cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
