"""The lake's tables in the AWS Glue Data Catalog, for Athena, Spark, Trino or Redshift Spectrum.

    nba-backfill catalog --glue-database nba              # create or update, then register
    nba-backfill catalog --glue-database nba --print-ddl  # the same as Athena DDL; no request

and after each season run when `[glue] database` (env NBA_GLUE_DATABASE) is set.

One Glue table per lake table over its compacted files (compact/<table>/, pipeline/lake/
compact.py), partitioned by season (a season's folder holds its months' files; the
lake-wide bios are one file, unpartitioned), plus
`games`, the game index. Columns and types come from the compacted files' own Parquet
schemas (each file's footer: one ranged GET), so a column the API added is there with the
type it was written with. Names are lower-case, as Athena and Hive make them (they match
the files' mixed-case columns by name, ignoring case); a column whose lower-case name is
taken (rosters' and coaches' SEASON, the API's own copy of `season`) is left out.

Registering compares before writing: a table is created when missing, updated when its
columns or storage differ (the columns it already has are kept, in their order; new ones go
at the end), and a partition is added for each season that has a compacted file. A second
run with nothing new makes no write. Nothing is ever deleted, and a table that nba-backfill
did not create (no `created_by` parameter of ours) is left as it is.

The Glue client uses the lake's own AWS settings (Luigi's [s3] section: region, keys, role;
then boto3's chain), but not S3's endpoint: `[glue] endpoint_url`, else boto3's own
(AWS_ENDPOINT_URL_GLUE, AWS_ENDPOINT_URL). botocore's standard retries, as for S3.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
from dataclasses import dataclass, field

import boto3
import botocore.exceptions as bex
import pyarrow as pa
from botocore.config import Config

from pipeline.core import config
from pipeline.core.errors import BadInput, CatalogError, StorageError, exit_on_bad_input
from pipeline.lake import compact, schema
from pipeline.lake.lake import Lake
from pipeline.lake.layout import COMPACT
from pipeline.lake.parquet import read_footer
from pipeline.lake.s3.client import client_options
from pipeline.lake.s3.preflight import PREFLIGHT_CONFIG

GAMES = "games"  # the game index: games/season=<s>/games.parquet, already one file a season
PARTITION_KEY = "season"
OWNER_KEY, OWNER = "created_by", "nba-backfill"
TABLE_PARAMETERS = {"classification": "parquet", "EXTERNAL": "TRUE", OWNER_KEY: OWNER}
PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}
_CREDENTIALS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
BATCH = 100  # partitions per BatchCreatePartition / BatchUpdatePartition (Glue's limit)
DENIED = ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException")
DENIED += ("InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken")


# --- Arrow -> Glue/Hive types -------------------------------------------------------------

_SIMPLE = {
    pa.int8(): "tinyint",
    pa.int16(): "smallint",
    pa.int32(): "int",
    pa.int64(): "bigint",
    pa.uint8(): "smallint",
    pa.uint16(): "int",
    pa.uint32(): "bigint",
    pa.float16(): "float",
    pa.float32(): "float",
    pa.float64(): "double",
    pa.bool_(): "boolean",
    pa.string(): "string",
    pa.large_string(): "string",
    pa.binary(): "binary",
    pa.large_binary(): "binary",
    pa.date32(): "date",
    pa.date64(): "date",
    pa.null(): "string",  # a column of nulls only: no type to give
}


def hive_type(arrow: pa.DataType) -> str:
    """The Glue (Hive) type Athena reads an Arrow-written Parquet column as."""
    if arrow in _SIMPLE:
        return _SIMPLE[arrow]
    if pa.types.is_uint64(arrow):
        return "decimal(20,0)"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    if pa.types.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if pa.types.is_dictionary(arrow):
        return hive_type(arrow.value_type)
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        return f"array<{hive_type(arrow.value_type)}>"
    if pa.types.is_map(arrow):
        return f"map<{hive_type(arrow.key_type)},{hive_type(arrow.item_type)}>"
    if pa.types.is_struct(arrow):
        fields = ",".join(f"{f.name.lower()}:{hive_type(f.type)}" for f in arrow)
        return f"struct<{fields}>"
    raise ValueError(f"no Glue type for Arrow type {arrow}")


# --- what the lake holds ------------------------------------------------------------------


@dataclass
class GlueTable:
    """One lake table as Glue should describe it."""

    name: str
    location: str  # s3://bucket/prefix/compact/<table>/
    columns: list[tuple[str, str]]  # (lower-case name, Glue type), partition key excluded
    partitioned: bool
    partitions: dict[str, str] = field(default_factory=dict)  # season -> its folder
    omitted: list[str] = field(default_factory=list)  # columns whose lower-case name is taken
    conflicts: list[str] = field(default_factory=list)  # columns typed differently by season

    def storage(self, columns: list[tuple[str, str]], location: str) -> dict:
        return {
            "Columns": [{"Name": n, "Type": t} for n, t in columns],
            "Location": location,
            **PARQUET,
        }

    def table_input(self, columns: list[tuple[str, str]], parameters: dict) -> dict:
        keys = [{"Name": PARTITION_KEY, "Type": "string"}] if self.partitioned else []
        return {
            "Name": self.name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": parameters,
            "PartitionKeys": keys,
            "StorageDescriptor": self.storage(columns, self.location),
        }


def lake_files(lake: Lake, season: str | None = None) -> dict[str, dict[str | None, list[str]]]:
    """Table -> season (None: lake-wide) -> its compacted files (a file per month for a
    per-game table; the game index for `games`), from two listings. With `season`, that
    season's files and the lake-wide ones."""
    games = posixpath.dirname(posixpath.dirname(lake.layout.game_index("*")))
    found: dict[str, dict[str | None, list[str]]] = {}
    known = {*schema.tables(), GAMES}
    for path in [*compact.compacted_files(lake), *lake.store.list(games)]:
        parts = lake.layout.relative(path).split("/")
        parts = parts[1:] if parts[0] == COMPACT else parts  # <table>/[season=<s>/]<file>
        table = parts[0]
        if table not in known or not lake.layout.is_part_file(table, parts[-1]):
            continue
        if len(parts) == 2 and not is_partitioned(table):
            at = None  # the lake-wide file
        elif len(parts) == 3 and parts[1].startswith("season=") and is_partitioned(table):
            at = parts[1][len("season=") :]
        else:
            continue
        if season is None or at in (None, season):
            found.setdefault(table, {}).setdefault(at, []).append(path)
    return {t: {s: sorted(paths) for s, paths in found[t].items()} for t in sorted(found)}


def is_partitioned(table: str) -> bool:
    """By season: every table but the lake-wide bios (one file for the whole lake)."""
    return table == GAMES or schema.partition_season(table, "x") is not None


def plan_tables(lake: Lake, season: str | None = None) -> list[GlueTable]:
    """The Glue tables for what the lake has compacted (one season's, or all): one listing
    of compact/, one of games/, one footer read per file."""
    if not lake.root.startswith("s3://"):
        raise BadInput(f"the Glue catalog needs a lake on S3 (s3://bucket/prefix), not {lake.root}")
    files = lake_files(lake, season)
    paths = [p for by_season in files.values() for ps in by_season.values() for p in ps]
    footers = dict(zip(paths, lake.map_paths(lambda p: _schema(lake, p), paths), strict=True))
    tables = []
    for name, by_season in files.items():
        partitioned = is_partitioned(name)
        some = next(iter(by_season.values()))[0]
        folder = posixpath.dirname(posixpath.dirname(some))
        table = GlueTable(
            name,
            location=(folder if partitioned else posixpath.dirname(some)) + "/",
            columns=[],
            partitioned=partitioned,
        )
        ordered = sorted(by_season.items(), key=lambda item: item[0] or "")
        _add_columns(table, [footers[p] for _, ps in ordered for p in ps])
        if partitioned:  # a season's files, its months too, are one partition: its folder
            table.partitions = {s: posixpath.dirname(ps[0]) + "/" for s, ps in ordered}
        tables.append(table)
    return tables


def _schema(lake: Lake, path: str) -> pa.Schema:
    return read_footer(lake.store, path).schema.to_arrow_schema()


def _add_columns(table: GlueTable, schemas: list[pa.Schema]) -> None:
    """The union of the files' columns, oldest season first (a column the API added later
    comes after the others); a type from the latest season that has the column."""
    taken = {PARTITION_KEY} if table.partitioned else set()
    types: dict[str, str] = {}
    order: list[str] = []
    for arrow in schemas:
        seen_here: set[str] = set()
        for fld in arrow:
            name = fld.name.lower()
            if name in taken or name in seen_here:
                if fld.name not in table.omitted and fld.name != PARTITION_KEY:
                    table.omitted.append(fld.name)
                continue
            seen_here.add(name)
            glue_type = hive_type(fld.type)
            if name not in types:
                order.append(name)
            elif types[name] != glue_type and name not in table.conflicts:
                table.conflicts.append(name)
            types[name] = glue_type
    table.columns = [(name, types[name]) for name in order]


# --- Athena DDL ---------------------------------------------------------------------------


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ddl(database: str, tables: list[GlueTable]) -> str:
    """Athena statements for the same tables and partitions `register` makes."""
    statements = [f"CREATE DATABASE IF NOT EXISTS {_ident(database)};"]
    for table in tables:
        qualified = f"{_ident(database)}.{_ident(table.name)}"
        columns = ",\n".join(f"  {_ident(n)} {t}" for n, t in table.columns)
        properties = ", ".join(  # Athena sets EXTERNAL itself
            f"{_string(k)}={_string(v)}" for k, v in TABLE_PARAMETERS.items() if k != "EXTERNAL"
        )
        lines = [f"CREATE EXTERNAL TABLE IF NOT EXISTS {qualified} (", columns, ")"]
        if table.partitioned:
            lines.append(f"PARTITIONED BY ({_ident(PARTITION_KEY)} string)")
        lines += [
            "STORED AS PARQUET",
            f"LOCATION {_string(table.location)}",
            f"TBLPROPERTIES ({properties});",
        ]
        if table.omitted:
            lines.insert(0, f"-- left out (lower-case name taken): {', '.join(table.omitted)}")
        statements.append("\n".join(lines))
        if table.partitions:
            added = [
                f"  PARTITION ({PARTITION_KEY} = {_string(s)}) LOCATION {_string(where)}"
                for s, where in table.partitions.items()
            ]
            statements.append(
                f"ALTER TABLE {qualified} ADD IF NOT EXISTS\n" + "\n".join(added) + ";"
            )
    return "\n\n".join(statements) + "\n"


# --- the Glue client ----------------------------------------------------------------------


def glue_client(retries: Config | None = None):
    """A Glue client on the lake's AWS settings: Luigi's [s3] section (region, keys, role)
    and boto3's chain, standard retries; the endpoint is [glue] endpoint_url or boto3's."""
    options = client_options(retries)  # [s3], AWS_REGION, standard retries and timeouts
    options.pop("endpoint_url", None)  # S3's own: Glue has another
    role = options.pop("aws_role_arn", None)
    role_session = options.pop("aws_role_session_name", None) or OWNER
    keys = {k: options.pop(k, None) for k in _CREDENTIALS}
    session = boto3.session.Session(**keys)
    endpoint = config.glue().endpoint_url
    if endpoint:
        options["endpoint_url"] = endpoint
    try:
        if role:  # as luigi's S3Client does for the lake: the role's temporary keys
            sts = session.client("sts", region_name=options.get("region_name"))
            granted = sts.assume_role(RoleArn=role, RoleSessionName=role_session)["Credentials"]
            session = boto3.session.Session(
                aws_access_key_id=granted["AccessKeyId"],
                aws_secret_access_key=granted["SecretAccessKey"],
                aws_session_token=granted["SessionToken"],
            )
        return session.client("glue", **options)
    except bex.NoRegionError:
        raise BadInput(
            "no AWS region for Glue: set AWS_REGION (or AWS_DEFAULT_REGION, or [s3] region_name)"
        ) from None
    except (bex.ClientError, bex.BotoCoreError) as exc:
        raise _explain(exc, "AssumeRole", f"role {role}") from None


def _explain(exc: Exception, operation: str, what: str) -> Exception:
    """One line for a failed Glue request: bad input if it is the settings' or the
    permissions' fault (no retry can help), else a CatalogError."""
    where = f"Glue {operation} on {what}"
    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return BadInput(f"{where}: no AWS credentials found (the lake's settings, then boto3's)")
    if isinstance(exc, bex.EndpointConnectionError):
        return BadInput(f"{where}: cannot reach Glue ({exc})")
    if isinstance(exc, bex.ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "?"), error.get("Message", "")
        xml = re.search(r"<Code>(.*?)</Code>.*<Message>(.*?)</Message>", message, re.S)
        if xml:  # an S3-style XML error body (moto's, for a request it denies)
            code, message = xml.groups()
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in DENIED or status == 403:
            return BadInput(
                f"{where}: {code}: the credentials need glue:{operation} "
                f"(README, 'Athena and the Glue Data Catalog'): {message}"
            )
        return CatalogError(f"{where}: {code}: {message}")
    return CatalogError(f"{where}: {exc}")


def _call(client, method: str, what: str, **params) -> dict:
    try:
        return getattr(client, method)(**params)
    except (bex.ClientError, bex.BotoCoreError) as exc:
        raise _explain(exc, client.meta.method_to_api_mapping[method], what) from None


def _pages(client, method: str, key: str, what: str, **params) -> list[dict]:
    try:
        pages = client.get_paginator(method).paginate(**params)
        return [item for page in pages for item in page.get(key, ())]
    except (bex.ClientError, bex.BotoCoreError) as exc:
        raise _explain(exc, client.meta.method_to_api_mapping[method], what) from None


# --- registering --------------------------------------------------------------------------


@dataclass
class Registered:
    database: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # not ours: left as they are
    partitions_added: int = 0
    partitions_updated: int = 0
    writes: int = 0  # Glue write requests made

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} tables created",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.foreign:
            parts.append(f"{len(self.foreign)} not ours, left alone")
        parts.append(f"{self.partitions_added} partitions added")
        if self.partitions_updated:
            parts.append(f"{self.partitions_updated} updated")
        return f"glue: database {self.database}: {', '.join(parts)}"


def ensure_database(client, database: str, result: Registered | None = None) -> None:
    try:
        client.get_database(Name=database)
        return
    except client.exceptions.EntityNotFoundException:
        pass
    except (bex.ClientError, bex.BotoCoreError) as exc:
        raise _explain(exc, "GetDatabase", f"database {database!r}") from None
    description = "NBA seasons from stats.nba.com (nba-backfill's lake)"
    try:
        client.create_database(DatabaseInput={"Name": database, "Description": description})
    except client.exceptions.AlreadyExistsException:  # another host, just now
        return
    except (bex.ClientError, bex.BotoCoreError) as exc:
        raise _explain(exc, "CreateDatabase", f"database {database!r}") from None
    if result is not None:
        result.writes += 1


def preflight(database: str, root: str) -> None:
    """Before a season run's first request: the database can be read (it is created if
    missing) and its tables listed. Bad input otherwise."""
    if not root.startswith("s3://"):
        raise BadInput(
            f"[glue] database is set, but the lake is not on S3 ({root}): Athena reads S3"
        )
    client = glue_client(PREFLIGHT_CONFIG)
    try:
        ensure_database(client, database)
        _call(client, "get_tables", f"database {database!r}", DatabaseName=database, MaxResults=1)
    except CatalogError as exc:  # Glue unusable before the run starts: not worth starting
        raise BadInput(f"preflight failed: {exc}") from None


def register(client, database: str, tables: list[GlueTable], warn=None) -> Registered:
    """Create or update each table and add its missing partitions, writing only what
    differs from what Glue holds."""
    result = Registered(database)
    ensure_database(client, database, result)
    what = f"database {database!r}"
    existing = {
        t["Name"]: t for t in _pages(client, "get_tables", "TableList", what, DatabaseName=database)
    }
    for table in tables:
        current = existing.get(table.name)
        where = f"table {database}.{table.name}"
        if current is None:
            wanted = table.table_input(table.columns, dict(TABLE_PARAMETERS))
            _call(client, "create_table", where, DatabaseName=database, TableInput=wanted)
            result.writes += 1
            result.created.append(table.name)
            columns = table.columns
        elif current.get("Parameters", {}).get(OWNER_KEY) != OWNER:
            result.foreign.append(table.name)
            if warn:
                warn(f"{where} was not created by nba-backfill: left as it is")
            continue
        else:
            columns = merge_columns(_columns(current), table.columns)
            parameters = {**current.get("Parameters", {}), **TABLE_PARAMETERS}
            wanted = table.table_input(columns, parameters)
            if _shape(current) != _shape(wanted):
                _call(client, "update_table", where, DatabaseName=database, TableInput=wanted)
                result.writes += 1
                result.updated.append(table.name)
            else:
                result.unchanged.append(table.name)
        if table.partitions:
            _register_partitions(client, database, table, columns, current is None, result)
    return result


def merge_columns(existing: list[tuple[str, str]], lake: list[tuple[str, str]]):
    """Glue's columns, in their order, typed as the lake types them now; then the lake's
    new columns. A column the lake no longer has is kept (older files may have it)."""
    types = dict(lake)
    kept = {name for name, _ in existing}
    return [(n, types.get(n, t)) for n, t in existing] + [c for c in lake if c[0] not in kept]


def _columns(glue_table: dict) -> list[tuple[str, str]]:
    return [
        (c["Name"], c["Type"]) for c in glue_table.get("StorageDescriptor", {}).get("Columns", [])
    ]


def _shape(glue_table: dict) -> dict:
    """What `register` decides on, from a table as Glue returns it or as we would send it."""
    storage = glue_table.get("StorageDescriptor", {})
    return {
        "type": glue_table.get("TableType"),
        "parameters": glue_table.get("Parameters", {}),
        "keys": [(k["Name"], k["Type"]) for k in glue_table.get("PartitionKeys", [])],
        **_storage_shape(storage),
    }


def _storage_shape(storage: dict) -> dict:
    return {
        "columns": [(c["Name"], c["Type"]) for c in storage.get("Columns", [])],
        "location": storage.get("Location"),
        "formats": (storage.get("InputFormat"), storage.get("OutputFormat")),
        "serde": storage.get("SerdeInfo", {}).get("SerializationLibrary"),
    }


def _register_partitions(client, database, table: GlueTable, columns, new: bool, result) -> None:
    """Add the seasons Glue lacks; point those it has at the table's columns and folder."""
    where = f"table {database}.{table.name}"
    have = {} if new else _partitions(client, database, table.name, list(table.partitions))
    to_add, to_update = [], []
    for season, location in table.partitions.items():
        wanted = {"Values": [season], "StorageDescriptor": table.storage(columns, location)}
        if season not in have:
            to_add.append(wanted)
        elif _storage_shape(have[season]) != _storage_shape(wanted["StorageDescriptor"]):
            to_update.append({"PartitionValueList": [season], "PartitionInput": wanted})
    for start in range(0, len(to_add), BATCH):
        answer = _call(
            client,
            "batch_create_partition",
            where,
            DatabaseName=database,
            TableName=table.name,
            PartitionInputList=to_add[start : start + BATCH],
        )
        result.writes += 1
        _check_batch(answer, "BatchCreatePartition", where, ignore="AlreadyExistsException")
    for start in range(0, len(to_update), BATCH):
        answer = _call(
            client,
            "batch_update_partition",
            where,
            DatabaseName=database,
            TableName=table.name,
            Entries=to_update[start : start + BATCH],
        )
        result.writes += 1
        _check_batch(answer, "BatchUpdatePartition", where)
    result.partitions_added += len(to_add)
    result.partitions_updated += len(to_update)


def _partitions(client, database: str, table: str, seasons: list[str]) -> dict[str, dict]:
    """Season -> the partition's storage descriptor, for those of `seasons` Glue has."""
    found: dict[str, dict] = {}
    wanted = [{"Values": [s]} for s in seasons]
    for _ in range(5):  # Glue may leave some keys unprocessed: ask again for those
        if not wanted:
            break
        answer = _call(
            client,
            "batch_get_partition",
            f"table {database}.{table}",
            DatabaseName=database,
            TableName=table,
            PartitionsToGet=wanted[:1000],
        )
        for partition in answer.get("Partitions", ()):
            found[partition["Values"][0]] = partition.get("StorageDescriptor", {})
        wanted = answer.get("UnprocessedKeys", []) + wanted[1000:]
    return found


def _check_batch(answer: dict, operation: str, where: str, ignore: str = "") -> None:
    errors = [e for e in answer.get("Errors", ()) if e["ErrorDetail"]["ErrorCode"] != ignore]
    if errors:
        detail = errors[0]["ErrorDetail"]
        error = bex.ClientError(
            {"Error": {"Code": detail["ErrorCode"], "Message": detail.get("ErrorMessage", "")}},
            operation,
        )
        raise _explain(error, operation, f"{where} (season {errors[0]['PartitionValues'][0]})")


# --- after a season run, and the command ---------------------------------------------------


def register_season(work) -> None:
    """The end of a season run, once compacted: the season's tables and partitions in
    Glue, when [glue] database is set. If Glue fails, the season is left uncompacted, so
    the next run (a retry, or the same command again) does this step again."""
    database = config.glue_database()
    if database is None:
        return
    try:
        registered = register(glue_client(), database, plan_tables(work.lake, work.season), _warn)
    except (BadInput, CatalogError) as exc:
        work.compaction_pending()
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise CatalogError(str(exc)) from None
    print(registered.summary(), flush=True)


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


DESCRIPTION = (
    "Register the lake's compacted tables in the AWS Glue Data Catalog, for Athena "
    "(or print them as Athena DDL)"
)


def add_catalog_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--glue-database", metavar="NAME", help="default: [glue] database / NBA_GLUE_DATABASE"
    )
    parser.add_argument(
        "--print-ddl",
        action="store_true",
        help="print Athena CREATE EXTERNAL TABLE statements instead (no Glue request)",
    )
    parser.add_argument("--lake-root", default=None, help="s3://bucket/prefix (default: the run's)")


def run_catalog(args: argparse.Namespace) -> int:
    database = config.glue_database(args.glue_database)
    if database is None:
        raise BadInput("give --glue-database NAME (or set [glue] database / NBA_GLUE_DATABASE)")
    root = (args.lake_root or config.lake_root()).rstrip("/")
    config.check_lake_root(root)
    try:
        tables = plan_tables(Lake(root))
    except StorageError as exc:
        raise BadInput(str(exc)) from None
    if not tables:
        print(f"nothing compacted under {root}/compact: run a season first", file=sys.stderr)
        return 0
    for table in tables:
        for column in table.conflicts:
            _warn(
                f"{table.name}.{column} has another type in older seasons' compacted files "
                f"than in the latest ({dict(table.columns)[column]}, the one Glue gets): "
                f"rebuild those seasons (README, 'What lands, and where')"
            )
    if args.print_ddl:
        print(ddl(database, tables), end="")
        return 0
    try:
        registered = register(glue_client(), database, tables, _warn)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(registered.summary())
    return 0


def catalog_main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.app.glue ...`: the same as `nba-backfill catalog ...`."""
    parser = argparse.ArgumentParser(prog="nba-backfill catalog", description=DESCRIPTION)
    add_catalog_options(parser)
    with exit_on_bad_input():
        return run_catalog(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(catalog_main())
