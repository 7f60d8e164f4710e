"""Issue 24: shots, hustle, tracking, matchups, defense, rotations and win probability.

Real bodies (tests/fixtures/nba_api: game 0022200552, the game of shared/fixtures' full set;
tests/fixtures/hoopr: bodies by season) parsed value for value; the cross-dataset rules held
by the real game; and a season run against the simulator with every dataset switched on.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pathlib

import pandas as pd
import pyarrow.parquet as pq
import pytest
from nba_api.stats.library.http import NBAStatsResponse

from pipeline.core.errors import BadPayloadError, EmptyPayloadError
from pipeline.lake import schema
from pipeline.lake.lake import Lake
from pipeline.model.ingest import Item, land
from pipeline.nba import endpoints, parse
from pipeline.nba.games import Game
from pipeline.report import checks, rules
from pipeline.report.checks import Findings
from pipeline.report.scan import open_files, stack
from pipeline.sim.server import SimServer
from tests.conftest import fixture_body
from tests.runner import luigi_cli, requests_in, why

HERE = pathlib.Path(__file__).parent / "fixtures"
NEW = endpoints.MORE_OF_EACH_GAME
GAME = "0022200552"


def bodies(endpoint) -> list[pathlib.Path]:
    return sorted(
        [*(HERE / "nba_api" / endpoint.api_name).glob("*.json")]
        + [*(HERE / "hoopr" / endpoint.api_name).glob("*/*.json")]
    )


CASES = [(e, p) for e in NEW for p in bodies(e)]


def nba_api_datasets(endpoint, body: str) -> dict:
    response = NBAStatsResponse(response=body, status_code=200, url=None)
    if endpoint.api_name in parse._PARSER_REGISTRY:
        return response.get_data_sets(endpoint.api_name)
    return response.get_data_sets()


def test_every_new_dataset_has_a_real_body_but_win_probability():
    assert {e.key for e, _ in CASES} == {e.key for e in NEW} - {"win_probability"}


@pytest.mark.parametrize("endpoint,path", CASES, ids=[f"{e.key}:{p.name}" for e, p in CASES])
def test_real_body_lands_value_for_value_or_is_empty(tmp_path, endpoint, path):
    body = path.read_text(encoding="utf-8")
    try:
        expected = nba_api_datasets(endpoint, body)
        has_rows = all(expected[d]["data"] for d in endpoint.required)
    except (KeyError, TypeError, AttributeError, IndexError):
        has_rows = False  # nba_api's parser fails on the empty shape
    if not has_rows:  # before the dataset's era: empty, a dead letter, never data
        with pytest.raises(EmptyPayloadError):
            parse.parse(endpoint, body)
        return
    lake = Lake(str(tmp_path))
    item = Item(season="2022-23", key="k", month=1, lineage={"game_id": "g", "season": "2022-23"})
    land(lake, endpoint, item, body)
    for dataset, table in endpoint.tables.items():
        stored = pq.read_table(lake.layout.table_file(table, "2022-23", 1, "k"))
        added = schema.added_columns(stored.schema.metadata)
        assert added == {}, f"{table}: the catalogue lacks {added}"
        assert stored.schema.remove_metadata() == schema.expected_schema(table, {})
        headers, rows = expected[dataset]["headers"], expected[dataset]["data"]
        assert stored.num_rows == len(rows)
        for position, name in enumerate(headers):
            assert stored.column(name).to_pylist() == [r[position] for r in rows], name


# ----- the cross-dataset rules, on the real game ---------------------------------------------
def real_game_findings(tmp_path, change=None) -> Findings:
    """The real game 0022200552 landed (traditional box score from shared/fixtures, the rest
    from tests/fixtures/nba_api), then the issue-24 checks. `change(endpoint, body)` may
    alter a body first."""
    lake = Lake(str(tmp_path))
    item = Item(season="2022-23", key=GAME, month=1, lineage={"game_id": GAME})
    traditional = fixture_body(f"boxscoretraditionalv3/GameID={GAME}.json")
    sources = [(endpoints.BOX_TRADITIONAL, traditional)]
    for endpoint in NEW:
        for path in (HERE / "nba_api" / endpoint.api_name).glob(f"*GameID={GAME}*.json"):
            sources.append((endpoint, path.read_text(encoding="utf-8")))
    files = {}
    for endpoint, body in sources:
        land(lake, endpoint, item, change(endpoint, body) if change else body)
        for table in endpoint.tables.values():
            path = lake.layout.table_file(table, "2022-23", 1, GAME)
            files[table] = open_files(lake, [path], rules.read_columns(table, None))
    frames = {
        t: (stack(files[t], rules.DATA_COLUMNS[t], schema.table_schema(t)).to_pandas(), {GAME})
        for t in ("box_traditional_players", "box_traditional_teams")
    }
    game = Game(GAME, "2022-23", "Regular Season", "2023-01-02", 1, 1610612739, 1610612741)
    findings = Findings()
    checks.check_more_of_each_game(findings, files, frames, {GAME: game})
    return findings


NEW_RULES = ("reconcile.rotation_box", "reconcile.hustle_box", "reconcile.tracking_box",
             "reconcile.defensive_box", "reconcile.matchup_players")  # fmt: skip


def test_the_real_game_obeys_the_new_rules(tmp_path):
    findings = real_game_findings(tmp_path)
    assert findings.problems == []
    # Every rule with its data ran: five rules of weight 2.
    assert findings.weight_run[GAME] == sum(rules.weight(r) for r in NEW_RULES)


def test_a_changed_figure_breaks_its_rule(tmp_path):
    def change(endpoint, body):
        if endpoint is endpoints.BOX_HUSTLE:
            return body.replace('"points":44', '"points":45', 1)  # DeRozan scored 44
        if endpoint is endpoints.ROTATIONS:
            return body.replace("4980.0", "5000.0", 1)  # Love's first stint, 2 s longer
        return body

    found = {(p["rule"], p["detail"]) for p in real_game_findings(tmp_path, change).problems}
    assert found == {
        ("reconcile.hustle_box", "player 201942 points 45, box score points 44"),
        ("reconcile.rotation_box", "player 201567 span 2269.6, box score seconds 2268"),
    }


def test_the_real_shot_chart_obeys_value_and_zone():
    body = (HERE / "nba_api/shotchartdetail").glob("*.json").__next__().read_text()
    shots = parse.parse(endpoints.SHOTS, body)["shots"].to_pandas()
    shots["file_game"] = shots["GAME_ID"]
    findings = Findings()
    games = set(shots["GAME_ID"])
    columns = ["file_game", "personId", "_in_box", "fieldGoalsMade", "fieldGoalsAttempted",
               "threePointersMade", "threePointersAttempted"]  # fmt: skip
    checks._check_shots(findings, shots, games, pd.DataFrame(columns=columns), games)
    assert [p for p in findings.problems if p["rule"] == "shots.value_zone"] == []
    assert len(shots) == 532 and set(shots["SHOT_TYPE"]) == {"2PT Field Goal", "3PT Field Goal"}


# ----- a season run against the simulator, every dataset on ----------------------------------
SWITCHES = [f"--{e.group.replace('_', '-')}" for e in endpoints.GAME_ENDPOINTS if e.optional]


def run(tmp_path, sim, season: str, *extra: str):
    args = ["SeasonBackfill", "--season", season, "--limit", "2", "--no-player-info",
            "--no-team-info", "--workers", "1", *SWITCHES, *extra]  # fmt: skip
    return luigi_cli(args, lake=tmp_path / "lake", sim=sim, tmp=tmp_path)


@pytest.mark.parametrize("season", ["2024-25", "2014-15"])
def test_season_run_lands_each_dataset_of_its_era_and_validates(tmp_path, season):
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=7, request_log=str(log), today="2025-06-30") as sim:
        result = run(tmp_path, sim, season)
        first = len(requests_in(log))
        again = run(tmp_path, sim, season)
        asked = {r["endpoint"] for r in requests_in(log)[:first]}
    assert result.returncode == 0, why(result)
    assert again.returncode == 0 and len(requests_in(log)) == first  # a rerun: 0 requests
    year = int(season[:4])
    for endpoint in NEW:
        in_era = endpoint.era.records(year)
        assert (endpoint.api_name in asked) == in_era, endpoint.key
        for table in endpoint.tables.values():
            files = list((tmp_path / "lake" / table).rglob("*.parquet"))
            assert len(files) == (2 if in_era else 0), table
    report = json.loads(next((tmp_path / "lake" / "data-quality").rglob("report.json")).read_text())
    assert report["summary"]["passed"], report["summary"]
    assert report["problems"] == []
    if year >= 2017:  # every dataset landed: a changed file trips its rule
        assert_rules_bite(tmp_path / "lake", season)


def assert_rules_bite(root: pathlib.Path, season: str) -> None:
    """Drop a shot and stretch a stint in one game's files: validation (the lake only) says so."""
    import pyarrow as pa

    from pipeline.report.season import validate_season

    shots = sorted((root / "shots").rglob("*.parquet"))[0]
    table = pq.read_table(shots)
    pq.write_table(table.slice(1), shots)
    stints = sorted((root / "rotations_home").rglob("*.parquet"))[0]
    table = pq.read_table(stints)
    column = table.schema.get_field_index("OUT_TIME_REAL")
    longer = pa.array([v + 100.0 for v in table.column(column).to_pylist()], pa.float64())
    pq.write_table(table.set_column(column, "OUT_TIME_REAL", longer), stints)
    games = [p.stem for p in (root / "shots").rglob("*.parquet")]
    every = endpoints.endpoints_for(2024, frozenset())
    report = validate_season(Lake(str(root)), season, endpoints=every, games=games)
    found = {(p["game_id"], p["rule"]) for p in report["problems"]}
    assert found == {(shots.stem, "reconcile.shots_box"), (stints.stem, "reconcile.rotation_box")}


# ----- the simulator: each dataset from the same game ---------------------------------------
@pytest.fixture(scope="module")
def sim_games():
    """A few final games of the simulated 2024-25, with every body they answer."""
    from pipeline.sim.bodies import Responder
    from pipeline.sim.league import League

    responder = Responder(League(3, today=dt.date(2025, 6, 30)))
    records = [g for g in responder.league.season("2024-25").games if g.is_final][:4]

    def ask(endpoint, record):
        kwargs = endpoint.item_kwargs(record.game_id, "2024-25", record.season_type)
        call = endpoint.nba_class(**kwargs, get_request=False)
        params = {k: "" if v is None else str(v) for k, v in call.parameters.items()}
        reply = responder.answer(endpoint.api_name, params)
        assert reply.status == 200, reply.body
        body = json.dumps(reply.body)
        tables = parse.parse(endpoint, body)
        parse.check_identity(endpoint, kwargs, tables, body)
        return {name: t.to_pylist() for name, t in tables.items()}

    wanted = (endpoints.BOX_TRADITIONAL, endpoints.PLAY_BY_PLAY, *NEW)
    return [{e.key: ask(e, r) for e in wanted} for r in records]


def test_sim_shots_are_the_play_by_play_field_goals(sim_games):
    for game in sim_games:
        shots = game["shots"]["shots"]
        goals = [a for a in game["play_by_play"]["play_by_play"] if a["isFieldGoal"]]
        assert [
            (s["GAME_EVENT_ID"], s["PLAYER_ID"], s["SHOT_MADE_FLAG"], s["LOC_X"], s["LOC_Y"])
            for s in shots
        ] == [
            (a["actionNumber"], a["personId"], int(a["shotResult"] == "Made"), a["xLegacy"],
             a["yLegacy"])
            for a in goals
        ]  # fmt: skip
        for s in shots:
            three = s["SHOT_TYPE"] == "3PT Field Goal"
            beyond = abs(s["LOC_X"]) > 220 or math.hypot(s["LOC_X"], s["LOC_Y"]) > 237.5
            assert three == beyond, s
            assert s["SHOT_DISTANCE"] == int(math.hypot(s["LOC_X"], s["LOC_Y"]) // 10)
            assert (s["SHOT_ZONE_BASIC"] in rules.THREE_POINT_ZONES) == three
        for p in game["box_traditional"]["box_traditional_players"]:
            mine = [s for s in shots if s["PLAYER_ID"] == p["personId"]]
            assert (sum(s["SHOT_MADE_FLAG"] for s in mine), len(mine)) == (
                p["fieldGoalsMade"],
                p["fieldGoalsAttempted"],
            )


def test_sim_rotation_is_the_substitutions_and_the_minutes(sim_games):
    for game in sim_games:
        box = {p["personId"]: p for p in game["box_traditional"]["box_traditional_players"]}
        stints = [*game["rotations"]["rotations_home"], *game["rotations"]["rotations_away"]]
        end = max(s["OUT_TIME_REAL"] for s in stints)
        subs = [
            a for a in game["play_by_play"]["play_by_play"] if a["actionType"] == "Substitution"
        ]
        # Every stint that ends before the final buzzer ends with a substitution.
        assert sum(s["OUT_TIME_REAL"] < end for s in stints) == len(subs)
        for person, p in box.items():
            mine = [s for s in stints if s["PERSON_ID"] == person]
            seconds = sum(s["OUT_TIME_REAL"] - s["IN_TIME_REAL"] for s in mine) / 10
            minutes, secs = (int(v) for v in (p["minutes"] or "0:00").split(":"))
            assert seconds == minutes * 60 + secs
            assert sum(s["PLAYER_PTS"] for s in mine) == p["points"]
            assert sum(s["PT_DIFF"] for s in mine) == p["plusMinusPoints"]


def test_sim_win_probability_follows_the_score(sim_games):
    for game in sim_games:
        actions = game["play_by_play"]["play_by_play"]
        score, running = {}, (0, 0)
        for a in actions:
            if a["scoreHome"] not in ("", None):
                running = (int(a["scoreHome"]), int(a["scoreAway"]))
            score[a["actionNumber"]] = running
        rows = game["win_probability"]["win_probability"]
        events = [r for r in rows if r["EVENT_NUM"] is not None]
        assert [r["EVENT_NUM"] for r in events] == [a["actionNumber"] for a in actions]
        for r in events:
            assert (r["HOME_PTS"], r["VISITOR_PTS"]) == score[r["EVENT_NUM"]]
            assert r["HOME_PCT"] + r["VISITOR_PCT"] == pytest.approx(1)
        home, away = running
        assert rows[-1]["HOME_PCT"] == (1.0 if home > away else 0.0)
        info = game["win_probability"]["win_probability_game"][0]
        assert (info["HOME_TEAM_PTS"], info["VISITOR_TEAM_PTS"]) == running


def test_sim_tracking_era_box_scores_share_the_box_score(sim_games):
    for game in sim_games:
        box = {p["personId"]: p for p in game["box_traditional"]["box_traditional_players"]}
        for row in game["box_hustle"]["box_hustle_players"]:
            assert (row["minutes"], row["points"]) == (
                box[row["personId"]]["minutes"],
                box[row["personId"]]["points"],
            )
        for row in game["box_player_track"]["box_player_track_players"]:
            p = box[row["personId"]]
            assert row["assists"] == p["assists"]
            assert (
                row["contestedFieldGoalsAttempted"] + row["uncontestedFieldGoalsAttempted"]
                == (p["fieldGoalsAttempted"])
            )
        for row in game["box_defensive"]["box_defensive_players"]:
            p = box[row["personId"]]
            assert (row["defensiveRebounds"], row["steals"], row["blocks"]) == (
                p["reboundsDefensive"],
                p["steals"],
                p["blocks"],
            )
        for row in game["box_matchups"]["box_matchups"]:
            assert box[row["personIdOff"]]["teamId"] == row["teamId"]
            assert box[row["personIdDef"]]["teamId"] != row["teamId"]


@pytest.mark.parametrize("endpoint", [e for e in NEW if e.era.first > 1996], ids=lambda e: e.key)
def test_sim_answers_the_empty_shape_before_an_era(endpoint):
    from pipeline.sim.bodies import Responder
    from pipeline.sim.league import League

    responder = Responder(League(3, today=dt.date(2025, 6, 30)))
    season = f"{endpoint.era.first - 1}-{endpoint.era.first % 100:02d}"
    record = next(g for g in responder.league.season(season).games if g.is_final)
    kwargs = endpoint.item_kwargs(record.game_id, season, record.season_type)
    call = endpoint.nba_class(**kwargs, get_request=False)
    params = {k: "" if v is None else str(v) for k, v in call.parameters.items()}
    with pytest.raises(EmptyPayloadError):
        parse.parse(endpoint, json.dumps(responder.answer(endpoint.api_name, params).body))


def test_an_empty_answer_inside_the_era_is_a_dead_letter(tmp_path):
    log = tmp_path / "requests.jsonl"
    # Two datasets whose era is certain here: an empty answer is a dead letter, not a probe
    # that finds the season unrecorded (tests/test_eras.py covers that).
    faults = "boxscorematchupsv3:empty=1.0,boxscoredefensivev2:empty=1.0"
    with SimServer(port=0, seed=7, request_log=str(log), today="2025-06-30", faults=faults) as sim:
        result = run(tmp_path, sim, "2024-25")
        first = len(requests_in(log))
        again = run(tmp_path, sim, "2024-25")
    assert result.returncode == 3, why(result)  # done, except dead letters
    assert again.returncode == 3 and len(requests_in(log)) == first  # not asked again
    letters = tmp_path / "lake" / "backfill-state" / "dead-letters" / "season=2024-25"
    assert sorted(p.name for p in letters.iterdir()) == ["box_defensive", "box_matchups"]
    assert len(list((letters / "box_defensive").glob("*.json"))) == 2


REAL_GAME = [e for e in NEW if list((HERE / "nba_api" / e.api_name).glob(f"*GameID={GAME}*"))]


@pytest.mark.parametrize("endpoint", REAL_GAME, ids=lambda e: e.key)
def test_real_body_is_the_game_asked_for_and_no_other(endpoint):
    body = next((HERE / "nba_api" / endpoint.api_name).glob("*.json")).read_text("utf-8")
    tables = parse.parse(endpoint, body)
    parse.check_identity(endpoint, endpoint.item_kwargs(GAME, "2022-23"), tables, body)
    with pytest.raises(BadPayloadError):
        parse.check_identity(endpoint, endpoint.item_kwargs("0022400999", "2022-23"), tables, body)


def test_a_shot_chart_of_other_games_is_not_the_game_asked_for():
    body = next((HERE / "nba_api/shotchartdetail").glob("*.json")).read_text("utf-8")
    tables = parse.parse(endpoints.SHOTS, body)
    asked = endpoints.SHOTS.item_kwargs("0022500003", "2025-26", "Regular Season")
    with pytest.raises(BadPayloadError, match="GAME_ID"):  # a season's shots, many games
        parse.check_identity(endpoints.SHOTS, asked, tables, body)
