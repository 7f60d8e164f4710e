"""Real bodies from old seasons (tests/fixtures/hoopr, sources in SOURCES.md): what the
pipeline stores equals the body value for value, and the simulator's body for a game of the
same season has the same shape and the same era conventions."""

import datetime as dt
import json
import pathlib

import pyarrow.parquet as pq
import pytest

from pipeline.core.errors import EmptyPayloadError
from pipeline.lake.lake import Lake
from pipeline.model.ingest import Item, land
from pipeline.nba import endpoints, parse
from pipeline.sim.bodies import Responder
from pipeline.sim.league import League

HOOPR = pathlib.Path(__file__).parent / "fixtures" / "hoopr"
TRADITIONAL = sorted((HOOPR / "boxscoretraditionalv3").glob("*/*.json"))
SEASONS = [path.parent.name for path in TRADITIONAL]
LINEAGE = {"season", "season_type", "game_date", "game_id"}
TEAM_KEYS = ("teamId", "teamCity", "teamName", "teamTricode", "teamSlug")


@pytest.fixture(scope="module")
def responder():
    return Responder(League(seed=0, today=dt.date(2025, 7, 1)))


def expected_tables(box: dict) -> dict[str, list[dict]]:
    """The rows each lake table must hold, read straight from the body's JSON."""
    ids = {"homeTeamId": box["homeTeamId"], "awayTeamId": box["awayTeamId"]}
    players, teams, starters_bench = [], [], []
    for side in ("homeTeam", "awayTeam"):
        team = box[side]
        head = {"gameId": box["gameId"], **{k: team[k] for k in TEAM_KEYS}}
        for player in team["players"]:
            meta = {k: v for k, v in player.items() if k != "statistics"}
            players.append({**head, **meta, **player["statistics"], **ids})
        teams.append({**head, **team["statistics"], **ids})
        for part, label in (("starters", "Starters"), ("bench", "Bench")):
            stats = team[part] or dict.fromkeys(team["statistics"], None)
            stats = {k: v for k, v in stats.items() if k != "plusMinusPoints"}
            starters_bench.append({**head, **stats, "startersBench": label, **ids})
    return {
        "box_traditional_players": players,
        "box_traditional_teams": teams,
        "box_traditional_starter_bench": starters_bench,
    }


@pytest.mark.parametrize("path", TRADITIONAL, ids=SEASONS)
def test_traditional_box_score_lands_value_for_value(tmp_path, path):
    text = path.read_text()
    season = path.parent.name
    box = json.loads(text)["boxScoreTraditional"]
    lake = Lake(str(tmp_path))
    item = Item(season=season, key=box["gameId"], month=1, lineage={"game_id": box["gameId"]})
    land(lake, endpoints.BOX_TRADITIONAL, item, text, response_ms=1.0)
    for table, rows in expected_tables(box).items():
        stored = pq.read_table(lake.layout.table_file(table, season, 1, box["gameId"]))
        got = stored.to_pylist()
        # every body column, value for value and in order; besides them only the lineage
        assert [{k: row[k] for k in want} for row, want in zip(got, rows, strict=True)] == rows
        assert set(stored.column_names) - set(rows[0]) <= LINEAGE, table


def test_play_by_play_before_1996_97_is_an_empty_answer(responder):
    """1995-96: a 200 with "actions": [], never data; the simulator answers the same."""
    text = (HOOPR / "playbyplayv3" / "1995-96" / "0029500001.json").read_text()
    with pytest.raises(EmptyPayloadError):
        parse.parse(endpoints.PLAY_BY_PLAY, text)
    real = json.loads(text)
    sim = responder.answer("playbyplayv3", {"GameID": "0029500001"}).body
    assert shape(sim) == shape(real)
    assert sim["game"]["actions"] == real["game"]["actions"] == []
    assert sim["game"]["videoAvailable"] == real["game"]["videoAvailable"] == 0


def shape(value, path: str = "") -> dict[str, set]:
    """Every key path of a body (list items merged) -> the JSON types found there."""
    found: dict[str, set] = {}

    def walk(v, p):
        found.setdefault(p, set()).add(type(v).__name__)
        if isinstance(v, dict):
            for key, item in v.items():
                walk(item, f"{p}.{key}")
        elif isinstance(v, list):
            for item in v:
                walk(item, f"{p}[]")

    walk(value, path)
    return found


def _players(body):
    box = body["boxScoreTraditional"]
    return [p for side in ("homeTeam", "awayTeam") for p in box[side]["players"]]


def _played(body):
    return [p for p in _players(body) if p["statistics"]["minutes"]]


def _margin_is_team_plus_minus(body):
    box = body["boxScoreTraditional"]
    home, away = box["homeTeam"]["statistics"], box["awayTeam"]["statistics"]
    return home["plusMinusPoints"] == home["points"] - away["points"] == -away["plusMinusPoints"]


def _in_family_name_order(body):
    box = body["boxScoreTraditional"]
    return all(
        [p["familyName"] for p in box[s]["players"]]
        == sorted(p["familyName"] for p in box[s]["players"])
        for s in ("homeTeam", "awayTeam")
    )


# Era conventions: each must hold for the simulator's body exactly when it holds for the
# recorded body of the same season.
CONVENTIONS = {
    "starters and bench null": lambda b: b["boxScoreTraditional"]["homeTeam"]["starters"] is None,
    "no position marked": lambda b: all(p["position"] == "" for p in _players(b)),
    "whole minutes": lambda b: all(":" not in p["statistics"]["minutes"] for p in _played(b)),
    "players' plus-minus all 0.0": lambda b: all(
        p["statistics"]["plusMinusPoints"] == 0.0 for p in _players(b)
    ),
    "rows with no minutes": lambda b: len(_played(b)) < len(_players(b)),
    "players in family-name order": _in_family_name_order,
    "team plus-minus is the margin": _margin_is_team_plus_minus,
    "three-point columns kept": lambda b: all(
        p["statistics"]["threePointersMade"] is not None for p in _players(b)
    ),
    "rebounds split": lambda b: all(
        p["statistics"]["reboundsOffensive"] is not None for p in _players(b)
    ),
    "steals, blocks, turnovers kept": lambda b: all(
        p["statistics"][k] is not None for p in _players(b) for k in ("steals", "turnovers")
    ),
}


@pytest.mark.parametrize("path", TRADITIONAL, ids=SEASONS)
def test_simulated_box_score_has_the_recorded_shape_and_era(responder, path):
    real = json.loads(path.read_text())
    season = responder.season(path.parent.name)
    record = next(g for g in season.games if g.game_id.startswith("002"))
    sim = responder.answer("boxscoretraditionalv3", {"GameID": record.game_id}).body
    assert shape(sim) == shape(real)
    want = {name: check(real) for name, check in CONVENTIONS.items()}
    assert {name: check(sim) for name, check in CONVENTIONS.items()} == want


def test_the_bubble_game_ids_and_dates(responder):
    """2019-20: the recorded 0021901231 (NOP-UTA, July 30, 2020) is the first game in
    Orlando; ids of the cancelled games are never used."""
    real = json.loads((HOOPR / "boxscoretraditionalv3/2019-20/0021901231.json").read_text())
    season = responder.season("2019-20")
    first = season.games_by_id[real["boxScoreTraditional"]["gameId"]]
    assert first.date == dt.date(2020, 7, 30)
    regular = [g for g in season.games if g.season_type == "Regular Season"]
    orlando = [g for g in regular if g.date >= dt.date(2020, 7, 1)]
    assert min(g.game_id for g in orlando) == "0021901231"
    assert len(orlando) == 22 * 8 // 2
    assert not [g for g in regular if "0021900961" <= g.game_id <= "0021901230"]
    assert max(g.date for g in season.games) >= dt.date(2020, 10, 1)  # Finals in October
