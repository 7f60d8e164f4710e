"""Before any API call: the bucket exists, and we may list, write and delete under root."""

from __future__ import annotations

import uuid

import botocore.exceptions as bex
from botocore.config import Config

from pipeline.core.errors import StorageError
from pipeline.lake.layout import STATE
from pipeline.lake.s3.client import build_client
from pipeline.lake.s3.errors import explain, http_status
from pipeline.lake.s3.store import split

# Preflight should fail fast on a dead endpoint, not back off for a minute.
PREFLIGHT_CONFIG = Config(
    retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30
)


def preflight(root: str) -> None:
    """Check the lake root's bucket with four requests; leaves nothing behind.

    Raises StorageError with a one-line message naming the bucket and the problem.
    """
    bucket, prefix = split(root.rstrip("/"))
    if not bucket:
        raise StorageError(f"invalid lake root {root!r}: expected s3://bucket/prefix")
    s3 = build_client(PREFLIGHT_CONFIG).boto  # same [s3] settings, fewer retries
    probe = "/".join(p for p in (prefix, STATE, "preflight", f"{uuid.uuid4().hex}") if p)
    steps = (
        ("check", lambda: s3.head_bucket(Bucket=bucket)),
        ("list", lambda: s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/", MaxKeys=1)),
        ("test write", lambda: s3.put_object(Bucket=bucket, Key=probe, Body=b"preflight")),
        ("test delete", lambda: s3.delete_object(Bucket=bucket, Key=probe)),
    )
    for doing, step in steps:
        try:
            step()
        except (bex.ClientError, bex.BotoCoreError) as exc:
            error = explain(exc, bucket, doing)
            if doing == "list" and isinstance(exc, bex.ClientError) and http_status(exc) == 403:
                error = StorageError(
                    f"S3 list on bucket {bucket!r}: AccessDenied: the "
                    f"credentials lack s3:ListBucket, which resume needs"
                )
            raise StorageError(f"preflight failed: {error}") from None
