"""The lake on S3: one shared client per process, listings for completeness, atomic puts.

Settings come from one place, Luigi's `[s3]` section (passed to boto3 as is, exactly as
luigi.contrib.s3.S3Client does, because our client IS a luigi S3Client), then boto3's own
chain (env AWS_ACCESS_KEY_ID..., AWS_ENDPOINT_URL, ~/.aws). The older CLI's AWS_REGION is
mapped to region_name here because boto3 only reads AWS_DEFAULT_REGION.

Every S3 failure the pipeline cannot fix by waiting becomes a StorageError with a one-line
message naming the bucket; transient ones (5xx, SlowDown, resets) are retried by botocore's
"standard" retry mode and, once spent, raised as TransientError so Luigi retries the task.
"""

from __future__ import annotations

import os
import threading
import uuid

import boto3
import botocore.exceptions as bex
import botocore.session
import luigi
import luigi.format
from botocore.config import Config
from luigi.contrib.s3 import S3Client, S3Target

from pipeline.errors import ServerError, StorageError, TransientError
from pipeline.lake.layout import STATE

# botocore "standard" mode retries 500/502/503/504, SlowDown/Throttling and connection
# errors (reset, refused, read timeout) with jittered exponential backoff (max 20 s).
MAX_ATTEMPTS = int(os.environ.get("AWS_MAX_ATTEMPTS") or 8)
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
# Preflight should fail fast on a dead endpoint, not back off for a minute.
PREFLIGHT_CONFIG = Config(
    retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30
)

_MISSING = ("404", "NoSuchKey", "NotFound")
_TRANSIENT_CODES = (
    "500",
    "502",
    "503",
    "504",
    "InternalError",
    "SlowDown",
    "ServiceUnavailable",
    "RequestTimeout",
    "Throttling",
    "ThrottlingException",
)


class LakeS3Client(S3Client):
    """luigi's S3Client whose boto3 resource is rebuilt in a forked child (never shared
    across processes: a boto3 connection pool is not fork-safe)."""

    def __init__(self, **kwargs):
        options = {
            "config": Config(
                retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=READ_TIMEOUT_SECONDS,
            )
        }
        region = os.environ.get("AWS_REGION")
        if region and "region_name" not in self._get_s3_config():
            options["region_name"] = region  # the older config's name; boto3 ignores it
        super().__init__(**{**options, **kwargs})
        self._pid = os.getpid()
        self._build_lock = threading.Lock()

    @property
    def s3(self):
        if self._pid != os.getpid():  # forked: drop the parent's connections
            self._pid, self._s3, self._build_lock = os.getpid(), None, threading.Lock()
        if self._s3 is None:
            with self._build_lock:
                if self._s3 is None:
                    self._s3 = self._build()
        return self._s3

    def _session(self, options: dict, *, raw_timestamps: bool = False):
        # As luigi does, but on a session of our own: boto3's default session caches the
        # credentials it found first, so a rebuilt client would never see new ones.
        keys = {
            k: options.pop(k, None)
            for k in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
        }
        options.pop("aws_role_session_name", None)
        core = botocore.session.Session()
        if raw_timestamps:
            core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=str)
        return boto3.session.Session(botocore_session=core, **keys)

    def _build(self):
        options = dict(self._options)
        if options.get("aws_role_arn"):
            return S3Client.s3.fget(self)  # luigi's assume-role path, as is
        return self._session(options).resource("s3", **options)

    @s3.setter
    def s3(self, value):
        self._s3 = value

    @property
    def boto(self):
        """The low-level boto3 client (thread-safe) underneath luigi's resource."""
        return self.s3.meta.client

    @property
    def lister(self):
        """A client for listings only, same settings, that leaves LastModified unparsed:
        parsing 1,000 timestamps is most of the client's time per page, and we never read
        them. (Separate, because luigi's listdir(start_time=...) compares datetimes.)"""
        s3 = self.s3  # also resets both clients after a fork
        if getattr(self, "_lister", None) is None or self._lister_pid != self._pid:
            options = dict(self._options)
            if options.get("aws_role_arn"):
                self._lister = s3.meta.client
            else:
                self._lister = self._session(options, raw_timestamps=True).client("s3", **options)
            self._lister_pid = self._pid
        return self._lister


_shared: LakeS3Client | None = None
_shared_pid: int | None = None
_shared_lock = threading.Lock()


def shared_client() -> LakeS3Client:
    """The process's one S3 client, made on first use (and again after a fork)."""
    global _shared, _shared_pid
    if _shared is None or _shared_pid != os.getpid():
        with _shared_lock:
            if _shared is None or _shared_pid != os.getpid():
                _shared, _shared_pid = LakeS3Client(), os.getpid()
    return _shared


def reset_client() -> None:
    """Forget the shared client so the next use re-reads settings (tests, config changes)."""
    global _shared
    with _shared_lock:
        _shared = None


def s3_target(path: str) -> luigi.Target:
    """A Luigi target on the shared client, binary, for Luigi's own output() API."""
    return S3Target(path, format=luigi.format.Nop, client=shared_client())


def split(path: str) -> tuple[str, str]:
    """s3://bucket/a/b -> ("bucket", "a/b")."""
    if not path.startswith("s3://"):
        raise ValueError(f"not an s3:// path: {path!r}")
    bucket, _, key = path[len("s3://") :].partition("/")
    return bucket, key


# --- errors: one line, naming the bucket --------------------------------------------------


def _code(exc: bex.ClientError) -> str:
    return str(
        exc.response.get("Error", {}).get("Code")
        or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    )


def _status(exc: bex.ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _denied_missing_key(bucket: str) -> str:
    return (
        f"403 for a missing key usually means the credentials lack s3:ListBucket on "
        f"bucket {bucket!r} (S3 answers 403 instead of 404 without it); grant s3:ListBucket "
        f"and s3:GetObject/PutObject/DeleteObject on the lake prefix"
    )


def explain(exc: Exception, bucket: str, doing: str) -> Exception:
    """The pipeline's error for a boto3 failure: StorageError (critical) or TransientError."""
    where = f"S3 {doing} on bucket {bucket!r}"
    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return StorageError(
            f"{where}: no AWS credentials found (set AWS_ACCESS_KEY_ID/"
            f"AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role)"
        )
    if isinstance(exc, bex.EndpointConnectionError):
        return StorageError(
            f"{where}: endpoint unreachable ({exc.kwargs.get('endpoint_url')}); "
            f"check [s3] endpoint_url / AWS_ENDPOINT_URL and the network"
        )
    if isinstance(exc, bex.ConnectionError | bex.HTTPClientError):
        return TransientError(f"{where}: connection failed after retries: {exc}")
    if not isinstance(exc, bex.ClientError):
        return StorageError(f"{where}: {type(exc).__name__}: {exc}".replace("\n", " "))
    code, status = _code(exc), _status(exc)
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    if code in ("NoSuchBucket",) or (status == 404 and doing.startswith(("check", "list"))):
        return StorageError(
            f"{where}: NoSuchBucket: the bucket does not exist (check "
            f"AWS_S3_BUCKET / [lake] root, and the endpoint/account)"
        )
    if (
        code
        in (
            "PermanentRedirect",
            "301",
            "AuthorizationHeaderMalformed",
            "IllegalLocationConstraintException",
        )
        or status == 301
    ):
        actual = headers.get("x-amz-bucket-region", "another region")
        return StorageError(
            f"{where}: wrong region: the bucket is in {actual}; set AWS_REGION or [s3] region_name"
        )
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"):
        return StorageError(f"{where}: {code}: the credentials are invalid or expired")
    if code in ("AccessDenied", "403", "Forbidden") or status == 403:
        return StorageError(
            f"{where}: AccessDenied: the credentials may not do this (needs "
            f"s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject)"
        )
    if code in _TRANSIENT_CODES or status >= 500:
        return ServerError(f"{where}: {code} after {MAX_ATTEMPTS} attempts", status=status)
    message = exc.response.get("Error", {}).get("Message", "")
    return StorageError(f"{where}: {code} {message}".strip())


# --- the store ----------------------------------------------------------------------------


class S3Store:
    """Byte storage on S3 with LocalStore's interface. Paths are full s3:// URLs."""

    @property
    def _s3(self):
        return shared_client().boto

    def exists(self, path: str) -> bool:
        bucket, key = split(path)
        try:
            self._s3.head_object(Bucket=bucket, Key=key)
            return True
        except bex.ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            if _status(exc) == 403:
                raise StorageError(f"S3 HEAD {path}: {_denied_missing_key(bucket)}") from None
            raise explain(exc, bucket, f"check of {key}") from None
        except bex.BotoCoreError as exc:
            raise explain(exc, bucket, f"check of {key}") from None

    def read_bytes(self, path: str) -> bytes:
        bucket, key = split(path)
        try:
            return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except bex.ClientError as exc:
            if _code(exc) in _MISSING:
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
            self._s3.put_object(Bucket=bucket, Key=key, Body=data)
        except (bex.ClientError, bex.BotoCoreError) as exc:
            raise explain(exc, bucket, f"write of {key}") from None

    def delete(self, path: str) -> None:
        bucket, key = split(path)
        try:
            self._s3.delete_object(Bucket=bucket, Key=key)  # a missing key is not an error
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
            for page in (
                shared_client()
                .lister.get_paginator("list_objects_v2")
                .paginate(Bucket=bucket, Prefix=folder)
            ):
                found.update(f"s3://{bucket}/{obj['Key']}" for obj in page.get("Contents", ()))
        except bex.ClientError as exc:
            if _status(exc) == 403:
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
            pages = shared_client().lister.get_paginator("list_objects_v2")
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
            response = self._s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=-{size}")
            return response["Body"].read()
        except bex.ClientError as exc:
            if _code(exc) in _MISSING:
                raise FileNotFoundError(path) from None
            raise explain(exc, bucket, f"read of {key}") from None
        except bex.BotoCoreError as exc:
            raise explain(exc, bucket, f"read of {key}") from None


# --- preflight ----------------------------------------------------------------------------


def preflight(root: str) -> None:
    """Before any API call: the bucket exists, and we may list, write and delete under root.

    Raises StorageError with a one-line message naming the bucket and the problem.
    """
    bucket, prefix = split(root.rstrip("/"))
    if not bucket:
        raise StorageError(f"invalid lake root {root!r}: expected s3://bucket/prefix")
    s3 = LakeS3Client(config=PREFLIGHT_CONFIG).boto  # same [s3] settings, fewer retries
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
            if doing == "list" and isinstance(exc, bex.ClientError) and _status(exc) == 403:
                error = StorageError(
                    f"S3 list on bucket {bucket!r}: AccessDenied: the "
                    f"credentials lack s3:ListBucket, which resume needs"
                )
            raise StorageError(f"preflight failed: {error}") from None
