"""Issue 7: plan, JSON logs, run summary (success and failure), one alert, older CLI names.

Each backfill runs the real CLI in a subprocess against the simulator on loopback, on a
small window (3 games, 4 game endpoints) so the module stays fast.
"""

from __future__ import annotations

import http.server
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import threading

import pytest

from pipeline.app.progress import Progress
from pipeline.core import events, seasons
from pipeline.core.redact import redact, redact_mapping, redact_url
from pipeline.sim.server import SimServer
from tests.runner import why

# After the games, a run checks them against the season's game logs: P and T per type.
GAME_LOGS = 2 * len(seasons.SEASON_TYPES)

REPO = pathlib.Path(__file__).resolve().parents[1]
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "tok-4f9a8b7c6d5e"
SMTP_PASSWORD = "hunter2-smtp-pass"
HOOK_PATH = "/services/T000/B000/XXXXSECRETXXXX"
# Fast retries and no pause after a 500: the failure run must fail in seconds.
OVERLAY = """
[worker]
keep_alive = false
[nba]
backoff_base_seconds = 0.01
backoff_max_seconds = 0.02
server_error_pause_seconds = 0
"""


# --- loopback receivers ------------------------------------------------------------------


class Webhook(http.server.ThreadingHTTPServer):
    def __init__(self):
        self.posts: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                outer.posts.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{HOOK_PATH}"


class Smtp:
    """Just enough SMTP (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT) to receive mail."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.messages: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        reader = conn.makefile("rb")

        def say(line):
            conn.sendall(line.encode() + b"\r\n")

        say("220 test ESMTP")
        while line := reader.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250-test")
                say("250 AUTH PLAIN LOGIN")
            elif verb == "AUTH":
                say("235 ok")
            elif verb == "DATA":
                say("354 go on")
                data = []
                while (chunk := reader.readline()) not in (b".\r\n", b""):
                    data.append(chunk.decode())
                self.messages.append("".join(data))
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                break
            else:
                say("250 ok")
        conn.close()


# --- running the CLI ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    """One simulator for all runs (building its league is the slow part). Play-by-play
    always answers 500: runs with --no-play-by-play succeed, the others fail."""
    log = tmp_path_factory.mktemp("sim") / "requests.jsonl"
    with SimServer(
        port=0, seed=3, request_log=str(log), today="2025-07-01", faults="playbyplayv3:500=1.0"
    ) as server:
        server.log_path = log
        yield server


def backfill(tmp, sim, *args, env=None, log_format="json", lake="lake", local=True):
    overlay = tmp / "overlay.cfg"
    overlay.write_text(OVERLAY)
    command = [
        sys.executable,
        "-m",
        "luigi",
        "--module",
        "pipeline",
        "SeasonBackfill",
        "--start-date",
        "2024-10-22",
        "--end-date",
        "2024-10-23",
        "--limit",
        "3",
        "--no-player-info",
        "--no-team-info",
        "--nba-limiter-state-path",
        str(tmp / "lim.sqlite"),
        *args,
        *(["--local-scheduler"] if local else []),
    ]
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALERT_", "BACKFILL_", "LOG_", "DRY_RUN"))
    }
    full_env.update(
        {
            "LAKE_ROOT": str(tmp / lake),
            "NBA_API_BASE_URL": sim.base_url,
            "NBA_RATE_LIMIT_SECONDS": "0",
            "NBA_TARGET_SEASON": "2024-25",
            "LUIGI_CONFIG_PATH": str(overlay),
            "LOG_FORMAT": log_format,
            **(env or {}),
        }
    )
    return subprocess.run(
        command, env=full_env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


def requests_in(sim) -> int:
    return len(sim.log_path.read_text().splitlines()) if sim.log_path.exists() else 0


def summaries(lake: pathlib.Path) -> list[dict]:
    return [
        json.loads(p.read_text()) for p in sorted((lake / "backfill-state" / "runs").glob("*.json"))
    ]


@pytest.fixture(scope="module")
def success(tmp_path_factory, sim):
    """One successful run in JSON mode, with secrets in the env and both alert channels."""
    tmp = tmp_path_factory.mktemp("ok")
    hook, smtp = Webhook(), Smtp()
    before = requests_in(sim)
    result = backfill(
        tmp,
        sim,
        "--max-retries",
        "1",
        "--rate-limit",
        "0",
        "--no-play-by-play",
        env={
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "MY_SERVICE_TOKEN": TOKEN,
            "ALERT_WEBHOOK_URL": hook.url,
            "ALERT_SMTP_HOST": "127.0.0.1",
            "ALERT_SMTP_PORT": str(smtp.port),
            "ALERT_SMTP_TO": "ops@example.com",
            "ALERT_SMTP_USER": "ops",
            "ALERT_SMTP_PASSWORD": SMTP_PASSWORD,
        },
    )
    yield {
        "tmp": tmp,
        "sim": sim,
        "result": result,
        "hook": hook,
        "smtp": smtp,
        "requests": requests_in(sim) - before,
    }
    hook.shutdown()
    smtp.sock.close()


# --- run summary, logs, alerts -------------------------------------------------------------


def test_success_writes_one_summary(success):
    result = success["result"]
    assert result.returncode == 0, why(result)
    [summary] = summaries(success["tmp"] / "lake")
    assert summary["status"] == "success"
    # 3 games x 3 endpoints (--no-play-by-play, --no-player-info, --no-team-info), then
    # the game logs.
    fetched = 9 + GAME_LOGS
    assert summary["counts"] == {"fetched": fetched, "rederived": 0, "dead_letter": 0, "failed": 0}
    assert summary["lake_state"] == {
        "game_index": True,
        "done": fetched,
        "missing": 0,
        "dead_letter": 0,
    }
    # Every request the simulator saw, discovery included, and nothing else.
    assert summary["requests"] == success["requests"] == 4 + fetched
    assert summary["retries"] == 0
    assert summary["bytes_stored"] > 0 and summary["rate_achieved_per_s"] > 0
    assert summary["started_at"] <= summary["ended_at"]
    assert summary["dead_letters"] == {"total": 0, "listed": []}
    assert summary["config"]["effective"]["max_retries"] == 1  # --max-retries, older name
    assert summary["config"]["env"]["AWS_SECRET_ACCESS_KEY"] == "***"
    assert summary["config"]["config"]["alerts"]["smtp_password"] == "***"


def test_json_logs_have_fields_and_one_run_id(success):
    summary = summaries(success["tmp"] / "lake")[0]
    lines = [json.loads(line) for line in success["result"].stderr.splitlines()]
    assert lines, "no log lines"
    for line in lines:
        assert {
            "timestamp",
            "level",
            "component",
            "event_type",
            "run_id",
            "season",
            "message",
        } <= line.keys()
        assert line["run_id"] == summary["run_id"]
    items = [line for line in lines if line["event_type"] == "fetched"]
    assert len(items) == 9 + GAME_LOGS
    for line in items:
        assert line["season"] == "2024-25" and line["endpoint"]
        assert line["bytes_stored"] > 0 and line["api_calls"] == 1
        assert line["api_response_ms"] > 0
    games = [line for line in items if not line["endpoint"].startswith("game_log")]
    assert len(games) == 9 and all(line["game_id"] and line["rows"] > 0 for line in games)
    # Luigi's own lines come out as JSON too, and the run's summary as one event.
    assert any(line["component"] == "luigi-interface" for line in lines)
    assert [line["event_type"] for line in lines].count("run_summary") == 1
    # JSON mode: no progress line, no text summary.
    assert "\r" not in success["result"].stderr


def test_no_secret_in_any_output(success):
    tmp = success["tmp"]
    outputs = [
        success["result"].stdout,
        success["result"].stderr,
        *(p.read_text() for p in (tmp / "lake" / "backfill-state" / "runs").glob("*")),
        json.dumps([p["body"] for p in success["hook"].posts]),
        *success["smtp"].messages,
    ]
    for text in outputs:
        for secret in (SECRET, TOKEN, SMTP_PASSWORD, HOOK_PATH):
            assert secret not in text


def test_one_alert_per_channel(success):
    summary = summaries(success["tmp"] / "lake")[0]
    [post] = success["hook"].posts
    assert post["path"] == HOOK_PATH
    assert summary["run_id"] in post["body"]["text"] and "SUCCESS" in post["body"]["text"]
    [mail] = success["smtp"].messages
    assert summary["run_id"] in mail and "ops@example.com" in mail
    assert summary["alerts_sent"] == {"webhook": True, "smtp": True}


def test_failed_run_still_writes_summary(tmp_path, sim):
    hook = Webhook()
    before = requests_in(sim)
    result = backfill(
        tmp_path,
        sim,
        "--max-retries",
        "1",
        log_format="text",
        env={"ALERT_WEBHOOK_URL": hook.url, "ALERT_ONLY_ON_FAILURE": "1"},
    )
    hook.shutdown()
    # Luigi exits with the highest matching [retcode]: not_run (7) here, above task_failed.
    assert result.returncode in (4, 7), (result.returncode, result.stderr[-3000:])
    [summary] = summaries(tmp_path / "lake")
    assert summary["status"] == "failed"
    # The game logs are fetched in the games' round: only the failed games are missing.
    fetched = 9 + GAME_LOGS
    assert summary["counts"] == {
        "fetched": fetched,
        "rederived": 0,
        "dead_letter": 0,
        "failed": 3,
    }
    assert summary["lake_state"]["missing"] == 3
    assert summary["failures_by_class"] == {
        "failed": {"ServerError": 3},
        "retried": {"ServerError": 3},
    }
    # 4 discovery + the fine ones + 3 play-by-play tried twice each.
    assert summary["retries"] == 3
    assert summary["requests"] == requests_in(sim) - before == 4 + fetched + 3 * 2
    # Text mode, not a terminal: the short summary, no progress line.
    assert f"run {summary['run_id']}: FAILED" in result.stderr
    assert "\r" not in result.stderr
    [post] = hook.posts
    assert "FAILED" in post["body"]["text"]


# --- the plan ----------------------------------------------------------------------------

PLAN_ROW = re.compile(r"^\s+(\w+)(?: \(estimated\))?\s+(\d+)\s+(\d+)(?:\s+(\d+)\s+(\d+))?$")


def plan_rows(stdout: str) -> dict[str, tuple[int, ...]]:
    return {
        m.group(1): tuple(int(g) for g in m.groups()[1:] if g is not None)
        for m in map(PLAN_ROW.match, stdout.splitlines())
        if m
    }


def test_plan_counts_exactly_and_touches_nothing(success, tmp_path):
    tmp, sim = success["tmp"], success["sim"]
    lake = tmp / "lake"
    # Two box scores lose a table but keep their raw body (re-derived, no request);
    # one advanced box score loses a table and its raw body (one request).
    box = sorted((lake / "box_traditional_players").rglob("*.parquet"))[:2]
    adv = sorted((lake / "box_advanced_teams").rglob("*.parquet"))[0]
    adv_raw = next((lake / "raw" / "box_advanced").rglob(adv.stem + ".json.gz"))
    for path in (*box, adv, adv_raw):
        path.unlink()
    before = sorted(p for p in lake.rglob("*"))
    requests = requests_in(sim)
    result = backfill(
        tmp, sim, "--no-play-by-play", env={"DRY_RUN": "true"}, log_format="text"
    )  # DRY_RUN: the older CLI's env name
    rows = plan_rows(result.stdout)
    #                          done missing dead requests
    assert rows["box_traditional"] == (1, 2, 0, 0)
    assert rows["box_traditional_players"][:2] == (1, 2)
    assert rows["box_traditional_teams"][:2] == (3, 0)
    assert rows["box_advanced"] == (2, 1, 0, 1)
    assert rows["box_advanced_teams"][:2] == (2, 1)
    assert rows["box_advanced_players"][:2] == (3, 0)
    assert rows["game_summary"] == (3, 0, 0, 0)
    assert "play_by_play" not in rows
    assert "1 requests at one per 0 s" in result.stdout
    assert requests_in(sim) == requests
    assert sorted(p for p in lake.rglob("*")) == before  # no summary, no write
    # On an empty lake: an estimate, and still no folder created.
    empty = backfill(tmp_path, sim, "--dry-run", lake="nowhere", log_format="text")
    assert "(estimated)" in empty.stdout and "game discovery" in empty.stdout
    assert not (tmp_path / "nowhere").exists()
    assert requests_in(sim) == requests


def test_dry_run_exits_zero(tmp_path, sim):
    """Needs SeasonBackfill.complete() to be True once the plan is printed: with
    [worker] check_complete_on_run=true Luigi fails a task that is not complete after run()."""
    result = backfill(tmp_path, sim, "--dry-run", lake="nowhere", log_format="text")
    assert result.returncode == 0, why(result)


# --- pieces --------------------------------------------------------------------------------


def test_redaction_patterns(monkeypatch):
    monkeypatch.setenv("SOME_API_KEY", "abcdef123456")
    text = redact(
        "key AKIAIOSFODNN7EXAMPLE aws_secret_access_key=xyz/abc+123 "
        "Authorization: Bearer eyJhbGciOi password: 's3cret!' "
        "https://hooks.slack.com/services/T1/B2/C3 "
        "https://user:pw@host/x?token=abc&b=1 value abcdef123456"
    )
    for leaked in (
        "AKIAIOSFODNN7EXAMPLE",
        "xyz/abc+123",
        "eyJhbGciOi",
        "s3cret!",
        "T1/B2/C3",
        "user:pw",
        "token=abc",
        "abcdef123456",
    ):
        assert leaked not in text
    assert "b=1" in text
    assert redact_url("https://hooks.example.com/T/B/C?x=1") == "https://hooks.example.com/***"
    assert redact_mapping({"smtp_password": "x", "rows": 3}) == {"smtp_password": "***", "rows": 3}


def test_progress_line_from_events(tmp_path):
    """The whole run's plan first (games, then players and teams, the players estimated),
    then items: done/total over both phases and an ETA from the pace so far."""
    path = tmp_path / "events.jsonl"
    planned = {"event_type": "planned", "season": "2024-25", "seconds_per_request": 0.5}
    plan = {"games": {"missing": 8}, "others": {"missing": 2, "estimated": 10}}
    events.append(path, {**planned, **plan, "ts": 100.0})
    for n in range(4):
        events.append(path, {"event_type": "request", "ts": 100.0 + n})
        outcome = "failed" if n == 3 else "fetched"
        events.append(
            path, {"event_type": outcome, "season": "2024-25", "game_id": "1", "ts": 101.0 + n}
        )
    progress = Progress()
    assert Progress().line() is None  # nothing planned: no line yet
    progress.add(events.read_all(path)[:1])
    assert progress.line(now=100.0) == (
        "games 0/8, players and teams 0/~12 | 0/~20 done | 0.00 req/s | 0 failed | ETA ~0:00:10"
    )
    progress.add(events.read_all(path)[1:])
    assert progress.line(now=104.0) == (
        "games 3/8, players and teams 0/~12 | 3/~20 done | 1.00 req/s | 1 failed | ETA ~0:00:23"
    )
    # The players become known (a plan made after 3 games): the estimate gives way.
    exact = {"games": {"missing": 5}, "others": {"missing": 11}}
    events.append(path, {**planned, **exact, "ts": 104.0})
    progress.add(events.read_all(path)[9:])
    assert progress.line(now=104.0).startswith("games 3/8, players and teams 0/11 | 3/19 done")
