"""Faults at the requested rates (counted from the request log), sticky permanent faults,
error answers, gzip, the throttle, and games after today (unknown) or on today (live)."""

import gzip
import json
import math
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from nba_api.stats.endpoints import PlayByPlayV3
from nba_api.stats.library.http import NBAStatsHTTP

from pipeline.sim.faults import FaultSpec
from pipeline.sim.league import League
from pipeline.sim.server import SimServer


def read_log(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def within_binomial(count, n, p, sigmas=4.5):
    return abs(count - n * p) <= sigmas * math.sqrt(n * p * (1 - p)) + 1


TRANSIENT = {
    "429": 0.08,
    "500": 0.05,
    "502": 0.03,
    "503": 0.03,
    "504": 0.03,
    "truncated": 0.06,
    "html": 0.05,
    "error_message": 0.05,
    "reset": 0.03,
}


def test_transient_faults_appear_at_the_requested_rates(tmp_path):
    log = tmp_path / "log.jsonl"
    spec = ",".join(f"{k}={v}" for k, v in TRANSIENT.items())
    n = 1500
    with SimServer(
        port=0, faults=spec, request_log=str(log), fault_seed=11, today="2025-07-01"
    ) as sim:
        session = requests.Session()

        def hit(i):
            url = f"{sim.url}/stats/commonteamroster?TeamID=1610612739&Season=2024-25"
            try:
                return requests.get(url, timeout=10)
            except requests.ConnectionError:
                return None

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(hit, range(n)))
        session.close()
    entries = read_log(log)
    assert len(entries) == n
    faults = [e["fault"] for e in entries]
    for kind, rate in TRANSIENT.items():
        assert within_binomial(faults.count(kind), n, rate), (kind, faults.count(kind))
    clean = sum(1 for f in faults if f is None)
    assert within_binomial(clean, n, 1 - sum(TRANSIENT.values()))
    by_fault = {}
    for e in entries:
        by_fault.setdefault(e["fault"], []).append(e)
    assert all(e["status"] == 429 for e in by_fault["429"])
    assert all(e["status"] is None for e in by_fault["reset"])
    assert all(e["status"] == 200 for e in by_fault["truncated"])
    assert sum(a is None for a in answers) >= len(by_fault["reset"]) * 0.9
    with_429 = [a for a in answers if a is not None and a.status_code == 429]
    assert with_429 and all(a.headers["Retry-After"] == "1" for a in with_429)
    for a in answers:
        if (
            a is not None
            and a.status_code == 200
            and a.headers["Content-Type"].startswith("application/json")
        ):
            try:
                json.loads(a.text)
            except ValueError:
                assert a.text.startswith("{")  # a truncated body: valid start, cut off
        elif a is not None and "html" in a.headers["Content-Type"]:
            assert a.status_code in (200, 503) and "<html>" in a.text


def test_sticky_permanent_faults_and_per_endpoint_rates(tmp_path):
    log = tmp_path / "log.jsonl"
    season = League(0, today=None).season("2024-25")
    ids = [g.game_id for g in season.games if g.game_id.startswith("002")][:150]
    with SimServer(
        port=0,
        faults="empty=0.1,notfound=0.1,playbyplayv3:500=0.3",
        request_log=str(log),
        today="2025-07-01",
    ) as sim:

        def fetch(endpoint, gid):
            r = requests.get(f"{sim.url}/stats/{endpoint}?GameID={gid}", timeout=10)
            return r.status_code, r.text if r.text == "{}" else ""

        first = [fetch("boxscoresummaryv3", gid) for gid in ids]
        second = [fetch("boxscoresummaryv3", gid) for gid in ids]
        pbp = [fetch("playbyplayv3", gid) for gid in ids]
    assert first == second  # sticky: same (endpoint, id), same answer
    assert within_binomial(sum(s == (200, "{}") for s in first), 150, 0.1)
    assert within_binomial(sum(s[0] == 404 for s in first), 150, 0.1)
    entries = read_log(log)
    pbp_entries = [e for e in entries if e["endpoint"] == "playbyplayv3"]
    assert within_binomial(sum(e["fault"] == "500" for e in pbp_entries), 150, 0.3)
    summary_entries = [e for e in entries if e["endpoint"] == "boxscoresummaryv3"]
    assert not any(e["fault"] == "500" for e in summary_entries)
    assert len(pbp) == 150


def test_fault_spec_rejects_nonsense():
    for bad in ("teapot=0.1", "500=2", "500", "500=0.6,502=0.6"):
        with pytest.raises(ValueError):
            FaultSpec.parse(bad)
    spec = FaultSpec.parse("500=0.1,playbyplayv3:500=0.4,hang=0.02")
    assert spec.rates("playbyplayv3") == {"500": 0.4, "hang": 0.02}


@pytest.fixture(scope="module")
def sim():
    with SimServer(port=0, today="2025-01-15") as server:
        yield server


@pytest.mark.parametrize(
    "path,status,text",
    [
        ("/stats/boxscoretraditionalv3", 400, "The GameID property is required."),
        ("/stats/boxscoretraditionalv3?GameID=abc", 400, "GameID"),
        ("/stats/leaguegamelog?Season=2024-25&SeasonType=Nope", 400, "SeasonType"),
        ("/stats/commonteamroster?TeamID=1610612739", 400, "The Season property is required."),
        ("/stats/commonplayerinfo", 400, "The PlayerID property is required."),
        ("/stats/nosuchendpoint?GameID=0022400001", 404, ""),
        ("/elsewhere", 404, ""),
        ("/stats/boxscoretraditionalv3?GameID=0022409999", 404, ""),
        ("/stats/commonplayerinfo?PlayerID=99999999", 404, ""),
        ("/stats/teaminfocommon?TeamID=1610612700", 404, ""),
    ],
)
def test_error_answers(sim, path, status, text):
    r = requests.get(sim.url + path, timeout=10)
    assert r.status_code == status
    assert text in r.text
    assert r.headers["Content-Type"].startswith("text/plain")


def test_gzip_when_asked(sim):
    url = f"{sim.url}/stats/playbyplayv3?GameID=0022400001"
    raw = socket.create_connection(("127.0.0.1", sim.port), timeout=10)
    raw.sendall(
        b"GET /stats/playbyplayv3?GameID=0022400001 HTTP/1.1\r\nHost: x\r\n"
        b"Accept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    )
    data = b""
    while chunk := raw.recv(65536):
        data += chunk
    raw.close()
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Content-Encoding: gzip" in head
    assert b"Content-Type: application/json; charset=utf-8" in head
    assert json.loads(gzip.decompress(body))["game"]["gameId"] == "0022400001"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers and plain.json()["game"]["actions"]


def test_games_after_today_do_not_exist_yet(sim):
    season = sim.league.season("2024-25")
    future = next(g for g in season.games if g.date > sim.league.today)
    past = [g for g in season.games if g.date < sim.league.today]
    for endpoint in ("boxscoretraditionalv3", "playbyplayv3", "boxscoresummaryv3"):
        answer = requests.get(
            f"{sim.url}/stats/{endpoint}", params={"GameID": future.game_id}, timeout=30
        )
        assert (answer.status_code, answer.text) == (
            404,
            f"No game found for GameID {future.game_id}.",
        )
    old, NBAStatsHTTP.base_url = NBAStatsHTTP.base_url, sim.base_url
    try:
        played = PlayByPlayV3(game_id=past[-1].game_id, timeout=30)
    finally:
        NBAStatsHTTP.base_url = old
    assert not played.get_data_frames()[0].empty
    finder = requests.get(
        f"{sim.url}/stats/leaguegamefinder",
        params={
            "Season": "2024-25",
            "SeasonType": "Regular Season",
            "PlayerOrTeam": "T",
            "DateFrom": "01/10/2025",
            "DateTo": "01/20/2025",
        },
        timeout=60,
    ).json()
    rows = finder["resultSets"][0]["rowSet"]
    dates = {row[5] for row in rows}
    assert dates and max(dates) == "2025-01-15" and min(dates) >= "2025-01-10"
    expected = {
        g.game_id
        for g in season.games
        if sim.league.today.replace(day=10) <= g.date <= sim.league.today
        and g.season_type == "Regular Season"
    }
    assert {row[4] for row in rows} == expected
    # today's games are being played: no result yet
    assert {row[7] for row in rows if row[5] == "2025-01-15"} == {None}
    assert {row[7] for row in rows if row[5] < "2025-01-15"} == {"W", "L"}


def test_throttle_hangs_after_n(tmp_path):
    log = tmp_path / "log.jsonl"
    with SimServer(
        port=0, throttle="5/4", hang_seconds=30, request_log=str(log), today="2025-07-01"
    ) as sim:
        url = f"{sim.url}/stats/teaminfocommon?TeamID=1610612739"
        for _ in range(5):
            assert requests.get(url, timeout=5).status_code == 200
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(url, timeout=0.5)
        time.sleep(4.2)  # the window empties
        assert requests.get(url, timeout=5).status_code == 200
        started = time.monotonic()
    # stop() does not wait for the hung request's 30 s (generous: the machine may be busy)
    assert time.monotonic() - started < 10.0
    faults = [e["fault"] for e in read_log(log)]
    # Six answered, one throttled. Log lines are written when a request ends, and the hung
    # one may end (its client gone) before or after the sixth: the order is not the point.
    assert sorted(faults, key=str) == [None] * 6 + ["throttle"]


def test_hang_longer_than_client_timeout(tmp_path):
    with (
        SimServer(port=0, faults="hang=1.0", hang_seconds=2) as sim,
        pytest.raises(requests.exceptions.ReadTimeout),
    ):
        requests.get(f"{sim.url}/stats/teaminfocommon?TeamID=1610612739", timeout=0.5)


def test_command_line_prints_its_url_and_serves(tmp_path):
    import subprocess
    import sys

    log = tmp_path / "log.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.sim",
            "--port",
            "0",
            "--seed",
            "3",
            "--request-log",
            str(log),
            "--today",
            "2025-01-15",
            "--latency-ms",
            "default=5",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("sim listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        r = requests.get(f"{url}/stats/boxscoresummaryv3?GameID=0022400001", timeout=30)
        assert r.status_code == 200 and r.json()["boxScoreSummary"]["gameId"] == "0022400001"
    finally:
        process.terminate()
        process.wait(timeout=10)
    entry = read_log(log)[0]
    assert entry["endpoint"] == "boxscoresummaryv3" and entry["latency_ms"] >= 5
