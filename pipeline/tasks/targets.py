"""One factory from a path to a Luigi target: s3://... or a local file (after gokart)."""

from __future__ import annotations

import luigi
import luigi.format


def make_target(path: str) -> luigi.Target:
    if path.startswith("s3://"):
        from luigi.contrib.s3 import S3Target

        from pipeline.app import runtime

        # Binary (format=Nop), as Parquet needs; one luigi client per process for all targets.
        return S3Target(
            path, format=luigi.format.Nop, client=runtime.current().s3_client().luigi_client
        )
    return luigi.LocalTarget(path, format=luigi.format.Nop)
