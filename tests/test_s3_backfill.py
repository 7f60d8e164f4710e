"""A week from the simulator into S3 (moto's server over HTTP), through the real CLI."""

import json

from pipeline.sim.server import SimServer
from tests.runner import luigi_cli, requests_in, why
from tests.s3_server import make_bucket, s3_endpoint  # noqa: F401  (pytest fixture)

DAYS = [
    "SeasonBackfill",
    "--season",
    "2024-25",
    "--start-date",
    "2024-10-22",
    "--end-date",
    "2024-10-23",
    "--no-player-info",
    "--workers",
    "2",
]


def test_week_into_s3_is_complete_valid_and_resumable(s3_endpoint, tmp_path):  # noqa: F811
    url, client = s3_endpoint
    bucket = make_bucket(client)
    root = f"s3://{bucket}/historical-backfill"
    env = {"AWS_ENDPOINT_URL": url}
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=7, request_log=str(log)) as sim:
        first = luigi_cli(DAYS, lake=root, sim=sim, tmp=tmp_path, env=env)
        assert first.returncode == 0, why(first)
        games = [
            g
            for g in sim.league.season("2024-25").games
            if "2024-10-22" <= g.date.isoformat() <= "2024-10-23"
        ]
        keys = {
            o["Key"]
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])
        }
        for game in games:
            key = f"historical-backfill/play_by_play/season=2024-25/month=10/{game.game_id}.parquet"
            assert key in keys
        report = json.loads(
            client.get_object(
                Bucket=bucket,
                Key="historical-backfill/data-quality/validation-reports/season=2024-25/report.json",
            )["Body"].read()
        )
        assert report["summary"]["expected_games"] == len(games)
        assert report["summary"]["quality_score"] == 1.0
        assert not any(k.startswith("historical-backfill/backfill-state/preflight/") for k in keys)
        log.write_text("")
        again = luigi_cli(DAYS, lake=root, sim=sim, tmp=tmp_path, env=env)
        assert again.returncode == 0, why(again)
        assert requests_in(log) == []


def test_missing_bucket_stops_before_any_request(s3_endpoint, tmp_path):  # noqa: F811
    url, _ = s3_endpoint
    log = tmp_path / "requests.jsonl"
    with SimServer(port=0, seed=7, request_log=str(log)) as sim:
        result = luigi_cli(
            DAYS,
            lake="s3://no-such-bucket-here/x",
            sim=sim,
            tmp=tmp_path,
            env={"AWS_ENDPOINT_URL": url},
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no-such-bucket-here" in lines[0], lines
    assert "NoSuchBucket" in lines[0] or "does not exist" in lines[0]
    assert requests_in(log) == []
