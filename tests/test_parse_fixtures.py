"""Our parsing and storage path against real stats.nba.com bodies, value for value."""

import json

import pyarrow.parquet as pq
import pytest
from nba_api.stats.library.http import NBAStatsResponse

from pipeline.core.errors import BadPayloadError, EmptyPayloadError
from pipeline.lake import schema
from pipeline.lake.lake import Lake
from pipeline.model.ingest import Item, land
from pipeline.nba import endpoints, parse
from pipeline.nba.games import index_from_finder
from tests.conftest import FIXTURES, fixture_body

GAME = "0022200552"
# Every real body we have, for every catalogue endpoint that answers it: a new catalogue
# entry is checked here as soon as its fixtures exist.
CASES = [
    (endpoint, f"{endpoint.api_name}/{path.name}")
    for endpoint in endpoints.ALL.values()
    for path in sorted((FIXTURES / endpoint.api_name).glob("*.json"))
]


def nba_api_datasets(endpoint, body):
    """What nba_api itself yields for a body: the reference we must equal."""
    response = NBAStatsResponse(response=body, status_code=200, url=None)
    if endpoint.api_name.endswith("v3"):
        return response.get_data_sets(endpoint.api_name)
    return response.get_data_sets()


@pytest.mark.parametrize("endpoint,relative", CASES, ids=[f"{e.key}:{r}" for e, r in CASES])
def test_stored_parquet_equals_body_values(tmp_path, fixtures_dir, endpoint, relative):
    body = fixture_body(relative)
    lake = Lake(str(tmp_path))
    item = Item(season="2022-23", key="k", month=1, lineage={"game_id": "g", "season": "2022-23"})
    land(lake, endpoint, item, body, response_ms=12.5)
    expected = nba_api_datasets(endpoint, body)
    for dataset, table_name in endpoint.tables.items():
        path = lake.layout.table_file(table_name, "2022-23", 1, "k")
        stored = pq.read_table(path)
        headers = list(expected[dataset]["headers"])
        rows = expected[dataset]["data"]
        # Every column nba_api yields, in the table's one schema (pipeline/lake/schema.py).
        assert set(headers) <= set(stored.column_names)
        added = schema.added_columns(stored.schema.metadata)
        assert stored.schema.remove_metadata() == schema.expected_schema(table_name, added)
        assert stored.num_rows == len(rows)
        for position, name in enumerate(headers):
            want = [row[position] for row in rows]
            got = stored.column(name).to_pylist()
            want = [w if not isinstance(w, (dict, list)) else json.dumps(w) for w in want]
            assert got == want, f"{table_name}.{name}"
        metadata = {k.decode(): v.decode() for k, v in stored.schema.metadata.items()}
        assert metadata["endpoint"] == endpoint.api_name
        assert metadata["row_count"] == str(len(rows))
        assert metadata["api_response_ms"] == "12.5"
        assert {"source", "ingested_at", "schema_version", "season"} <= set(metadata)
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "SNAPPY"


def test_game_0022200552_known_values(fixtures_dir):
    box = parse.parse(
        endpoints.BOX_TRADITIONAL, fixture_body(f"boxscoretraditionalv3/GameID={GAME}.json")
    )
    players = box["box_traditional_players"]
    assert players.num_rows == 23
    teams = box["box_traditional_teams"].to_pylist()
    assert {t["teamTricode"]: t["points"] for t in teams} == {"CLE": 145, "CHI": 134}
    points_by_team = {}
    for row in players.to_pylist():
        points_by_team[row["teamTricode"]] = points_by_team.get(row["teamTricode"], 0) + (
            row["points"] or 0
        )
    assert points_by_team == {"CLE": 145, "CHI": 134}
    pbp = parse.parse(endpoints.PLAY_BY_PLAY, fixture_body(f"playbyplayv3/GameID={GAME}.json"))
    actions = pbp["play_by_play"].to_pylist()
    assert len(actions) == 560
    last = actions[-1]
    assert (int(last["scoreHome"]), int(last["scoreAway"])) == (145, 134)


def test_game_index_one_row_per_game(fixtures_dir):
    body = fixture_body(
        "leaguegamefinder/LeagueID=00,PlayerOrTeam=T,Season=2023-24,SeasonType=Regular+Season.json"
    )
    finder = parse.parse(endpoints.GAME_FINDER, body)["game_finder"]
    assert finder.num_rows == 2460
    index = index_from_finder("2023-24", finder.to_pylist()).to_pylist()
    assert len(index) == 1230
    assert len({g["game_id"] for g in index}) == 1230
    by_id = {g["game_id"]: g for g in index}
    game = by_id["0022301188"]  # "IND vs. ATL": Indiana at home
    assert game["home_team"] == "IND" and game["away_team"] == "ATL"
    assert game["game_date"] == "2024-04-14" and game["month"] == 4
    assert all(g["season_type"] == "Regular Season" for g in index)
    assert all(g["home_team_id"] and g["away_team_id"] for g in index)


@pytest.mark.parametrize(
    "body,error",
    [
        ("", BadPayloadError),
        ("<html><body>Access Denied</body></html>", BadPayloadError),
        ('{"Message":"An error has occurred."}', BadPayloadError),
        ('{"meta": {}, "boxScoreTraditional": {"gameId": "00', BadPayloadError),
        ("{}", EmptyPayloadError),
    ],
)
def test_bad_bodies_are_never_data(body, error):
    with pytest.raises(error):
        parse.parse(endpoints.BOX_TRADITIONAL, body)
