"""Egresses (issue 14): one rate budget and one bench per proxy, proxies and headers on
every request, a blocked way out benched and not burned, and a run that stops by itself
when nothing answers.

Three layers: the limiter's rules on a real SQLite file with a fake clock; the client over
real loopback forward proxies (tests/proxies.py) in front of the simulator; and the real
CLI, Luigi and all, with NBA_API_PROXIES naming those proxies.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
import time

import pyarrow.parquet as pq
import pytest

from pipeline.core import redact
from pipeline.core.errors import ApiUnreachableError, BadPayloadError
from pipeline.nba import egress, endpoints
from pipeline.nba.client import NbaClient
from pipeline.nba.ratelimit import AllBenched, BenchPolicy, SharedRateLimiter
from pipeline.sim.server import SimServer
from tests.proxies import ForwardProxy, max_in_window
from tests.runner import luigi_cli, requests_in, why
from tests.test_ratelimit import FakeClock

EGRESSES = ("a", "b", "c")


@pytest.fixture
def clock():
    return FakeClock(now=1_700_000_000.0)


def limiter_for(tmp_path, clock, egresses=EGRESSES, interval=1.0, **options):
    options.setdefault("jitter_fraction", 0.0)
    options.setdefault("bench", BenchPolicy(after_failures=3, seconds=300, max_seconds=1000))
    return SharedRateLimiter(
        interval,
        tmp_path / "limiter.sqlite",
        egresses=egresses,
        clock=clock,
        sleep=clock.sleep,
        **options,
    )


# --- the limiter: one budget per egress ------------------------------------------------------


def test_each_request_leaves_through_the_egress_that_may_send_soonest(tmp_path, clock):
    limiter = limiter_for(tmp_path, clock)
    start = clock.now
    grants = [limiter.acquire() for _ in range(9)]
    assert [g.egress for g in grants] == list("abcabcabc")
    # k egresses: k requests per interval for the host, one per interval for each egress.
    assert [round(g.granted_at - start, 6) for g in grants] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    limiter.on_throttled(10.0, "b")  # b is paused and slower: the others carry on
    assert [limiter.acquire().egress for _ in range(4)] == ["a", "c", "a", "c"]
    assert limiter.current_interval("b") == 2.0 and limiter.current_interval("a") == 1.0


def test_jitter_allowance_spaces_each_egress_not_the_host(tmp_path, clock):
    limiter = limiter_for(tmp_path, clock, egresses=("a", "b"), interval=5.0, jitter_fraction=0.1)
    start = clock.now
    times = {"a": [], "b": []}
    for _ in range(6):
        grant = limiter.acquire()
        times[grant.egress].append(grant.granted_at - start)
    assert times == {"a": pytest.approx([0, 5.5, 11]), "b": pytest.approx([0, 5.5, 11])}


def test_an_egress_is_benched_after_three_unanswered_requests_in_a_row(tmp_path, clock):
    limiter = limiter_for(tmp_path, clock)
    limiter.on_timeout("a")
    limiter.on_unreachable("a")
    limiter.on_success("a")  # an answer breaks the run
    assert limiter.on_timeout("a") == [] and limiter.on_unreachable("a") == []
    benched = limiter.on_timeout("a")
    assert [(b.egress, b.seconds, b.reason) for b in benched] == [
        ("a", 300, "3 requests in a row got no answer")
    ]
    assert limiter.benched() == {"a": clock.now + 300}
    assert {limiter.acquire().egress for _ in range(20)} == {"b", "c"}


def test_bench_is_probed_after_its_cool_down_and_doubles_on_each_failed_probe(tmp_path, clock):
    limiter = limiter_for(tmp_path, clock, egresses=("a", "b"), interval=0)
    for _ in range(3):
        limiter.on_timeout("a")
    lengths = []
    for _ in range(4):
        clock.now = limiter.benched()["a"]  # the cool-down is over: a may be probed
        probe = next(g for g in iter(limiter.acquire, None) if g.egress == "a")
        assert probe.probe
        # While the probe is out, nothing else goes through a.
        assert {limiter.acquire().egress for _ in range(5)} == {"b"}
        [benched] = limiter.on_timeout("a")  # one failed probe is enough
        lengths.append(benched.seconds)
    assert lengths == [600, 1000, 1000, 1000]  # doubled, capped at bench_max_seconds

    clock.now = limiter.benched()["a"]
    probe = next(g for g in iter(limiter.acquire, None) if g.egress == "a")
    limiter.on_success("a")  # it answers: back in service, and the next bench starts over
    assert not next(g for g in iter(limiter.acquire, None) if g.egress == "a").probe
    for _ in range(3):
        benched = limiter.on_timeout("a")
    assert benched[0].seconds == 300


def test_a_probe_whose_outcome_never_comes_frees_its_egress_after_probe_seconds(tmp_path, clock):
    bench = BenchPolicy(after_failures=1, seconds=10, max_seconds=10, probe_seconds=65)
    limiter = limiter_for(tmp_path, clock, egresses=("a",), bench=bench)
    limiter.on_timeout("a")
    clock.now += 10
    first = limiter.acquire()
    assert first.probe  # and its process dies: no outcome is ever reported
    second = limiter.acquire()
    assert second.probe and second.granted_at - first.granted_at == pytest.approx(65)


def test_every_egress_failing_benches_them_all_and_acquire_says_so(tmp_path, clock):
    limiter = limiter_for(tmp_path, clock)
    assert limiter.on_timeout("a") == [] and limiter.on_unreachable("b") == []
    # No answer from any of them, three in all: the host is not answered.
    benched = limiter.on_timeout("c")
    assert sorted(b.egress for b in benched) == ["a", "b", "c"]
    with pytest.raises(AllBenched) as caught:
        limiter.acquire()
    assert set(caught.value.benched_until) == set(EGRESSES)


def test_egresses_failing_while_another_answers_is_no_host_block(tmp_path, clock):
    limiter = limiter_for(tmp_path, clock)
    for egress_name in ("a", "b", "a", "b"):
        limiter.on_timeout(egress_name)
    limiter.on_success("c")
    assert limiter.benched() == {}  # a and b at 2 each, short of 3; c answers
    assert limiter.acquire().egress in EGRESSES
    # Once c's latest request goes unanswered too, no way out answers any more.
    assert len(limiter.on_timeout("c")) == 3
    with pytest.raises(AllBenched):
        limiter.acquire()


def test_verdict_excuses_a_failure_whose_egress_was_benched_since(tmp_path, clock):
    limiter = limiter_for(tmp_path, clock, interval=0)
    on_a = next(g for g in iter(limiter.acquire, None) if g.egress == "a")
    on_b = next(g for g in iter(limiter.acquire, None) if g.egress == "b")
    limiter.on_timeout("a")
    limiter.on_timeout("b")
    assert limiter.verdict(on_a) == limiter.verdict(on_b) == "pending"
    clock.now += 1
    limiter.on_success("b")  # b answers someone else: b works, the failure was the request's
    limiter.on_timeout("a")
    limiter.on_timeout("a")  # a's third: benched
    assert limiter.verdict(on_a) == "excused" and limiter.verdict(on_b) == "charged"


def _bench_in_child(state_path: str) -> None:
    limiter = SharedRateLimiter(0, state_path, egresses=("a", "b"))
    for _ in range(3):
        limiter.on_timeout("a")


def test_the_bench_is_shared_by_every_process_on_the_host(tmp_path):
    state = tmp_path / "limiter.sqlite"
    parent = SharedRateLimiter(0, state, egresses=("a", "b"))
    parent.acquire()
    child = multiprocessing.get_context("fork").Process(target=_bench_in_child, args=(str(state),))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert set(parent.benched()) == {"a"}
    assert {parent.acquire().egress for _ in range(5)} == {"b"}


# --- egresses from configuration ------------------------------------------------------------


def test_proxy_urls_become_named_egresses_with_their_passwords_kept_secret(monkeypatch):
    monkeypatch.setenv(
        "NBA_API_PROXIES", " http://ann:S3cr%40t-pw@10.0.0.1:3128, https://10.0.0.2:8080/ "
    )
    ways = egress.configured()
    assert [w.name for w in ways] == ["http://ann:***@10.0.0.1:3128", "https://10.0.0.2:8080"]
    assert ways[0].proxy_url == "http://ann:S3cr%40t-pw@10.0.0.1:3128"
    assert egress.egress_count() == 2
    line = "ProxyError('Cannot connect to proxy', password S3cr@t-pw or S3cr%40t-pw')"
    assert "S3cr" not in redact.redact(line)
    monkeypatch.delenv("NBA_API_PROXIES")
    assert [w.name for w in egress.configured()] == ["direct"] and egress.egress_count() == 1


@pytest.mark.parametrize("value", ["socks4://h:1", "10.0.0.1:3128", "http://"])
def test_a_malformed_proxy_is_bad_input_without_its_credentials(monkeypatch, value):
    from pipeline.core import config

    monkeypatch.setenv("NBA_API_PROXIES", value.replace("h:", "user:pw-123456@h:"))
    with pytest.raises(config.BadInput) as caught:
        config.proxy_urls()
    assert "pw-123456" not in str(caught.value) and "NBA_API_PROXIES" in str(caught.value)


# --- the client over real proxies -------------------------------------------------------------

GAMES = ["0022400001", "0022400002", "0022400003", "0022400004", "0022400005", "0022400006"]


@pytest.fixture(scope="module")
def sim():
    with SimServer(port=0, seed=7, today="2024-10-27") as server:
        yield server


def client_through(tmp_path, base_url, proxies, **options):
    ways = egress.from_urls([p.url for p in proxies])
    limiter = SharedRateLimiter(
        options.pop("interval", 0),
        tmp_path / "limiter.sqlite",
        egresses=[w.name for w in ways],
        bench=BenchPolicy(after_failures=3, seconds=60, max_seconds=60, probe_seconds=5),
    )
    options.setdefault("timeout", 0.5)
    options.setdefault("backoff_base", 0.05)
    return NbaClient(base_url, limiter, egresses=ways, **options)


def test_a_hanging_proxy_is_benched_and_no_call_is_charged_for_it(tmp_path, sim):
    with ForwardProxy() as good, ForwardProxy(hang=True) as hanging:
        # max_retries=0: a single failure charged to a call would fail it.
        client = client_through(tmp_path, sim.base_url, [hanging, good], max_retries=0)
        for game_id in GAMES:
            fetched = client.fetch(endpoints.BOX_TRADITIONAL, game_id=game_id)
            assert fetched.tables["box_traditional_players"].column("gameId")[0].as_py() == game_id
        assert len(hanging.log) == 3  # three in a row, then benched
        assert [e["params"]["GameID"] for e in good.log if e["status"] == 200] == GAMES
        assert set(client.limiter.benched()) == {egress.egress_name(hanging.url)}


def test_every_proxy_hanging_raises_api_unreachable_within_three_timeouts(tmp_path, sim):
    with (
        ForwardProxy(hang=True, credentials=("ann", "pw-hidden-77")) as one,
        ForwardProxy(hang=True) as two,
    ):
        client = client_through(tmp_path, sim.base_url, [one, two], timeout=0.5)
        started = time.monotonic()
        with pytest.raises(ApiUnreachableError) as caught:
            client.fetch(endpoints.BOX_TRADITIONAL, game_id=GAMES[0])
        elapsed = time.monotonic() - started
        assert len(one.log) + len(two.log) == 3
    message = str(caught.value)
    assert "pw-hidden-77" not in message
    assert (
        "stats.nba.com (here 127.0.0.1:" in message and "is not answering from this host" in message
    )
    assert "all 2 proxies" in message and "Cloud and CI IPs" in message
    assert "[nba] proxies" in message and "NBA_API_PROXIES" in message
    assert "\n" not in message
    # Three requests in all (above) is the proof of no retry rounds; the time is only a
    # guard against a hang (about 2 s here, but a busy machine may stall for seconds).
    assert elapsed < 60


def test_another_games_body_is_retried_and_never_returned(tmp_path, sim):
    with ForwardProxy(swaps={GAMES[0]: GAMES[1]}, swap_times=2) as swapping:
        client = client_through(tmp_path, sim.base_url, [swapping], max_retries=2)
        fetched = client.fetch(endpoints.GAME_SUMMARY, game_id=GAMES[0])
        assert fetched.attempts == 3
        assert [e["served_game"] for e in swapping.log] == [GAMES[1], GAMES[1], None]
    assert json.loads(fetched.body)["boxScoreSummary"]["gameId"] == GAMES[0]
    with ForwardProxy(swaps={GAMES[0]: GAMES[1]}, swap_times=9) as swapping:
        client = client_through(tmp_path, sim.base_url, [swapping], max_retries=2)
        with pytest.raises(BadPayloadError, match=f"gameId {GAMES[1]}, not {GAMES[0]}"):
            client.fetch(endpoints.GAME_SUMMARY, game_id=GAMES[0])


def test_a_proxy_refusing_our_credentials_is_a_closed_way_out_not_a_dead_letter(tmp_path, sim):
    with ForwardProxy(credentials=("ann", "right-password")) as strict:
        stale = f"http://ann:wrong-password@127.0.0.1:{strict.port}"
        ways = egress.from_urls([stale])
        limiter = SharedRateLimiter(0, tmp_path / "l.sqlite", egresses=[w.name for w in ways])
        client = NbaClient(sim.base_url, limiter, egresses=ways, timeout=1, backoff_base=0.05)
        with pytest.raises(ApiUnreachableError, match="the proxy got no answer"):
            client.fetch(endpoints.BOX_TRADITIONAL, game_id=GAMES[0])
    assert [e["status"] for e in strict.log] == [407, 407, 407]


def test_configured_headers_replace_nba_apis_and_proxies_beat_the_environment(
    tmp_path, sim, monkeypatch
):
    with ForwardProxy() as configured, ForwardProxy(hang=True) as from_environment:
        monkeypatch.setenv("HTTP_PROXY", from_environment.url)
        monkeypatch.setenv("NBA_API_PROXY", from_environment.url)
        headers = {"user-agent": "backfill-test/1.0", "Sec-Fetch-Dest": None, "X-Extra": "1"}
        proxied = client_through(tmp_path, sim.base_url, [configured], headers=headers)
        proxied.fetch(endpoints.PLAY_BY_PLAY, game_id=GAMES[0])
        # Direct to loopback: the environment's proxies are not used.
        direct = client_through(tmp_path / "direct", sim.base_url, [])
        direct.fetch(endpoints.PLAY_BY_PLAY, game_id=GAMES[1])
        assert from_environment.log == []
    [sent] = [e["headers"] for e in configured.log]
    names = {k.lower(): v for k, v in sent.items()}
    assert names["user-agent"] == "backfill-test/1.0" and names["x-extra"] == "1"
    assert "sec-fetch-dest" not in names and names["referer"] == "https://www.nba.com/"


# --- the real CLI --------------------------------------------------------------------------

DAYS = [
    "SeasonBackfill",
    "--season",
    "2024-25",
    "--start-date",
    "2024-10-22",
    "--end-date",
    "2024-10-24",
    "--no-player-info",
    "--no-team-info",
    "--workers",
    "2",
]
FAST = ["--nba-bench-seconds", "2", "--nba-bench-max-seconds", "4"]
PASSWORDS = ("pw-ann-1f3a9c", "pw-bob-77e01d", "pw-cid-5b2e44", "pw-dan-9d0c3b")
HEADERS = '{"User-Agent": "backfill-test/2.0"}'
CRITICAL = re.compile(
    r"^(\S+ \S+) CRITICAL pipeline\.tasks: critical: ApiUnreachableError: (.*)$", re.M
)


def credentialed(**options) -> list[ForwardProxy]:
    return [
        ForwardProxy(credentials=(name, password), **options)
        for name, password in zip(("ann", "bob", "cid"), PASSWORDS[:3], strict=True)
    ]


def stamp(text: str) -> float:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def leaks(tmp_path, result) -> list[str]:
    """Where a proxy password shows up: the output, any file of the run (lake, summary,
    limiter state) or the run's events file."""
    places = {"stderr": result.stderr, "stdout": result.stdout}
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".gz" and path.name != "luigi.cfg":
            places[str(path)] = path.read_bytes().decode("utf-8", "replace")
    for summary in (tmp_path / "lake").glob("backfill-state/runs/*.json"):
        events = egress_events_path(json.loads(summary.read_text())["run_id"])
        if events.exists():
            places[str(events)] = events.read_text()
    return [where for where, text in places.items() for p in PASSWORDS if p in text]


def egress_events_path(run_id: str):
    from pipeline.core.events import events_path

    return events_path(run_id)


def week_sim(tmp_path, **options) -> SimServer:
    # today = the last day: discovery simulates only these days, well within a 1 s timeout.
    return SimServer(
        port=0, seed=7, today="2024-10-24", request_log=str(tmp_path / "sim.jsonl"), **options
    )


def test_three_proxies_one_hanging_land_every_game_at_each_proxys_rate(tmp_path):
    rate = 10  # per egress
    ann, bob, _ = credentialed()
    hanging = ForwardProxy(hang=True, credentials=("dan", PASSWORDS[3]))
    ways = [ann, hanging, bob]
    with week_sim(tmp_path) as sim, ways[0], ways[1], ways[2]:
        started = time.monotonic()
        result = luigi_cli(
            [*DAYS, "--nba-timeout-seconds", "1", *FAST, "--nba-headers", HEADERS],
            lake=tmp_path / "lake",
            sim=sim,
            tmp=tmp_path,
            env={
                "NBA_API_PROXIES": ",".join(p.url for p in ways),
                "NBA_RATE_LIMIT_SECONDS": str(1 / rate),
            },
        )
        elapsed = time.monotonic() - started
        games = [g for g in sim.league.season("2024-25").games if g.is_final]
    assert result.returncode == 0, why(result)
    lake = tmp_path / "lake"
    for game in games:
        for endpoint in endpoints.endpoints_for(2024):  # the default datasets
            for table in endpoint.tables.values():
                path = lake / table / "season=2024-25" / f"month={game.date.month}"
                assert (path / f"{game.game_id}.parquet").exists(), (table, game.game_id)
    assert not (lake / "backfill-state/dead-letters").exists()
    assert "failed 0" in result.stderr and "dead letters 0" in result.stderr
    # Every request reached the API through a working proxy, none directly.
    carried = [e for p in (ways[0], ways[2]) for e in p.log if e["status"] == 200]
    assert len(carried) == len(requests_in(tmp_path / "sim.jsonl")) >= 4 * len(games) + 4
    for proxy in (ways[0], ways[2]):
        assert len(proxy.log) > len(carried) / 4  # both carry a share
        assert max_in_window(proxy.arrivals()) <= rate  # at arrival, in any 1 s window
        assert all(e["authorized"] for e in proxy.log)
        assert {e["headers"]["User-Agent"] for e in proxy.log} == {"backfill-test/2.0"}
    # The hanging proxy: benched after three, then one probe per cool-down (2 s, then 4 s).
    probes = 1 + int(elapsed / 2)
    assert 3 <= len(hanging.log) <= 3 + probes, (len(hanging.log), elapsed)
    name = f"http://dan:***@127.0.0.1:{hanging.port}"
    assert f"egress {name} benched for 2s (3 requests in a row got no answer)" in result.stderr
    assert leaks(tmp_path, result) == []


def test_every_proxy_hanging_stops_the_run_with_one_line_within_the_bound(tmp_path):
    timeout = 2.0
    hanging = credentialed(hang=True)
    with week_sim(tmp_path) as sim, hanging[0], hanging[1], hanging[2]:
        started = time.time()
        result = luigi_cli(
            # The proxies from the command line this time; the default backoff and bench.
            [*DAYS, "--nba-timeout-seconds", str(timeout)]
            + ["--nba-proxies", ",".join(p.url for p in hanging)],
            lake=tmp_path / "lake",
            sim=sim,
            tmp=tmp_path,
            env={"LOG_FORMAT": "text"},
        )
        ended = time.time()
    assert result.returncode == 4, why(result)  # [retcode] task_failed
    lines = CRITICAL.findall(result.stderr)
    assert len(lines) == 1, result.stderr[-4000:]
    stopped_at, message = stamp(lines[0][0]), lines[0][1]
    assert message.startswith(f"stats.nba.com (here 127.0.0.1:{sim.port}) is not answering")
    assert "from this host: all 3 proxies got no answer" in message
    assert "Cloud and CI IPs (AWS, GCP, hosted runners) are commonly blocked" in message
    assert "[nba] proxies or NBA_API_PROXIES" in message
    # Discovery's first request to the stop: within three timeouts and a minute.
    first = min(e["arrived"] for p in hanging for e in p.log)
    assert stopped_at - first <= 3 * timeout + 60
    assert ended - started <= 3 * timeout + 60 + 30  # Luigi's start and stop included
    assert sum(len(p.log) for p in hanging) == 3  # one each: the host does not answer
    assert requests_in(tmp_path / "sim.jsonl") == []
    assert not (tmp_path / "lake/backfill-state/dead-letters").exists()
    assert "was stopped" in result.stderr  # the critical stop: the worker asked for no more
    assert leaks(tmp_path, result) == []


def test_proxies_blocked_mid_run_stop_it_with_nothing_failed_or_dead_lettered(tmp_path):
    timeout = 1.0
    # Both proxies forward discovery and a few games, then never answer again.
    blocked = [ForwardProxy(hang_after=12), ForwardProxy(hang_after=12)]
    with week_sim(tmp_path) as sim, blocked[0], blocked[1]:
        result = luigi_cli(
            [*DAYS, "--nba-timeout-seconds", str(timeout), "--nba-backoff-base-seconds", "0.5"],
            lake=tmp_path / "lake",
            sim=sim,
            tmp=tmp_path,
            env={"NBA_API_PROXIES": ",".join(p.url for p in blocked), "LOG_FORMAT": "text"},
        )
    assert result.returncode == 4, why(result)
    lines = CRITICAL.findall(result.stderr)  # one per worker process whose task met it
    assert 1 <= len(lines) <= 2, result.stderr[-4000:]
    stopped_at, message = min(lines)
    assert "is not answering from this host: all 2 proxies" in message
    hung = sorted(e["arrived"] for p in blocked for e in p.log if e["status"] == "hang")
    assert 3 <= len(hung) <= 6  # the host's three, and what the other worker had in flight
    assert stamp(stopped_at) - hung[0] <= 3 * timeout + 60
    assert len(requests_in(tmp_path / "sim.jsonl")) == 24  # discovery and 20 items landed
    assert not (tmp_path / "lake/backfill-state/dead-letters").exists()
    assert re.search(r"dead letters 0, failed 0;", result.stderr), result.stderr[-2000:]
    assert "was stopped" in result.stderr


def test_a_direct_connection_that_never_answers_stops_at_discovery(tmp_path):
    timeout = 1.0
    with ForwardProxy(hang=True) as silent_api:  # an API host that accepts and says nothing
        result = luigi_cli(
            [*DAYS, "--nba-timeout-seconds", str(timeout), "--nba-backoff-base-seconds", "0.5"],
            lake=tmp_path / "lake",
            tmp=tmp_path,
            env={"NBA_API_BASE_URL": f"http://127.0.0.1:{silent_api.port}/stats/{{endpoint}}"},
        )
        arrivals = silent_api.arrivals()
    assert result.returncode == 4, why(result)
    [(stopped_at, message)] = CRITICAL.findall(result.stderr)
    assert "is not answering from this host: the direct connection got no answer" in message
    assert "NBA_API_PROXIES" in message
    assert [e for e in silent_api.log if e["endpoint"] != "leaguegamefinder"] == []
    assert len(arrivals) == 3 and stamp(stopped_at) - arrivals[0] <= 3 * timeout + 60


def test_a_body_swapping_proxy_gets_nothing_stored_under_the_wrong_id(tmp_path):
    from pipeline.lake.lake import Lake
    from pipeline.report.season import validate_season

    victim, other = "0022400008", "0022400001"
    with week_sim(tmp_path) as sim, ForwardProxy(swaps={victim: other}, swap_times=3) as swapping:
        result = luigi_cli(
            [*DAYS, "--nba-backoff-base-seconds", "0.1"],
            lake=tmp_path / "lake",
            sim=sim,
            tmp=tmp_path,
            env={"NBA_API_PROXIES": swapping.url},
        )
    assert result.returncode == 0, why(result)
    assert [e["params"]["GameID"] for e in swapping.log if e["served_game"]] == [victim] * 3
    assert result.stderr.count("BadPayloadError") >= 3
    lake = tmp_path / "lake"
    for endpoint in endpoints.endpoints_for(2024):  # the default datasets
        for dataset, column, _ in endpoint.identity:
            for path in (lake / endpoint.tables[dataset]).rglob("*.parquet"):
                ids = set(pq.read_table(path, columns=[column]).column(column).to_pylist())
                assert ids <= {path.stem}, (path, ids)
    report = validate_season(Lake(str(lake)), "2024-25")
    assert report["problems"] == [] and report["summary"]["passed"]


def test_nba_backfill_exits_9_with_proxies_from_luigi_cfg_that_never_answer(tmp_path):
    from tests.test_cli import NBA_BACKFILL, run_tool

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    hanging = credentialed(hang=True)
    with week_sim(tmp_path) as sim, hanging[0], hanging[1], hanging[2]:
        settings = tmp_path / "luigi.cfg"
        settings.write_text(
            "[nba]\n"
            f"proxies = {','.join(p.url for p in hanging)}\n"
            "timeout_seconds = 1\n"
            "backoff_base_seconds = 0.1\n"
        )
        result = run_tool(
            NBA_BACKFILL,
            ["run", *DAYS[1:7]],
            cwd=cwd,
            env={
                "NBA_API_BASE_URL": sim.base_url,
                "LAKE_ROOT": str(tmp_path / "lake"),
                "LUIGI_CONFIG_PATH": str(settings),
            },
        )
    assert result.returncode == 9, why(result)
    [(_, message)] = CRITICAL.findall(result.stderr)
    assert "is not answering from this host: all 3 proxies" in message
    assert result.stderr.rstrip().endswith("exit 9: stats.nba.com is not answering from this host")
    assert sum(len(p.log) for p in hanging) == 3
    assert leaks(tmp_path, result) == []  # the config file aside
