"""Byte storage on S3: listings for completeness, whole-object puts."""

from __future__ import annotations

from collections.abc import Callable

import botocore.exceptions as bex

from pipeline.core.errors import StorageError
from pipeline.lake.s3.client import LakeClient
from pipeline.lake.s3.errors import denied_missing_key, explain, http_status, is_missing


def split(path: str) -> tuple[str, str]:
    """s3://bucket/a/b -> ("bucket", "a/b")."""
    if not path.startswith("s3://"):
        raise ValueError(f"not an s3:// path: {path!r}")
    bucket, _, key = path[len("s3://") :].partition("/")
    return bucket, key


class S3Store:
    """Byte storage on S3 with LocalStore's interface. Paths are full s3:// URLs.

    client: gives the clients to use, asked on every call (so a forked process, whose
    provider gives new clients, never uses its parent's connections).
    """

    read_threads = 16  # S3 reads wait on the network
    processes = 1  # ... so threads keep them busy (compaction needs no processes)

    def __init__(self, client: Callable[[], LakeClient]):
        self._client = client

    def exists(self, path: str) -> bool:
        bucket, key = split(path)
        try:
            self._client().boto.head_object(Bucket=bucket, Key=key)
            return True
        except bex.ClientError as exc:
            if is_missing(exc):
                return False
            if http_status(exc) == 403:
                raise StorageError(f"S3 HEAD {path}: {denied_missing_key(bucket)}") from None
            raise explain(exc, bucket, f"check of {key}") from None
        except bex.BotoCoreError as exc:
            raise explain(exc, bucket, f"check of {key}") from None

    def read_bytes(self, path: str) -> bytes:
        bucket, key = split(path)
        try:
            return self._client().boto.get_object(Bucket=bucket, Key=key)["Body"].read()
        except bex.ClientError as exc:
            if is_missing(exc):
                raise FileNotFoundError(path) from None  # as LocalStore's open() does
            raise explain(exc, bucket, f"read of {key}") from None
        except bex.BotoCoreError as exc:
            raise explain(exc, bucket, f"read of {key}") from None

    def write_bytes(self, path: str, data: bytes) -> None:
        """One PutObject: S3 shows no object or the whole object, never part of one.

        A retried PUT resends the whole body, so a reset mid-upload leaves nothing behind.
        (No temporary key + rename: on S3 that is a copy + delete, neither atomic nor cheap.)
        """
        bucket, key = split(path)
        try:
            self._client().boto.put_object(Bucket=bucket, Key=key, Body=data)
        except (bex.ClientError, bex.BotoCoreError) as exc:
            raise explain(exc, bucket, f"write of {key}") from None

    def write_many(self, files: list[tuple[str, bytes]]) -> None:
        for path, data in files:  # in order, each a PutObject of its own
            self.write_bytes(path, data)

    def delete(self, path: str) -> None:
        bucket, key = split(path)
        try:
            self._client().boto.delete_object(Bucket=bucket, Key=key)  # missing is fine
        except (bex.ClientError, bex.BotoCoreError) as exc:
            raise explain(exc, bucket, f"delete of {key}") from None

    def list(self, prefix: str) -> set[str]:
        """Every object below prefix (as a folder), as full s3:// paths.

        One ListObjectsV2 request per 1,000 keys: this is what makes completeness cheap.
        """
        bucket, key = split(prefix.rstrip("/"))
        folder = f"{key}/" if key else ""
        found: set[str] = set()
        try:
            pages = self._client().lister.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=bucket, Prefix=folder):
                found.update(f"s3://{bucket}/{obj['Key']}" for obj in page.get("Contents", ()))
        except bex.ClientError as exc:
            if http_status(exc) == 403:
                raise StorageError(
                    f"S3 list of s3://{bucket}/{folder} denied: the credentials "
                    f"lack s3:ListBucket on bucket {bucket!r}"
                ) from None
            raise explain(exc, bucket, f"list of {folder}") from None
        except bex.BotoCoreError as exc:
            raise explain(exc, bucket, f"list of {folder}") from None
        return found

    def list_versions(self, prefix: str) -> dict[str, tuple[int, str]]:
        """Every object below prefix -> (size, ETag), from the same listing requests: the
        ETag changes when an object is written again with other bytes."""
        bucket, key = split(prefix.rstrip("/"))
        folder = f"{key}/" if key else ""
        found: dict[str, tuple[int, str]] = {}
        try:
            pages = self._client().lister.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=bucket, Prefix=folder):
                for obj in page.get("Contents", ()):
                    found[f"s3://{bucket}/{obj['Key']}"] = (obj["Size"], obj["ETag"].strip('"'))
        except (bex.ClientError, bex.BotoCoreError) as exc:
            raise explain(exc, bucket, f"list of {folder}") from None
        return found

    def read_tail(self, path: str, size: int) -> bytes:
        """The last `size` bytes of an object (all of it if smaller): one ranged GET."""
        bucket, key = split(path)
        try:
            answer = self._client().boto.get_object(Bucket=bucket, Key=key, Range=f"bytes=-{size}")
            return answer["Body"].read()
        except bex.ClientError as exc:
            if is_missing(exc):
                raise FileNotFoundError(path) from None
            raise explain(exc, bucket, f"read of {key}") from None
        except bex.BotoCoreError as exc:
            raise explain(exc, bucket, f"read of {key}") from None
