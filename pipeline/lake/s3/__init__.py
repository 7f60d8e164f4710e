"""The lake on S3, one concern per module:

- client: the boto3 clients, built from Luigi's [s3] section (and luigi's S3Client on them);
- errors: botocore failures as the pipeline's errors, one line naming the bucket;
- store: the byte store (exists, read, write, delete, list);
- preflight: the bucket check before any API call.

None of them holds a client: whoever builds a store or a target passes one in.
"""

from __future__ import annotations

import os
import threading

from pipeline.lake.s3.client import LakeClient, build_client

# moves to pipeline.runtime
_shared: tuple[int, LakeClient] | None = None
_shared_lock = threading.Lock()


# moves to pipeline.runtime
def shared_client() -> LakeClient:
    """The process's S3 clients, built on first use (and again after a fork)."""
    global _shared
    shared = _shared
    if shared is None or shared[0] != os.getpid():
        with _shared_lock:
            shared = _shared
            if shared is None or shared[0] != os.getpid():
                shared = _shared = (os.getpid(), build_client())
    return shared[1]


# moves to pipeline.runtime
def reset_client() -> None:
    """Forget the clients so the next use re-reads settings (tests, config changes)."""
    global _shared
    with _shared_lock:
        _shared = None
