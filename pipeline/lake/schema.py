"""One Arrow schema per lake table, derived from the endpoint catalogue, applied on write.

A table's columns are, in this order:
- nba_api's own column list for the dataset (`expected_data` of the endpoint's class);
- the catalogue entry's `extra_columns`: what the live API sends beyond nba_api's list;
- the lineage columns the pipeline adds (game_id, season, season_type, game_date).

Each column's type comes from TYPE_RULES below, by column name, unless the catalogue entry
overrides it (`column_types`). So adding an endpoint is one catalogue entry: its columns
come from nba_api, their types from these rules (tests/test_schema.py checks every real
fixture against them: every column typed, every value kept).

On write, `apply` gives every file of a table the same schema: a column the body lacks, or
holds only nulls, keeps its type; a value that does not fit its type stops the run
(SchemaMismatch) instead of changing the type silently. A column the API adds that the
catalogue does not know yet is appended, nullable, typed by the same rules (text if no rule
names it), and recorded in the file's metadata (`added_columns`), which the report shows.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache, lru_cache

import pyarrow as pa

from pipeline.core.errors import SchemaMismatch
from pipeline.nba import endpoints
from pipeline.nba.endpoints import Endpoint

STRING, INT, FLOAT = pa.string(), pa.int64(), pa.float64()

# The columns ingest adds to every row of a table, by what one request covers
# (pipeline/model/ingest.py: game_item, entity_item, season_item).
GAME_LINEAGE = ("game_id", "season", "season_type", "game_date")
ENTITY_LINEAGE = ("season",)  # a player or team of a season; none for lake-wide tables
SEASON_LINEAGE = ("season", "season_type")  # a season-level answer (per season type or not)

# Parquet key-value metadata written by `apply` (and by compaction).
TABLE_SCHEMA_KEY = "table_schema"  # the table's schema version: a digest of its columns
ADDED_COLUMNS_KEY = "added_columns"  # JSON {column: type} of columns the catalogue lacks

# Column name -> type: the first rule whose pattern matches the whole name wins.
TYPE_RULES: tuple[tuple[str, pa.DataType], ...] = (
    # Text that looks numeric: ids with leading zeros, seasons, codes, jersey numbers,
    # heights and weights as the API writes them ("6-2", "215"), draft slots ("Undrafted").
    (r"gameId|game_id|GAME_ID|SEASON_ID|LEAGUE_ID|LeagueID", STRING),
    (r"season|season_type|SEASON|SEASON_YEAR|MIN_YEAR|MAX_YEAR|TimeFrame|.*TIMEFRAME", STRING),
    (r"DRAFT_(YEAR|ROUND|NUMBER)|JERSEY(_NUMBER)?|jerseyNum|NUM|HEIGHT|WEIGHT|EXP", STRING),
    # Clocks, durations, dates and times, and the play-by-play's running score ("" or "12").
    (r"minutes|clock|gameClock|duration|gameDuration|scoreHome|scoreAway", STRING),
    (r".*(Date|DATE|date|UTC|Et)|BIRTHDATE", STRING),
    # Numeric ids: players, teams, arenas, coaches, actions.
    (r".*(Id|_ID|ID)", INT),
    # Fractions, rates, ratings, per-game and per-possession figures, ages.
    (r"percentage.*|.*Percentage.*|.*_PCT|PCT|.*(Rate|Ratio|Rating)", FLOAT),
    (r"pace|pacePer40|estimatedPace|possessions|PIE|.*_PG|AGE|FANTASY_PTS|ROSTER_STATUS", FLOAT),
    (r"plusMinusPoints|PLUS_MINUS|assistToTurnover", FLOAT),
    # Counts (V3 names): made/attempted, rebounds, assists, ..., points of every kind.
    (r".*(Made|Attempted)|(rebounds|assists|steals|blocks|turnovers|fouls).*", INT),
    (r"points.*|.*Points.*|opp[A-Z].*|benchPoints|biggest(Lead|ScoringRun)", INT),
    (r"leadChanges|timesTied|attendance|sellout|period|period\dScore|score", INT),
    (r"gameStatus|recencyOrder|(home|away)Team(Score|Wins|Losses)|team(Wins|Losses)", INT),
    (r"actionNumber|isFieldGoal|shotDistance|shotValue|[xy]Legacy|videoAvailable", INT),
    (r"VIDEO_AVAILABLE|IS_DEFUNCT", INT),
    # Counts (V2 names), ranks, years, flags kept as numbers by the API.
    (r"FGM|FGA|FG3M|FG3A|FTM|FTA|OREB|DREB|REB|AST|STL|BLK|TOV|PF|PTS|MIN|GP|W|L", INT),
    (r".*_RANK|FROM_YEAR|TO_YEAR|SEASON_EXP|IS_ASSISTANT|(SUB_)?SORT_SEQUENCE", INT),
    # Names and labels.
    (r".*(Name|NAME|NameI|City|CITY|Tricode|Slug|SLUG|Code|CODE|_FLAG|Text|Type|TYPE)", STRING),
    (r"name|nameI|PLAYER|NICKNAME|position|POSITION|comment|description|location", STRING),
    (r"shotResult|startersBench|status|ROSTERSTATUS|arena(State|Country|Timezone)", STRING),
    (r"COUNTRY|SCHOOL|COLLEGE|LAST_AFFILIATION|HOW_ACQUIRED|TEAM_ABBREVIATION|MATCHUP|WL", STRING),
    (r"TEAM_(CONFERENCE|DIVISION)|DISPLAY_.*", STRING),
    # Issue 24's datasets (after every rule above, so they only type names none of those
    # rules typed): shot charts, hustle, tracking, matchups, defense, rotations, win
    # probability.
    (r"PERIOD|(MINUTES|SECONDS)_REMAINING|SHOT_DISTANCE|LOC_[XY]|EVENT_NUM|ISVISIBLE", INT),
    (r"(HOME|VISITOR)(_TEAM)?_PTS|HOME_SCORE_MARGIN|PLAYER_PTS", INT),
    (r"SHOT_ZONE_.*|HTM|VTM|(HOME|VISITOR)_TEAM_ABR|HOME_G|DESCRIPTION|LOCATION", STRING),
    (r"PCTIMESTRING|PLAYER_(FIRST|LAST)", STRING),
    (r"contestedShots.*|deflections|chargesDrawn|screenAssists|looseBallsRecovered.*", INT),
    (r"(offensive|defensive)BoxOuts|boxOut.*|reboundChances.*|touches|passes", INT),
    (r"(secondary|freeThrow)Assists|switchesOn|helpBlocks|shootingFouls", INT),
    (r"matchup(Assists|PotentialAssists|Turnovers|Blocks)|defensiveRebounds", INT),
    (r"speed|distance|matchupMinutesSort|partialPossessions", FLOAT),
    (r"personId(Off|Def)", INT),
    (r"(firstName|familyName|nameI|playerSlug|jerseyNum|position|comment)(Off|Def)", STRING),
    (r"matchupMinutes", STRING),  # "18:36"
)
_RULES = tuple((re.compile(pattern), arrow_type) for pattern, arrow_type in TYPE_RULES)


def rule_type(column: str) -> pa.DataType | None:
    """The type TYPE_RULES give a column name, or None if no rule names it."""
    for pattern, arrow_type in _RULES:
        if pattern.fullmatch(column):
            return arrow_type
    return None


def column_type(endpoint: Endpoint, column: str) -> pa.DataType | None:
    """The catalogue entry's override for the column, else the rules' type."""
    override = endpoint.column_types.get(column)
    return pa.type_for_alias(override) if override else rule_type(column)


def lineage_columns(endpoint: Endpoint) -> tuple[str, ...]:
    if endpoint.per == "game":
        return GAME_LINEAGE
    if endpoint.lake_wide:
        return ()
    return SEASON_LINEAGE if endpoint.per == "season" else ENTITY_LINEAGE


def partition_season(table: str, season: str | None) -> str | None:
    """The season a table's files are partitioned by: None for a lake-wide table (one
    file per player for the whole lake), whatever season asks."""
    return None if source(table)[0].lake_wide else season


def declared_columns(endpoint: Endpoint, dataset: str) -> tuple[str, ...]:
    """nba_api's columns for the dataset, then the entry's extra columns, then lineage."""
    expected = (getattr(endpoint.nba_class, "expected_data", None) or {}).get(dataset, ())
    extra = endpoint.extra_columns.get(dataset, ())
    names = [*expected, *(c for c in extra if c not in expected)]
    return (*names, *(c for c in lineage_columns(endpoint) if c not in names))


def untyped_columns(endpoint: Endpoint) -> list[str]:
    """Columns of the entry's tables that no rule or override types (should be none)."""
    return [
        f"{table}.{column}"
        for dataset, table in endpoint.tables.items()
        for column in declared_columns(endpoint, dataset)
        if column_type(endpoint, column) is None
    ]


@cache
def _sources() -> dict[str, tuple[Endpoint, str]]:
    """Lake table -> (catalogue entry, nba_api dataset)."""
    return {
        table: (endpoint, dataset)
        for endpoint in endpoints.ALL.values()
        for dataset, table in endpoint.tables.items()
    }


def tables() -> list[str]:
    """Every lake table the catalogue declares."""
    return list(_sources())


def source(table: str) -> tuple[Endpoint, str]:
    return _sources()[table]


def dataset_schema(endpoint: Endpoint, dataset: str) -> pa.Schema:
    """The schema of the table an entry's dataset lands in (every column nullable)."""
    # Made once per process (it is asked for on every write); bounded by the catalogue.
    key = (endpoint.key, dataset)
    if key not in _dataset_schemas:
        _dataset_schemas[key] = pa.schema(
            [
                pa.field(name, column_type(endpoint, name) or STRING)
                for name in declared_columns(endpoint, dataset)
            ]
        )
    return _dataset_schemas[key]


_dataset_schemas: dict[tuple[str, str], pa.Schema] = {}


@cache
def table_schema(table: str) -> pa.Schema:
    """The table's one schema, from its catalogue entry."""
    return dataset_schema(*source(table))


@lru_cache(maxsize=256)  # bounded: a long-lived process meets ever new added columns
def version(schema: pa.Schema) -> str:
    """A short digest of a schema's column names and types: its version."""
    text = ",".join(f"{f.name}:{f.type}" for f in schema)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def table_version(table: str) -> str:
    return version(table_schema(table))


def conform(
    table: pa.Table, schema: pa.Schema, added: dict[str, pa.DataType], where: str
) -> pa.Table:
    """The table with exactly `schema`'s columns, then `added`, in that order: missing
    columns as nulls, every column cast without loss (else SchemaMismatch)."""
    fields = [*schema, *(pa.field(name, t) for name, t in added.items())]
    position = {name: i for i, name in enumerate(table.column_names)}
    arrays = []
    for fld in fields:
        if fld.name not in position:
            arrays.append(pa.nulls(table.num_rows, fld.type))
            continue
        column = table.column(position[fld.name])
        if column.type == fld.type:
            arrays.append(column)
            continue
        try:
            arrays.append(column.cast(fld.type, safe=True))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            raise SchemaMismatch(_misfit(where, column, fld)) from None
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _misfit(where: str, column: pa.ChunkedArray, fld: pa.Field) -> str:
    sample = next((v for v in column.to_pylist() if v is not None), None)
    return (
        f"{where}: column {fld.name} holds {sample!r} ({column.type}), which does not fit "
        f"{fld.type}, its type in the table's schema. If the API changed the column's type, "
        f"change its rule in pipeline/lake/schema.py (or the entry's column_types in "
        f"pipeline/nba/endpoints.py); the raw body is kept, so a rerun lands it with no request"
    )


def apply(endpoint: Endpoint, table_name: str, table: pa.Table, where: str):
    """(the table in its table's schema, the metadata recording that schema) for one file.

    Columns beyond the schema (the API added them) are kept at the end, typed by the
    rules (text if no rule names them), and listed in the metadata."""
    dataset = next(d for d, t in endpoint.tables.items() if t == table_name)
    schema = dataset_schema(endpoint, dataset)
    declared = set(schema.names)
    added = {
        name: column_type(endpoint, name) or STRING
        for name in table.column_names
        if name not in declared
    }
    conformed = conform(table, schema, added, where)
    return conformed, schema_metadata(schema, added)


def added_type(table_name: str, column: str) -> pa.DataType:
    """The type of a column the catalogue does not list: by rule, else text."""
    return column_type(source(table_name)[0], column) or STRING


def schema_metadata(schema: pa.Schema, added: dict[str, pa.DataType]) -> dict[str, str]:
    return {
        TABLE_SCHEMA_KEY: version(schema),
        ADDED_COLUMNS_KEY: json.dumps({name: str(t) for name, t in added.items()}),
    }


def added_columns(metadata: dict | None) -> dict[str, str]:
    """{column: type} recorded in a file's Parquet metadata (bytes keys, as Arrow gives)."""
    raw = (metadata or {}).get(ADDED_COLUMNS_KEY.encode())
    return json.loads(raw) if raw else {}


def expected_schema(table_name: str, added: dict[str, str]) -> pa.Schema:
    """What a file that recorded `added` columns must look like."""
    extra = [pa.field(name, pa.type_for_alias(t)) for name, t in added.items()]
    return pa.schema([*table_schema(table_name), *extra])
