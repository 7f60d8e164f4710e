"""The S3 lake against moto's real HTTP server: round trips, listings, faults, preflight."""

from __future__ import annotations

import os
import socket

import luigi.contrib.s3
import pytest

from pipeline.app import runtime
from pipeline.core.errors import ServerError, StorageError
from pipeline.lake.lake import Lake
from pipeline.lake.s3.preflight import preflight
from pipeline.lake.s3.store import S3Store
from pipeline.lake.store import store_for
from pipeline.model.ingest import Item, is_done, land, raw_path, table_paths
from pipeline.nba.endpoints import BOX_TRADITIONAL
from pipeline.tasks.targets import make_target
from tests import s3_server
from tests.conftest import fixture_body
from tests.s3_server import (
    FaultProxy,
    iam_user_keys,
    make_bucket,
    moto_auth,
    seed_objects,
    use_endpoint,
)

s3_endpoint = s3_server.s3_endpoint  # fixtures: the session's moto server, a fresh bucket
s3_bucket = s3_server.s3_bucket


def s3_store() -> S3Store:
    return S3Store(lambda: runtime.current().s3_client())


def count_requests(client) -> list[str]:
    """Every HTTP request the client sends, by operation name."""
    seen: list[str] = []
    client.meta.events.register(
        "before-send.s3.*", lambda event_name, **kw: seen.append(event_name.split(".")[-1])
    )
    return seen


def all_keys(client, bucket: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", ()))


# --- round trips ---------------------------------------------------------------------------


def test_store_round_trip(s3_bucket):
    store = store_for(f"s3://{s3_bucket}/prefix")
    assert isinstance(store, S3Store)
    path = f"s3://{s3_bucket}/prefix/t/season=2024-25/month=1/a.parquet"
    store.write_bytes(path, b"\x00parquet\xff")
    store.write_bytes(f"s3://{s3_bucket}/prefix/t-other/b.parquet", b"x")

    assert store.exists(path)
    assert not store.exists(path + ".missing")
    assert store.read_bytes(path) == b"\x00parquet\xff"
    # A prefix is a folder: t/ does not take in t-other/.
    assert store.list(f"s3://{s3_bucket}/prefix/t") == {path}
    assert store.list(f"s3://{s3_bucket}/prefix/t/") == {path}
    assert store.list(f"s3://{s3_bucket}/prefix/nothing") == set()
    assert len(store.list(f"s3://{s3_bucket}")) == 2
    with pytest.raises(FileNotFoundError):
        store.read_bytes(path + ".missing")

    store.delete(path)
    store.delete(path)  # deleting twice is fine, as locally
    assert not store.exists(path)


def test_lake_lands_a_real_box_score_and_reads_it_back(s3_bucket, s3_endpoint):
    body = fixture_body("boxscoretraditionalv3/GameID=0022200552.json")
    lake = Lake(f"s3://{s3_bucket}/historical-backfill")
    item = Item(
        season="2022-23",
        key="0022200552",
        month=1,
        lineage={
            "game_id": "0022200552",
            "season": "2022-23",
            "season_type": "Regular Season",
            "game_date": "2023-01-02",
        },
    )
    assert not is_done(lake, BOX_TRADITIONAL, item)

    lake.write_raw(raw_path(lake, BOX_TRADITIONAL, item), body)
    outcome = land(lake, BOX_TRADITIONAL, item, body)
    assert outcome.rows > 0

    lake.forget_listings()
    fresh = Lake(lake.root)  # no memory of its own writes: must learn from S3 listings
    assert is_done(fresh, BOX_TRADITIONAL, item)
    players = fresh.read_table(table_paths(fresh, BOX_TRADITIONAL, item)[0][0])
    assert players.num_rows > 0 and set(players.column("game_id").to_pylist()) == {"0022200552"}
    assert fresh.read_raw(raw_path(fresh, BOX_TRADITIONAL, item)) == body
    keys = all_keys(s3_endpoint[1], s3_bucket)
    assert (
        "historical-backfill/box_traditional_players/season=2022-23/month=1/0022200552.parquet"
        in keys
    )
    assert len(keys) == 1 + len(BOX_TRADITIONAL.tables)  # the raw body + one file per table


def test_listing_paginates_past_1000_keys(s3_bucket, s3_endpoint):
    keys = [f"p/t/season=2024-25/month=1/{n:05d}.parquet" for n in range(2050)]
    seed_objects(s3_bucket, keys)
    seed_objects(s3_bucket, ["p/t/season=2024-250/decoy.parquet"])
    sent = count_requests(runtime.current().s3_client().lister)

    found = s3_store().list(f"s3://{s3_bucket}/p/t/season=2024-25")

    assert found == {f"s3://{s3_bucket}/{k}" for k in keys}
    assert sent == ["ListObjectsV2"] * 3  # 1,000 keys a page


def test_luigi_targets_share_one_client(s3_bucket):
    path = f"s3://{s3_bucket}/p/x.parquet"
    first, second = make_target(path), make_target(path + "2")
    assert isinstance(first, luigi.contrib.s3.S3Target)
    assert first.fs is second.fs is runtime.current().s3_client().luigi_client
    assert not first.exists()
    s3_store().write_bytes(path, b"data")
    assert first.exists()
    with first.open("r") as handle:  # binary (format=Nop), as Parquet needs
        assert handle.read() == b"data"


def test_a_forked_child_builds_its_own_client(s3_bucket):
    parent = runtime.current().s3_client().boto
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: must not reuse the parent's connection pool
        try:
            ok = runtime.current().s3_client().boto is not parent
            s3_store().write_bytes(f"s3://{s3_bucket}/from-child", b"child")
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    assert answer == b"1"
    assert runtime.current().s3_client().boto is parent
    assert s3_store().read_bytes(f"s3://{s3_bucket}/from-child") == b"child"


# --- older settings ------------------------------------------------------------------------


def test_aws_region_env_sets_the_region(s3_bucket, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    runtime.reset()
    assert runtime.current().s3_client().boto.meta.region_name == "eu-west-1"


def test_aws_endpoint_url_env_is_honoured_without_luigi_cfg(s3_bucket, s3_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint[0])  # boto3 reads it itself
    with use_endpoint(None):
        s3_store().write_bytes(f"s3://{s3_bucket}/k", b"v")
        assert runtime.current().s3_client().boto.meta.endpoint_url == s3_endpoint[0]
    assert all_keys(s3_endpoint[1], s3_bucket) == ["k"]


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize("faults", [["500"], ["503"], ["reset"], ["503", "reset", "500"]])
def test_upload_retries_transient_faults_and_lands_one_whole_object(s3_bucket, s3_endpoint, faults):
    data = os.urandom(256 * 1024)
    path = f"s3://{s3_bucket}/p/t/season=2024-25/g.parquet"
    with FaultProxy(s3_endpoint[0], faults) as proxy, use_endpoint(proxy.url):
        s3_store().write_bytes(path, data)
    assert [fault for method, _, fault in proxy.seen if method == "PUT"] == [*faults, "relayed"]
    assert all_keys(s3_endpoint[1], s3_bucket) == ["p/t/season=2024-25/g.parquet"]
    assert s3_store().read_bytes(path) == data


def test_upload_that_keeps_failing_raises_transient_and_leaves_nothing(
    s3_bucket, s3_endpoint, monkeypatch
):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # keep the test short; read at build time
    with (
        FaultProxy(s3_endpoint[0], ["503", "reset", "503"]) as proxy,
        use_endpoint(proxy.url),
        pytest.raises(ServerError, match="SlowDown"),
    ):
        s3_store().write_bytes(f"s3://{s3_bucket}/p/g.parquet", b"x" * 1000)
    assert all_keys(s3_endpoint[1], s3_bucket) == []


# --- preflight ------------------------------------------------------------------------------


def one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_preflight_passes_and_leaves_nothing_behind(s3_bucket, s3_endpoint):
    preflight(f"s3://{s3_bucket}/historical-backfill")
    preflight(f"s3://{s3_bucket}")
    assert all_keys(s3_endpoint[1], s3_bucket) == []


def test_preflight_no_such_bucket(s3_endpoint):
    with pytest.raises(StorageError) as excinfo:
        preflight("s3://no-such-bucket-here/historical-backfill")
    message = one_line(excinfo)
    assert "'no-such-bucket-here'" in message and "NoSuchBucket" in message


def test_preflight_endpoint_unreachable(s3_bucket):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with use_endpoint(f"http://127.0.0.1:{port}"), pytest.raises(StorageError) as excinfo:
        preflight(f"s3://{s3_bucket}/p")
    message = one_line(excinfo)
    assert "unreachable" in message and f"'{s3_bucket}'" in message


def test_preflight_no_credentials(s3_bucket, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    runtime.reset()
    with pytest.raises(StorageError) as excinfo:
        preflight(f"s3://{s3_bucket}/p")
    assert "no AWS credentials" in one_line(excinfo)


LIST_ACTIONS = ["s3:ListBucket", "s3:HeadBucket", "s3:ListObjectsV2"]
LIST_AND_READ = [
    # AWS checks HeadBucket and ListObjectsV2 as s3:ListBucket; moto checks them under
    # their own names (ListObjectsV2 since moto 5.2), so the policies name all three.
    {"Effect": "Allow", "Action": LIST_ACTIONS, "Resource": "*"},
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
]


def test_preflight_access_denied_on_write(s3_bucket, s3_endpoint, monkeypatch):
    keys = iam_user_keys(s3_endpoint[0], LIST_AND_READ)  # may read, not write
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    with moto_auth(s3_endpoint[0]), pytest.raises(StorageError) as excinfo:
        preflight(f"s3://{s3_bucket}/historical-backfill")
    message = one_line(excinfo)
    assert f"'{s3_bucket}'" in message and "AccessDenied" in message
    assert "test write" in message


def test_preflight_access_denied_on_list(s3_bucket, s3_endpoint, monkeypatch):
    keys = iam_user_keys(
        s3_endpoint[0],
        [
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["s3:ListBucket", "s3:ListObjectsV2"], "Resource": "*"},
        ],
    )
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    with moto_auth(s3_endpoint[0]), pytest.raises(StorageError) as excinfo:
        preflight(f"s3://{s3_bucket}/p")
    assert "lack s3:ListBucket" in one_line(excinfo)


def test_403_on_a_missing_key_is_explained(s3_bucket, s3_endpoint, monkeypatch):
    # Without s3:ListBucket (and here without s3:GetObject on the key) S3 answers a HEAD
    # of a missing key with 403, not 404.
    keys = iam_user_keys(
        s3_endpoint[0],
        [
            {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"},
        ],
    )
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    with moto_auth(s3_endpoint[0]), pytest.raises(StorageError) as excinfo:
        s3_store().exists(f"s3://{s3_bucket}/p/missing.parquet")
    message = one_line(excinfo)
    assert "403 for a missing key usually means the credentials lack s3:ListBucket" in message
    assert f"bucket '{s3_bucket}'" in message


def test_store_raises_storage_error_for_a_missing_bucket(s3_endpoint):
    bucket = "gone-" + make_bucket(s3_endpoint[1])
    with pytest.raises(StorageError, match="NoSuchBucket"):
        s3_store().write_bytes(f"s3://{bucket}/p/x", b"x")
    with pytest.raises(StorageError, match="NoSuchBucket"):
        s3_store().list(f"s3://{bucket}/p")
