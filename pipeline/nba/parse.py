"""Pure parsing: a response body in, typed Arrow tables out. No HTTP, no Luigi, no storage.

nba_api's own parsers turn a body into datasets (the same code that reads a live
response), so what we store is exactly what nba_api users see, column for column.
"""

from __future__ import annotations

import json

import pyarrow as pa
from nba_api.stats.endpoints._parsers import _PARSER_REGISTRY
from nba_api.stats.library.http import NBAStatsResponse

from pipeline.core.errors import BadPayloadError, EmptyPayloadError
from pipeline.nba.endpoints import PARAMETERS, Endpoint

ERROR_MESSAGE_BODY = "An error has occurred."


def check_body(body: str) -> dict:
    """Decode a body, or say why it is not a usable response (transient: try again)."""
    if not body or not body.strip():
        raise BadPayloadError("empty body")
    if ERROR_MESSAGE_BODY in body[:200]:
        raise BadPayloadError(f"API answered {ERROR_MESSAGE_BODY!r}")
    try:
        decoded = json.loads(body)
    except ValueError as exc:
        snippet = body[:60].replace("\n", " ")
        raise BadPayloadError(f"body is not JSON ({exc.msg}): {snippet!r}") from None
    if not isinstance(decoded, dict):
        raise BadPayloadError("body is JSON but not an object")
    return decoded


class _DecodedResponse(NBAStatsResponse):
    """nba_api's response class around a body we have already decoded (it would decode
    again on every get_dict call)."""

    def __init__(self, decoded: dict, body: str):
        super().__init__(response=body, status_code=200, url=None)
        self._decoded = decoded

    def get_dict(self):
        return self._decoded


def datasets(endpoint: Endpoint, body: str, decoded: dict | None = None) -> dict[str, dict]:
    """nba_api's datasets for a body: {name: {"headers": [...], "data": [[...], ...]}}.
    decoded: the body's JSON, when check_body has decoded it already."""
    response = _DecodedResponse(check_body(body) if decoded is None else decoded, body)
    try:
        if endpoint.api_name in _PARSER_REGISTRY:  # V3 payloads need their endpoint's parser
            return response.get_data_sets(endpoint.api_name)
        return response.get_data_sets()
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        if body.strip() in ("{}", "[]") or _no_teams(response.get_dict()):
            raise EmptyPayloadError(f"{endpoint.api_name} returned an empty payload") from None
        raise BadPayloadError(f"{endpoint.api_name} body shape is unexpected: {exc!r}") from None


def _no_teams(decoded: dict) -> bool:
    """A V3 box score the API has nothing for: its teams are null, or hold no players (the
    shape stats.nba.com answers before an endpoint's era, e.g. matchups before 2017-18:
    tests/fixtures/hoopr). nba_api's parsers fail on it; it is empty, not malformed."""
    payload = [v for k, v in decoded.items() if k != "meta" and isinstance(v, dict)]
    if len(payload) != 1:
        return False
    teams = [payload[0].get(side) for side in ("homeTeam", "awayTeam")]
    return all(t is None or (isinstance(t, dict) and not t.get("players")) for t in teams)


_INFERRED = (pa.bool_(), pa.int64(), pa.float64(), pa.string())


def _as_column(values: list, arrow_type: pa.DataType | None) -> pa.Array:
    """One column; without a pinned type: bool, int64, float64 or string as the values say.

    All-null columns are strings; mixed or nested values keep their JSON text.
    """
    if arrow_type is None:
        try:
            inferred = pa.array(values)  # Arrow's own inference, in C
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            inferred = None
        if inferred is not None and inferred.type in _INFERRED:
            return inferred
        if inferred is not None and inferred.type == pa.null():
            return pa.nulls(len(values), pa.string())
        arrow_type = pa.string()
    if arrow_type == pa.string():
        values = [v if v is None or isinstance(v, str) else json.dumps(v) for v in values]
    return pa.array(values, type=arrow_type)


def to_table(headers: list[str], rows: list[list], schema: dict | None = None) -> pa.Table:
    """Rows as nba_api yields them -> an Arrow table with one typed column per header.

    `schema` pins types by column name (from the catalogue of known schemas), so an empty
    table or an all-null column gets the same type as in every other file of its dataset.
    """
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in headers]
    arrays = []
    for name, values in zip(headers, columns, strict=True):
        arrow_type = pa.type_for_alias(schema[name]) if schema and name in schema else None
        arrays.append(_as_column(list(values), arrow_type))
    return pa.Table.from_arrays(arrays, names=list(headers))


def parse(
    endpoint: Endpoint, body: str, schemas: dict | None = None, asked: dict | None = None
) -> dict[str, pa.Table]:
    """Body -> {lake table name: Arrow table}. Raises if a required dataset has no rows,
    or (given `asked`, the nba_api arguments of the call) if the body is not the one asked
    for (check_identity). The body is decoded once: a season's game log is megabytes."""
    decoded = check_body(body)
    found = datasets(endpoint, body, decoded)
    tables = {}
    for dataset, table_name in endpoint.tables.items():
        if dataset not in found:
            raise BadPayloadError(f"{endpoint.api_name} body lacks dataset {dataset}")
        data = found[dataset]
        schema = (schemas or {}).get(table_name)
        tables[table_name] = to_table(data["headers"], data["data"], schema)
    for dataset in endpoint.required:
        if tables[endpoint.tables[dataset]].num_rows == 0:
            raise EmptyPayloadError(f"{endpoint.api_name} returned no {dataset} rows")
    if asked is not None:
        check_identity(endpoint, asked, tables, decoded)
    return tables


SEASON_ARGUMENTS = ("season", "season_nullable")  # nba_api's names for a season argument


def identity_value(argument: str, value) -> str:
    """A request's value or a body's, in the form they compare in: seasons by their first
    year ('2024-25', '2024' and a SEASON_ID such as '22024' all read '2024'), the rest as
    text."""
    text = str(value).strip()
    if argument in SEASON_ARGUMENTS:
        return text[1:] if len(text) == 5 and text.isdigit() else text[:4]
    return text


def echoed_parameters(body: str | dict) -> dict:
    """The request's parameters as a legacy body (its text, or decoded) echoes them ({}
    when it does not)."""
    try:
        echo = (json.loads(body) if isinstance(body, str) else body).get("parameters")
    except (ValueError, AttributeError):
        return {}
    if isinstance(echo, list):  # commonplayerinfo: [{"PlayerID": ...}, {"LeagueID": ...}]
        echo = {k: v for part in echo if isinstance(part, dict) for k, v in part.items()}
    return echo if isinstance(echo, dict) else {}


def check_identity(
    endpoint: Endpoint, request: dict, tables: dict[str, pa.Table], body: str | dict = ""
) -> None:
    """Is this body the one asked for? A body for another game, player, team or season is
    a bad payload (retried, never stored under the requested id).

    `request` is the nba_api arguments of the call; the catalogue's `identity` says which
    column of which dataset must hold which argument's value in every row, or which echoed
    parameter (PARAMETERS, from `body`; a body without the echo is not judged by it).
    """
    echo = None
    for dataset, column, argument in endpoint.identity:
        if request.get(argument) in (None, ""):
            continue  # not asked (e.g. no season): nothing to compare with
        wanted = identity_value(argument, request[argument])
        if dataset == PARAMETERS:
            echo = echoed_parameters(body) if echo is None else echo
            values = [echo[column]] if echo.get(column) not in (None, "") else []
        else:
            table = tables[endpoint.tables[dataset]]
            if column not in table.column_names:
                raise BadPayloadError(f"{endpoint.api_name} {dataset} lacks {column}")
            values = table.column(column).to_pylist()
        found = {identity_value(argument, v) for v in values if v is not None}
        other = sorted(found - {wanted})
        if other:
            raise BadPayloadError(
                f"{endpoint.api_name} answered with {dataset} {column} {other[0]}, "
                f"not {wanted} as asked"
            )
