"""botocore failures as the pipeline's errors, each one line naming the bucket.

Every S3 failure the pipeline cannot fix by waiting becomes a StorageError; transient ones
(5xx, SlowDown, resets) are retried by botocore's "standard" retry mode and, once spent,
raised as TransientError so Luigi retries the task.
"""

from __future__ import annotations

import botocore.exceptions as bex

from pipeline.core.errors import ServerError, StorageError, TransientError
from pipeline.lake.s3.client import max_attempts

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


def error_code(exc: bex.ClientError) -> str:
    return str(
        exc.response.get("Error", {}).get("Code")
        or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    )


def http_status(exc: bex.ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def is_missing(exc: bex.ClientError) -> bool:
    """S3's answer for a key (or bucket) that is not there."""
    return error_code(exc) in _MISSING


def denied_missing_key(bucket: str) -> str:
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
    code, status = error_code(exc), http_status(exc)
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
        return ServerError(f"{where}: {code} after {max_attempts()} attempts", status=status)
    message = exc.response.get("Error", {}).get("Message", "")
    return StorageError(f"{where}: {code} {message}".strip())
