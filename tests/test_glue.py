"""The lake in the Glue Data Catalog (pipeline/app/glue.py), against moto's Glue and S3 in
server mode: tables, columns, types, partitions, idempotence, new columns and seasons, the
Athena DDL, and bad input before any request to stats.nba.com."""

from __future__ import annotations

import fnmatch
import os
import pathlib
import posixpath
import re
import shutil
import subprocess
import sys
import uuid

import luigi
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from pipeline.app import glue, query
from pipeline.lake import compact, schema
from pipeline.lake.lake import Lake
from pipeline.lake.parquet import to_parquet_bytes
from pipeline.sim.server import SimServer
from tests.runner import REPO, luigi_cli, requests_in, why
from tests.s3_server import (
    FaultProxy,
    iam_user_keys,
    make_bucket,
    moto_auth,
    s3_endpoint,  # noqa: F401  (pytest fixture)
)
from tests.sim_lake import ADDED, FIRST_DAY, LAST_DAY, SEASON, days, sim_lake  # noqa: F401  (pytest fixture)

EARLIER = "2023-24"
READS = ("Get", "BatchGet")
# What Athena reads each Parquet column as, from the file's own (physical, logical) types:
# written here independently of glue.hive_type.
PARQUET_TO_GLUE = {("INT64", "NONE"): "bigint", ("INT32", "NONE"): "int"}
PARQUET_TO_GLUE |= {("DOUBLE", "NONE"): "double", ("BYTE_ARRAY", "STRING"): "string"}


# --- helpers ------------------------------------------------------------------------------


def glue_operations(client) -> list[str]:
    """Every Glue request the client sends, by operation name (botocore's own hook)."""
    seen: list[str] = []
    client.meta.events.register(
        "before-send.glue.*", lambda event_name, **kw: seen.append(event_name.split(".")[-1])
    )
    return seen


def writes(operations: list[str]) -> list[str]:
    return [op for op in operations if not op.startswith(READS)]


def tables_in(client, database: str) -> dict[str, dict]:
    pages = client.get_paginator("get_tables").paginate(DatabaseName=database)
    return {t["Name"]: t for page in pages for t in page["TableList"]}


def partitions_in(client, database: str, table: str) -> dict[str, str]:
    pages = client.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table)
    return {
        p["Values"][0]: p["StorageDescriptor"]["Location"]
        for page in pages
        for p in page["Partitions"]
    }


def columns(glue_table: dict) -> list[tuple[str, str]]:
    return [(c["Name"], c["Type"]) for c in glue_table["StorageDescriptor"]["Columns"]]


def parquet_types(data: bytes) -> dict[str, str]:
    """Lower-case column name -> the Glue type its Parquet column reads as."""
    parquet = pq.ParquetFile(pa.BufferReader(data)).schema
    types = {}
    for i in range(len(parquet)):
        column = parquet.column(i)
        key = (column.physical_type, column.logical_type.type)
        types.setdefault(column.name.lower(), PARQUET_TO_GLUE[key])
    return types


def keys_under(s3, location: str) -> list[str]:
    bucket, _, prefix = location[len("s3://") :].partition("/")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(f"s3://{bucket}/{o['Key']}" for page in pages for o in page.get("Contents", ()))


def read_s3(s3, path: str) -> bytes:
    bucket, _, key = path[len("s3://") :].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def catalog_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`nba-backfill catalog ...` in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "catalog", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


class GlueLog(FaultProxy):
    """A loopback proxy in front of moto that relays everything and notes each Glue
    operation (its X-Amz-Target): what a process asked of Glue."""

    def __init__(self, upstream: str):
        super().__init__(upstream, faults=[])
        self.operations: list[str] = []

    def _handle(self, handler) -> None:
        target = handler.headers.get("X-Amz-Target", "")
        if target.startswith("AWSGlue."):
            self.operations.append(target.split(".", 1)[1])
        super()._handle(handler)


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compacted(sim_lake, tmp_path_factory) -> pathlib.Path:  # noqa: F811
    """The simulator's lake (the API added a column to the bios between its two days),
    compacted."""
    root = tmp_path_factory.mktemp("glue") / "lake"
    shutil.copytree(sim_lake, root)
    compact.compact_season(Lake(str(root)), SEASON)
    return root


@pytest.fixture
def glue_endpoint(s3_endpoint):  # noqa: F811
    """Point [glue] endpoint_url at the moto server; a fresh database name per test."""
    url, _ = s3_endpoint
    settings = luigi.configuration.get_config()
    settings.set("glue", "endpoint_url", url)
    try:
        yield url
    finally:
        settings.remove_option("glue", "endpoint_url")


@pytest.fixture
def db() -> str:
    """A database of the test's own (the moto server is shared by the session)."""
    return f"nba_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def published(compacted, s3_endpoint, glue_endpoint):  # noqa: F811
    """The compacted lake's readers' files (compact/ and games/) on S3, as a lake root."""
    _, s3 = s3_endpoint
    bucket = make_bucket(s3)
    for path in sorted(compacted.rglob("*.parquet")):
        relative = path.relative_to(compacted).as_posix()
        if relative.startswith(("compact/", "games/")):
            s3.put_object(Bucket=bucket, Key=f"lake/{relative}", Body=path.read_bytes())
    return Lake(f"s3://{bucket}/lake")


def client_with_log():
    client = glue.glue_client()
    return client, glue_operations(client)


# --- types --------------------------------------------------------------------------------


ARROW_TO_GLUE = [
    (pa.int64(), "bigint"),
    (pa.int32(), "int"),
    (pa.int16(), "smallint"),
    (pa.float64(), "double"),
    (pa.float32(), "float"),
    (pa.string(), "string"),
    (pa.bool_(), "boolean"),
    (pa.timestamp("us", tz="UTC"), "timestamp"),
    (pa.date32(), "date"),
    (pa.decimal128(10, 2), "decimal(10,2)"),
    (pa.binary(), "binary"),
    (pa.list_(pa.int64()), "array<bigint>"),
    (pa.struct([("Made", pa.int64()), ("pct", pa.float64())]), "struct<made:bigint,pct:double>"),
    (pa.map_(pa.string(), pa.int32()), "map<string,int>"),
    (pa.dictionary(pa.int32(), pa.string()), "string"),
]


def test_arrow_types_map_to_the_glue_types_athena_reads_them_as():
    assert [(t, glue.hive_type(t)) for t, _ in ARROW_TO_GLUE] == ARROW_TO_GLUE
    # ... and each is a type Athena's DDL accepts.
    table = glue.GlueTable(
        "t", "s3://b/p/compact/t/", [(f"c{i}", g) for i, (_, g) in enumerate(ARROW_TO_GLUE)], False
    )
    create = sqlglot.parse(glue.ddl("db", [table]), read="athena")[1]
    defined = [c.args["kind"].sql("hive").lower().replace(" ", "") for c in create.this.expressions]
    assert defined == [g for _, g in ARROW_TO_GLUE]
    with pytest.raises(ValueError):
        glue.hive_type(pa.duration("s"))


# --- in-process: register ------------------------------------------------------------------


def test_one_table_per_lake_table_with_its_parquet_types_and_partitions(db, published, s3_endpoint):  # noqa: F811
    _, s3 = s3_endpoint
    client, operations = client_with_log()
    result = glue.register(client, db, glue.plan_tables(published))
    held = tables_in(client, db)
    files = glue.lake_files(published)
    assert set(held) == set(files) and {"games", "players", "box_traditional_players"} <= set(held)
    assert sorted(result.created) == sorted(held) and result.writes == len(writes(operations))
    for name, table in held.items():
        assert table["Parameters"]["created_by"] == "nba-backfill"
        assert table["Parameters"]["classification"] == "parquet"
        storage = table["StorageDescriptor"]
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        # Every column has the type of its Parquet column, in every file of the table.
        for path in (p for paths in files[name].values() for p in paths):
            types = parquet_types(read_s3(s3, path))
            assert {n: types[n] for n, _ in columns(table)} == dict(columns(table)), name
        if name != "games" and schema.source(name)[0].lake_wide:  # one file, no partitions
            assert table["PartitionKeys"] == []
            assert storage["Location"] == f"{published.root}/compact/{name}/"
            assert partitions_in(client, db, name) == {}
            continue
        assert table["PartitionKeys"] == [{"Name": "season", "Type": "string"}]
        assert "season" not in dict(columns(table))  # the partition key, not a data column
        folder = "games" if name == "games" else f"compact/{name}"
        assert storage["Location"] == f"{published.root}/{folder}/"
        assert partitions_in(client, db, name) == {
            SEASON: f"{published.root}/{folder}/season={SEASON}/"
        }
    # The API's own column and the type the rules gave it; the bios' added column.
    box = dict(columns(held["box_traditional_players"]))
    assert (box["personid"], box["points"], box["fieldgoalspercentage"]) == (
        "bigint",
        "bigint",
        "double",
    )
    assert box["minutes"] == "string" and box["game_id"] == "string"
    assert columns(held["players"])[-1] == (ADDED[0].lower(), "double")
    assert dict(columns(held["games"]))["month"] == "int"
    # rosters' SEASON (the API's "2024") would be a second `season` to Athena: left out.
    assert "season" not in dict(columns(held["rosters"]))


def test_a_second_run_makes_no_write(db, published):
    client, operations = client_with_log()
    glue.register(client, db, glue.plan_tables(published))
    operations.clear()
    again = glue.register(client, db, glue.plan_tables(published))
    assert writes(operations) == [] and again.writes == 0
    assert again.created == again.updated == [] and len(again.unchanged) == len(
        tables_in(client, db)
    )
    assert "GetTables" in operations


def test_a_column_the_api_added_later_is_added_and_old_columns_kept(db, published):
    players = f"{published.root}/compact/players/players.parquet"
    current = published.store.read_bytes(players)
    table = pq.read_table(pa.BufferReader(current))
    before = table.drop_columns([ADDED[0]])  # the bios as compacted before the API sent it
    metadata = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    published.write_bytes(players, to_parquet_bytes(before.replace_schema_metadata(None), metadata))
    client, operations = client_with_log()
    glue.register(client, db, glue.plan_tables(published))
    old = columns(tables_in(client, db)["players"])
    assert ADDED[0].lower() not in dict(old)

    published.write_bytes(players, current)  # compacted again, with the new column
    operations.clear()
    result = glue.register(client, db, glue.plan_tables(published))
    assert result.updated == ["players"] and writes(operations) == ["UpdateTable"]
    assert columns(tables_in(client, db)["players"]) == [*old, (ADDED[0].lower(), "double")]

    # A lake whose file no longer has the column: Glue keeps it, and nothing is written.
    published.write_bytes(players, to_parquet_bytes(before.replace_schema_metadata(None), metadata))
    operations.clear()
    glue.register(client, db, glue.plan_tables(published))
    assert writes(operations) == []
    assert columns(tables_in(client, db)["players"])[-1] == (ADDED[0].lower(), "double")


def test_a_season_compacted_later_adds_its_partition(db, published):
    client, operations = client_with_log()
    glue.register(client, db, glue.plan_tables(published))
    # The earlier season compacted: its own file, rows of that season.
    (source,) = glue.lake_files(published)["box_traditional_players"][SEASON]
    rows = pq.read_table(pa.BufferReader(published.store.read_bytes(source)))
    earlier = rows.set_column(
        rows.schema.get_field_index("season"), "season", pa.array([EARLIER] * rows.num_rows)
    )
    target = source.replace(f"season={SEASON}", f"season={EARLIER}")
    published.write_bytes(target, to_parquet_bytes(earlier.replace_schema_metadata(None), {}))
    operations.clear()
    result = glue.register(client, db, glue.plan_tables(published))
    assert writes(operations) == ["BatchCreatePartition"] and result.partitions_added == 1
    folder = f"{published.root}/compact/box_traditional_players"
    assert partitions_in(client, db, "box_traditional_players") == {
        SEASON: f"{folder}/season={SEASON}/",
        EARLIER: f"{folder}/season={EARLIER}/",
    }
    # After a season run, only that season is looked at: nothing to write.
    operations.clear()
    glue.register(client, db, glue.plan_tables(published, season=EARLIER))
    assert writes(operations) == []


def test_a_table_nba_backfill_did_not_create_is_left_alone(db, published):
    client, operations = client_with_log()
    glue.ensure_database(client, db)
    theirs = {
        "Name": "players",
        "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "int"}], "Location": "s3://x/y/"},
    }
    client.create_table(DatabaseName=db, TableInput=theirs)
    warned: list[str] = []
    result = glue.register(client, db, glue.plan_tables(published), warned.append)
    assert result.foreign == ["players"] and "not created by nba-backfill" in warned[0]
    assert columns(tables_in(client, db)["players"]) == [("x", "int")]
    assert "UpdateTable" not in operations


def test_partition_locations_hold_exactly_the_files_sql_reads(db, published, s3_endpoint):  # noqa: F811
    _, s3 = s3_endpoint
    client = glue.glue_client()
    glue.register(client, db, glue.plan_tables(published))
    views = {v.name: v for v in query.plan_views(published)}
    assert set(views) == set(tables_in(client, db))
    for name, table in tables_in(client, db).items():
        locations = list(partitions_in(client, db, name).values()) or [
            table["StorageDescriptor"]["Location"]
        ]
        athena_reads = sorted(k for where in locations for k in keys_under(s3, where))
        everything = keys_under(s3, published.root)
        sql_reads = sorted(k for p in views[name].compacted for k in fnmatch.filter(everything, p))
        assert athena_reads == sql_reads, name
        assert views[name].per_game == []


def test_glue_5xx_and_throttling_are_retried_by_the_client(db, published, s3_endpoint):  # noqa: F811
    url, _ = s3_endpoint
    settings = luigi.configuration.get_config()
    with FaultProxy(url, faults=["500", "503", "500"], methods=("POST",)) as proxy:
        settings.set("glue", "endpoint_url", proxy.url)
        result = glue.register(glue.glue_client(), db, glue.plan_tables(published))
    settings.set("glue", "endpoint_url", url)
    faults = [fault for _, _, fault in proxy.seen if fault != "relayed"]
    assert faults == ["500", "503", "500"]
    assert len(result.created) == len(tables_in(glue.glue_client(), db)) > 20


# --- Athena DDL ----------------------------------------------------------------------------


def test_print_ddl_parses_as_athena_and_says_what_glue_holds(db, published):
    tables = glue.plan_tables(published)
    text = glue.ddl(db, tables)
    client = glue.glue_client()
    glue.register(client, db, tables)
    held = tables_in(client, db)
    statements = [s for s in text.split(";\n") if s.strip()]
    creates = {}
    for statement in statements:
        if statement.lstrip().startswith("ALTER TABLE"):
            continue
        parsed = sqlglot.parse_one(statement, read="athena")  # raises on a syntax error
        assert isinstance(parsed, exp.Create), statement
        if parsed.kind == "TABLE":
            creates[parsed.this.this.name] = parsed
    assert set(creates) == set(held)
    for name, create in creates.items():
        defined = [
            (c.this.name, c.args["kind"].sql("hive").lower())
            for c in create.this.expressions
            if isinstance(c, exp.ColumnDef)
        ]
        assert defined == [(n, t) for n, t in columns(held[name])], name
        location = create.find(exp.LocationProperty).this.name
        assert location == held[name]["StorageDescriptor"]["Location"]
        partitioned = create.find(exp.PartitionedByProperty)
        assert (partitioned is not None) == bool(held[name]["PartitionKeys"]), name
    # ALTER TABLE ... ADD PARTITION: sqlglot keeps it as a command; its partitions, by hand.
    added = re.findall(
        rf"ALTER TABLE `{db}`\.`(\w+)` ADD IF NOT EXISTS\n((?:  PARTITION .*\n?)+)", text
    )
    found = {
        name: dict(re.findall(r"PARTITION \(season = '([^']+)'\) LOCATION '([^']+)'", body))
        for name, body in added
    }
    assert found == {n: partitions_in(client, db, n) for n in held if held[n]["PartitionKeys"]}


# --- the season run and the command, as a user runs them ----------------------------------


def glue_client_at(url: str):
    import boto3

    return boto3.client("glue", endpoint_url=url, region_name="us-east-1")


def test_a_season_run_registers_its_tables_and_a_second_run_writes_nothing(
    db,
    s3_endpoint,  # noqa: F811
    tmp_path,
):
    url, s3 = s3_endpoint
    root = f"s3://{make_bucket(s3)}/lake"
    run = days(FIRST_DAY, FIRST_DAY, "--no-player-info")
    with SimServer(port=0, seed=7, today=LAST_DAY) as sim, GlueLog(url) as glue_log:
        env = {"AWS_ENDPOINT_URL": url, "AWS_ENDPOINT_URL_GLUE": glue_log.url}
        env["NBA_GLUE_DATABASE"] = db
        first = luigi_cli(run, lake=root, sim=sim, tmp=tmp_path, env=env)
        assert first.returncode == 0, why(first)
        assert f"glue: database {db}: " in first.stdout
        created = writes(glue_log.operations)
        glue_log.operations.clear()
        again = luigi_cli(run, lake=root, sim=sim, tmp=tmp_path, env=env)
        assert again.returncode == 0, why(again)
        assert writes(glue_log.operations) == []
        # The command compares every table and partition with Glue: nothing to write.
        glue_log.operations.clear()
        catalog = catalog_cli("--glue-database", db, "--lake-root", root, env=env)
        assert catalog.returncode == 0, catalog.stderr
        assert "0 tables created, 0 updated" in catalog.stdout
        assert writes(glue_log.operations) == [] and "GetTables" in glue_log.operations

    client = glue_client_at(url)
    held = tables_in(client, db)
    lake = Lake(root)
    compacted = glue.lake_files(lake)
    # One table per lake table (each table the run compacted, and the game index).
    landed = {lake.layout.relative(k).split("/")[0] for k in keys_under(s3, root)}
    landed &= {*schema.tables(), "games"}
    assert set(held) == set(compacted) == landed and len(held) > 20
    assert created.count("CreateTable") == len(held) and "CreateDatabase" in created
    for name, table in held.items():
        assert partitions_in(client, db, name) == {
            SEASON: posixpath.dirname(compacted[name][SEASON][0]) + "/"
        }
        for path in compacted[name][SEASON]:  # a month's file each, or the season's one
            types = parquet_types(read_s3(s3, path))
            assert dict(columns(table)) == {n: t for n, t in types.items() if n != "season"}, name


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


def test_an_invalid_database_name_is_bad_input_before_any_request(s3_endpoint, tmp_path):  # noqa: F811
    url, _ = s3_endpoint
    command = catalog_cli("--glue-database", "NBA-lake", "--lake-root", "s3://b/p")
    assert command.returncode == 2
    assert "invalid Glue database name 'NBA-lake'" in one_line(command)
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=7, request_log=str(log)) as sim:
        run = luigi_cli(
            days(FIRST_DAY, FIRST_DAY),
            lake=tmp_path / "lake",
            sim=sim,
            tmp=tmp_path,
            env={"NBA_GLUE_DATABASE": "NBA-lake"},
        )
    assert run.returncode == 2 and "invalid Glue database name" in one_line(run)
    assert requests_in(log) == []


def test_no_glue_permission_is_bad_input_before_any_request(db, s3_endpoint, tmp_path):  # noqa: F811
    url, s3 = s3_endpoint
    root = f"s3://{make_bucket(s3)}/lake"
    keys = iam_user_keys(url, [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}])
    env = {"AWS_ENDPOINT_URL": url, "NBA_GLUE_DATABASE": db, **keys}
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=7, request_log=str(log)) as sim, moto_auth(url):
        run = luigi_cli(days(FIRST_DAY, FIRST_DAY), lake=root, sim=sim, tmp=tmp_path, env=env)
    assert run.returncode == 2
    message = one_line(run)
    assert "AccessDenied" in message and "glue:GetDatabase" in message, message
    assert requests_in(log) == []


def test_the_command_without_glue_permission_exits_2_with_one_line(db, published, s3_endpoint):  # noqa: F811
    url, _ = s3_endpoint
    keys = iam_user_keys(url, [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}])
    env = {"AWS_ENDPOINT_URL": url, **keys}
    with moto_auth(url):
        command = catalog_cli("--glue-database", db, "--lake-root", published.root, env=env)
        ddl = catalog_cli(
            "--glue-database", db, "--lake-root", published.root, "--print-ddl", env=env
        )
    assert command.returncode == 2
    assert "AccessDenied" in one_line(command) and "glue:GetDatabase" in one_line(command)
    # --print-ddl asks Glue nothing: S3 access is enough.
    assert ddl.returncode == 0 and ddl.stdout.startswith(f"CREATE DATABASE IF NOT EXISTS `{db}`;")


def test_glue_refusing_at_the_end_fails_the_run_and_the_next_run_registers(
    db,
    s3_endpoint,  # noqa: F811
    tmp_path,
):
    """May read the catalogue, not add tables: the season lands, the run fails with the
    one line that names the permission, and the next run (allowed) registers it."""
    url, s3 = s3_endpoint
    root = f"s3://{make_bucket(s3)}/lake"
    reads = ["glue:GetDatabase", "glue:CreateDatabase", "glue:GetTables"]
    keys = iam_user_keys(
        url,
        [
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": reads, "Resource": "*"},
        ],
    )
    run = days(FIRST_DAY, FIRST_DAY, "--no-player-info", "--no-team-info", "--limit", "2")
    env = {"AWS_ENDPOINT_URL": url, "NBA_GLUE_DATABASE": db}
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=7, today=LAST_DAY, request_log=str(log)) as sim:
        with moto_auth(url):
            refused = luigi_cli(run, lake=root, sim=sim, tmp=tmp_path, env={**env, **keys})
        log.write_text("")
        assert refused.returncode == 4, why(refused)
        line = next(x for x in refused.stderr.splitlines() if x.startswith("error: Glue"))
        assert "AccessDenied" in line and "glue:CreateTable" in line, line
        assert tables_in(glue_client_at(url), db) == {}
        allowed = luigi_cli(run, lake=root, sim=sim, tmp=tmp_path, env=env)
    assert allowed.returncode == 0, why(allowed)
    # The games were landed by the refused run: none is asked for again.
    asked = {r["endpoint"] for r in requests_in(log)}
    assert asked and not any(e.startswith(("boxscore", "playbyplay")) for e in asked), asked
    assert f"glue: database {db}: " in allowed.stdout
    held = tables_in(glue_client_at(url), db)
    assert set(held) == set(glue.lake_files(Lake(root))) and len(held) > 10


def test_the_readmes_athena_query_names_columns_glue_holds(db, published):
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Athena and the Glue Data Catalog", 1)[1]
    sql = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    parsed = sqlglot.parse_one(sql, read="athena")
    client = glue.glue_client()
    glue.register(client, db, glue.plan_tables(published))
    table = parsed.find(exp.Table)
    held = tables_in(client, db)[table.name]
    names = {n for n, _ in columns(held)} | {"season"}
    used = {c.name for c in parsed.find_all(exp.Column)} - {"ppg"}  # ppg: its own alias
    assert used and used <= names, used - names
