"""The naive-Luigi baseline: one plain task per unit of work, all in one build, no batching,
each checked with its own LocalTarget. What a first Luigi backfill looks like.

    python -m luigi --module bench.naive_luigi NaiveBuild --tasks 5000 --root /tmp/x \
        --local-scheduler [--url http://...] [--sleep 0.1] [--workers 2]
"""

from __future__ import annotations

import time

import luigi
import requests


class NaiveTask(luigi.Task):
    root = luigi.Parameter()
    number = luigi.IntParameter()
    url = luigi.Parameter(default="")  # one GET per task when given
    sleep = luigi.FloatParameter(default=0.0)  # naive pacing: sleep after the request

    def output(self):
        return luigi.LocalTarget(f"{self.root}/{self.number}.txt")

    def run(self):
        if self.url:
            requests.get(self.url, timeout=30).raise_for_status()
        time.sleep(self.sleep)
        with self.output().open("w") as handle:
            handle.write("done\n")


class NaiveBuild(luigi.WrapperTask):
    root = luigi.Parameter()
    tasks = luigi.IntParameter()
    url = luigi.Parameter(default="")
    sleep = luigi.FloatParameter(default=0.0)

    def requires(self):
        return [
            NaiveTask(root=self.root, number=n, url=self.url, sleep=self.sleep)
            for n in range(self.tasks)
        ]
