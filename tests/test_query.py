"""`nba-backfill sql` (pipeline/app/query.py): DuckDB over a lake the real graph landed, local
and on S3 (moto's server, through DuckDB's httpfs loaded from its installed package)."""

import csv
import io
import os
import pathlib
import shutil
import subprocess
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.lake import compact
from pipeline.lake.lake import Lake
from pipeline.sim.server import SimServer
from tests.runner import REPO, luigi_cli, why
from tests.s3_server import FaultProxy, make_bucket, s3_endpoint  # noqa: F401  (fixture)
from tests.sim_lake import LAST_DAY, SEASON, days, sim_lake  # noqa: F401  (fixture)

COUNT = "SELECT count(*) AS n FROM box_traditional_players"


def sql(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The sql command in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.app.query", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def csv_rows(result: subprocess.CompletedProcess) -> list[dict]:
    assert result.returncode == 0, why(result)
    return list(csv.DictReader(io.StringIO(result.stdout)))


def per_game_rows(root: pathlib.Path, table: str) -> pa.Table:
    files = sorted((root / table / f"season={SEASON}").rglob("*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files])


@pytest.fixture
def lake(sim_lake, tmp_path) -> pathlib.Path:  # noqa: F811
    shutil.copytree(sim_lake, tmp_path / "lake")
    return tmp_path / "lake"


def test_count_equals_the_per_game_rows_before_and_after_compaction(lake):
    expected = per_game_rows(lake, "box_traditional_players").num_rows
    before = csv_rows(sql("--lake-root", str(lake), "--csv", COUNT))
    assert before == [{"n": str(expected)}]
    compact.compact_season(Lake(str(lake)), SEASON)
    views = sql("--lake-root", str(lake), "--print-views")
    assert "compact/box_traditional_players/season=2024-25" in views.stdout
    assert csv_rows(sql("--lake-root", str(lake), "--csv", COUNT)) == before


def test_points_per_game_over_the_season_value_for_value(lake):
    compact.compact_season(Lake(str(lake)), SEASON)
    query = (
        "SELECT personId, season, sum(points) AS points, count(*) AS games "
        "FROM box_traditional_players WHERE minutes <> '' GROUP BY ALL ORDER BY personId"
    )
    rows = csv_rows(sql("--lake-root", str(lake), "--csv", query))
    table = per_game_rows(lake, "box_traditional_players").to_pandas()
    played = table[table["minutes"] != ""]
    totals = played.groupby("personId")["points"].agg(["sum", "count"])
    assert len(rows) == len(totals) > 100
    for row in rows:
        person = int(row["personId"])
        assert row["season"] == SEASON
        assert (int(row["points"]), int(row["games"])) == tuple(totals.loc[person]), person


def test_a_compacted_file_behind_its_inputs_is_not_read(lake):
    root = Lake(str(lake))
    compact.compact_season(root, SEASON)
    path = sorted((lake / "box_traditional_players" / f"season={SEASON}").rglob("*.parquet"))[0]
    table = pq.read_table(path)
    root.write_table(str(path), table.slice(0, table.num_rows - 1), {})  # a corrected game
    result = sql("--lake-root", str(lake), "--csv", COUNT)
    assert csv_rows(result) == [{"n": str(per_game_rows(lake, "box_traditional_players").num_rows)}]
    assert "box_traditional_players 2024-25: the compacted files are behind" in result.stderr


def test_a_readable_table_by_default_and_bad_sql_is_bad_input(lake):
    shown = sql("--lake-root", str(lake), "SELECT season, count(*) AS games FROM games GROUP BY 1")
    assert shown.returncode == 0, shown.stderr
    assert "games" in shown.stdout and SEASON in shown.stdout and "│" in shown.stdout
    bad = sql("--lake-root", str(lake), "SELEC nonsense")
    assert bad.returncode == 2 and bad.stderr.startswith("error: Parser Error")


def test_views_for_other_tools_as_sql_and_as_a_database_file(lake, tmp_path):
    compact.compact_season(Lake(str(lake)), SEASON)
    expected = per_game_rows(lake, "play_by_play").num_rows
    printed = sql("--lake-root", str(lake), "--print-views")
    assert printed.returncode == 0, printed.stderr
    con = duckdb.connect()
    con.execute(printed.stdout)
    assert con.sql("SELECT count(*) FROM play_by_play").fetchone()[0] == expected
    database = tmp_path / "lake.duckdb"
    written = sql("--lake-root", str(lake), "--write-db", str(database))
    assert written.returncode == 0, written.stderr
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM play_by_play").fetchone()[0] == expected
        views = con.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert {"box_traditional_players", "players", "games", "play_by_play"} <= {v for (v,) in views}


# --- S3 ----------------------------------------------------------------------------------


def s3_rows(client, bucket: str, prefix: str) -> int:
    keys = [
        o["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for o in page.get("Contents", [])
    ]
    return sum(
        pq.read_metadata(
            pa.BufferReader(client.get_object(Bucket=bucket, Key=k)["Body"].read())
        ).num_rows
        for k in keys
    )


def test_sql_on_s3_reads_through_httpfs_with_the_lakes_settings(s3_endpoint, tmp_path):  # noqa: F811
    url, client = s3_endpoint
    bucket = make_bucket(client)
    root = f"s3://{bucket}/lake"
    with SimServer(port=0, seed=7, today=LAST_DAY) as sim:  # the first day's games final
        landed = luigi_cli(
            days("2024-10-23", "2024-10-23", "--no-player-info", "--no-team-info"),
            lake=root,
            sim=sim,
            tmp=tmp_path,
            env={"AWS_ENDPOINT_URL": url},
        )
    assert landed.returncode == 0, why(landed)
    expected = s3_rows(client, bucket, f"lake/box_traditional_players/season={SEASON}/")
    assert expected > 100
    env = {"AWS_ENDPOINT_URL": url}
    assert csv_rows(sql("--lake-root", root, "--csv", COUNT, env=env)) == [{"n": str(expected)}]

    # The run compacted the season at its end: compacting again writes nothing.
    lake = Lake(root)
    assert compact.compacted_of(
        lake, "box_traditional_players", SEASON, compact.compacted_files(lake)
    )
    assert compact.compact_season(lake, SEASON).written == []
    # Every request the command makes (its listing, the footer it checks, DuckDB's reads)
    # goes through a counting proxy in front of moto.
    with FaultProxy(url, faults=[]) as proxy:
        counted = sql("--lake-root", root, "--csv", COUNT, env={"AWS_ENDPOINT_URL": proxy.url})
    assert csv_rows(counted) == [{"n": str(expected)}]
    assert 0 < len(proxy.seen) <= 20, proxy.seen
    assert not any("/month=" in path for _, path, _ in proxy.seen)  # no per-game file read
