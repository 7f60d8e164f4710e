"""One schema per table (pipeline/lake/schema.py), checked against every real body we have."""

import dataclasses
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from nba_api.stats.endpoints import (
    boxscorefourfactorsv3,
    boxscoremiscv3,
    boxscorescoringv3,
    boxscoreusagev3,
)

from pipeline.core.errors import SchemaMismatch
from pipeline.lake import schema
from pipeline.lake.lake import Lake
from pipeline.model.ingest import Item, entity_item, game_item, land
from pipeline.nba import endpoints, parse
from pipeline.nba.endpoints import Endpoint
from pipeline.nba.games import Game
from tests.conftest import FIXTURES, fixture_body

# The four optional V3 box scores: their catalogue entries if the catalogue has them, else
# entries made here the way the catalogue would (the schema reads nothing else).
V3_CLASSES = {
    "boxscorefourfactorsv3": boxscorefourfactorsv3.BoxScoreFourFactorsV3,
    "boxscoremiscv3": boxscoremiscv3.BoxScoreMiscV3,
    "boxscorescoringv3": boxscorescoringv3.BoxScoreScoringV3,
    "boxscoreusagev3": boxscoreusagev3.BoxScoreUsageV3,
}
ENTRIES = dict(endpoints.ALL)
for _name, _cls in V3_CLASSES.items():
    if not any(e.api_name == _name for e in ENTRIES.values()):
        ENTRIES[_name] = Endpoint(
            key=_name,
            api_name=_name,
            nba_class=_cls,
            scope="game",
            tables={"PlayerStats": f"{_name}_players", "TeamStats": f"{_name}_teams"},
        )


def entry_for(relative: str) -> Endpoint | None:
    """The catalogue entry a fixture is an answer of (the game logs: by PlayerOrTeam)."""
    candidates = [e for e in ENTRIES.values() if e.api_name == relative.split("/")[0]]
    if len(candidates) > 1:
        candidates = [
            e
            for e in candidates
            if f"PlayerOrTeam={e.extra_params.get('player_or_team_abbreviation')}" in relative
        ]
    return candidates[0] if candidates else None


def _fixture_paths() -> list[str]:
    if not FIXTURES.exists():
        return []
    paths = (str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*.json"))
    return sorted(p for p in paths if entry_for(p) is not None)


GAME = Game("0022200552", "2022-23", "Regular Season", "2023-01-06", 1, 1610612739, 1610612741)


def values(column: list) -> list:
    """Body values as the parser keeps them (nested JSON as its text)."""
    return [json.dumps(v) if isinstance(v, (dict, list)) else v for v in column]


@pytest.mark.parametrize("endpoint", list(ENTRIES.values()), ids=list(ENTRIES))
def test_every_column_of_every_table_has_a_type(endpoint):
    assert schema.untyped_columns(endpoint) == []


def test_the_four_optional_box_scores_have_fixtures(fixtures_dir):
    assert {p.split("/")[0] for p in _fixture_paths()} >= set(V3_CLASSES)


@pytest.mark.parametrize("relative", _fixture_paths())
def test_real_bodies_fit_their_tables_value_for_value(fixtures_dir, relative):
    """Every column the live API sent is in the table's schema (nothing lands as an
    unknown addition), and casting to the schema keeps every value."""
    endpoint = entry_for(relative)
    body = fixture_body(relative)
    found = parse.datasets(endpoint, body)
    for dataset, table in endpoint.tables.items():
        headers, rows = found[dataset]["headers"], found[dataset]["data"]
        declared = schema.dataset_schema(endpoint, dataset)
        assert set(headers) <= set(declared.names), f"{table}: the catalogue lacks columns"
        stored, metadata = schema.apply(endpoint, table, parse.to_table(headers, rows), table)
        assert stored.schema == declared
        assert json.loads(metadata[schema.ADDED_COLUMNS_KEY]) == {}
        for position, name in enumerate(headers):
            want = values([row[position] for row in rows])
            assert stored.column(name).to_pylist() == want, f"{table}.{name}"


def _land(tmp_path, endpoint: Endpoint, body: str, key: str, item: Item | None = None) -> dict:
    lake = Lake(str(tmp_path / "lake"))
    item = item or game_item(dataclasses.replace(GAME, game_id=key))
    land(lake, endpoint, item, body)
    return {
        table: pq.read_table(lake.layout.table_file(table, item.season, item.month, item.key))
        for table in endpoint.tables.values()
    }


def _box_body(mutate, game_id: str) -> str:
    """The real box score, its players' statistics changed, as the body of game_id."""
    body = json.loads(fixture_body(f"boxscoretraditionalv3/GameID={GAME.game_id}.json"))
    body["boxScoreTraditional"]["gameId"] = game_id
    for side in ("homeTeam", "awayTeam"):
        for player in body["boxScoreTraditional"][side]["players"]:
            mutate(player["statistics"])
    return json.dumps(body)


def test_a_column_null_for_a_whole_game_keeps_its_type(tmp_path):
    whole = _box_body(lambda stats: None, "0022200001")
    nulled = _box_body(lambda stats: stats.update(plusMinusPoints=None, points=None), "0022200002")
    # What the parser alone infers differs: the schema on write is what makes it equal.
    inferred = parse.parse(endpoints.BOX_TRADITIONAL, nulled)["box_traditional_players"]
    assert inferred.schema.field("plusMinusPoints").type == pa.string()
    first = _land(tmp_path, endpoints.BOX_TRADITIONAL, whole, "0022200001")
    second = _land(tmp_path, endpoints.BOX_TRADITIONAL, nulled, "0022200002")
    for table, stored in second.items():
        assert stored.schema.remove_metadata() == schema.table_schema(table)
        assert stored.schema.remove_metadata() == first[table].schema.remove_metadata()
    players = second["box_traditional_players"]
    assert players.schema.field("points").type == pa.int64()
    assert players.column("points").null_count == players.num_rows


def test_an_empty_dataset_has_its_table_schema(tmp_path):
    """The summary's LastFiveMeetings: no rows in this body, one row in the next game's."""
    body = json.loads(fixture_body("boxscoresummaryv3/GameID=0022500142.json"))
    empty = _land(tmp_path, endpoints.GAME_SUMMARY, json.dumps(body), "0022500142")
    meeting = {
        "recencyOrder": 1,
        "gameId": "0022400500",
        "gameTimeUTC": "2025-01-10T00:00:00Z",
        "gameEt": "2025-01-09T19:00:00Z",
        "gameStatus": 3,
        "gameStatusText": "Final",
        "awayTeam": {"teamId": 1610612756, "teamCity": "Sacramento", "teamName": "Kings"},
        "homeTeam": {"teamId": 1610612749, "teamCity": "Milwaukee", "teamName": "Bucks"},
    }
    meeting["awayTeam"].update(teamTricode="SAC", score=101, wins=20, losses=17)
    meeting["homeTeam"].update(teamTricode="MIL", score=110, wins=22, losses=14)
    body["boxScoreSummary"]["lastFiveMeetings"] = {"meetings": [meeting]}
    body["boxScoreSummary"]["gameId"] = "0022500143"
    full = _land(tmp_path, endpoints.GAME_SUMMARY, json.dumps(body), "0022500143")
    assert empty["summary_last_five_meetings"].num_rows == 0
    assert full["summary_last_five_meetings"].num_rows == 1
    for table in endpoints.GAME_SUMMARY.tables.values():
        assert empty[table].schema.remove_metadata() == full[table].schema.remove_metadata()
        assert empty[table].schema.remove_metadata() == schema.table_schema(table)


def _player_body(extra: dict) -> str:
    body = json.loads(fixture_body("commonplayerinfo/LeagueID=00,PlayerID=1628378.json"))
    info = next(r for r in body["resultSets"] if r["name"] == "CommonPlayerInfo")
    for name, value in extra.items():
        info["headers"].append(name)
        info["rowSet"][0].append(value)
    return json.dumps(body)


def test_a_column_the_api_adds_lands_nullable_and_recorded(tmp_path):
    item = entity_item(endpoints.PLAYER_INFO, "2025-26", "1628378")
    body = _player_body({"CLUTCH_PCT": 0.625, "AGENT": "Someone"})
    stored = _land(tmp_path, endpoints.PLAYER_INFO, body, "1628378", item)["players"]
    declared = schema.table_schema("players")
    assert stored.schema.names == [*declared.names, "CLUTCH_PCT", "AGENT"]
    # Typed by the same rules as any column (a *_PCT is a fraction), text where none names it.
    assert stored.schema.field("CLUTCH_PCT").type == pa.float64()
    assert stored.schema.field("AGENT").type == pa.string()
    assert all(f.nullable for f in stored.schema)
    assert stored.column("CLUTCH_PCT").to_pylist() == [0.625]
    recorded = schema.added_columns(stored.schema.metadata)
    assert recorded == {"CLUTCH_PCT": "double", "AGENT": "string"}
    metadata = stored.schema.metadata
    assert metadata[schema.TABLE_SCHEMA_KEY.encode()].decode() == schema.table_version("players")
    assert stored.schema.remove_metadata() == schema.expected_schema("players", recorded)


def test_a_value_that_does_not_fit_its_type_stops_instead_of_retyping(tmp_path):
    body = _box_body(lambda stats: stats.update(points=12.5), "0022200003")
    with pytest.raises(SchemaMismatch, match=r"box_traditional_players .*points.*12\.5"):
        _land(tmp_path, endpoints.BOX_TRADITIONAL, body, "0022200003")


def test_the_schema_is_the_catalogue_entry_and_the_rules():
    """Columns from nba_api's class, then the entry's extras, then lineage; types by rule."""
    players = schema.table_schema("box_traditional_players")
    expected = endpoints.BOX_TRADITIONAL.nba_class.expected_data["PlayerStats"]
    assert players.names == [*expected, *schema.GAME_LINEAGE]
    assert players.field("personId").type == pa.int64()
    assert players.field("minutes").type == pa.string()
    assert players.field("fieldGoalsPercentage").type == pa.float64()
    assert players.field("gameId").type == pa.string()
    headline = schema.table_schema("player_headline_stats")
    assert headline.field("PTS").type == pa.float64()  # the entry's override: an average
    assert schema.rule_type("PTS") == pa.int64()  # a count everywhere else
