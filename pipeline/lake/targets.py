"""One factory from a path to a Luigi target: s3://... or a local file (after gokart)."""

from __future__ import annotations

import luigi
import luigi.format


def make_target(path: str) -> luigi.Target:
    if path.startswith("s3://"):
        from pipeline.lake.s3 import s3_target

        return s3_target(path)
    return luigi.LocalTarget(path, format=luigi.format.Nop)
