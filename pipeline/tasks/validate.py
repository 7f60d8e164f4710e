"""ValidateSeason: validation mode. Reads only the lake (no API calls) and writes the report.

    luigi --module pipeline ValidateSeason --season 2024-25 --local-scheduler
    luigi --module pipeline ValidateSeason --season 2024-25 --limit 5 --local-scheduler

It judges a scope, as SeasonBackfill covers one: the options given (the same as
SeasonBackfill's: dates, season types, limit, dataset switches), else what the last run of
the season covered (its run summary), else the whole season. Each scope's report is kept
under its own name; a report that does not pass fails the task, so `luigi` exits with
[retcode] task_failed and `nba-backfill validate` with its own code for it.
"""

from __future__ import annotations

import luigi

from pipeline.app import runtime
from pipeline.app.summary import last_scope
from pipeline.core import config, seasons
from pipeline.core.errors import BadInput, ValidationFailed
from pipeline.core.logs import setup_logging
from pipeline.model.work import Scope, SeasonWork, groups_off, switches_of
from pipeline.report.season import validate_scope, write_report
from pipeline.tasks.common import PipelineTask, lake_target
from pipeline.tasks.season import SeasonChoices


class ValidateSeason(SeasonChoices, PipelineTask):
    """Check a season (or a scope of it) in the lake and write its report under
    data-quality/validation-reports/season=S/ (scope=<digest>/, and the latest)."""

    lake_settles = False  # a flagged report is stored, and still a failure

    season = config.SeasonParameter()
    start_date = config.OptionalDateParameter(default=None)
    end_date = config.OptionalDateParameter(default=None)
    # Unset (None): as the last run covered the season. The dataset switches are
    # SeasonBackfill's (SeasonChoices); any of them set means "as asked" too.
    season_types = luigi.OptionalParameter(
        default=None, description="Comma-separated: " + ", ".join(seasons.SEASON_TYPES)
    )
    limit = luigi.OptionalIntParameter(default=None, description="The first N games (0: all)")
    # A report that did not pass is an answer: running it again gives the same one.
    retry_count = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        setup_logging()
        self._done = False  # rerun on every invocation: the lake may have changed
        lake = runtime.lake()
        if not lake.exists(lake.layout.game_index(self.season)):
            raise BadInput(
                f"nothing to validate: no game index for {self.season} in {lake.root} "
                f"(run `nba-backfill run --season {self.season}` there first)"
            )
        self.selection, self.judged = self._selection(lake)

    def _given(self) -> dict:
        switches = switches_of(self)
        given = {
            "start": self.start_date,
            "end": self.end_date,
            "season_types": self.season_types,
            "limit": self.limit,
        }
        given = {name: value for name, value in given.items() if value is not None}
        if any(switches.values()):
            given["groups_off"] = groups_off(switches)
        return given

    def _selection(self, lake) -> tuple[Scope, str]:
        """The scope to judge, and where it comes from (said with the result)."""
        given = self._given()
        if given:
            if "season_types" in given:
                given["season_types"] = tuple(
                    t.strip() for t in given["season_types"].split(",") if t.strip()
                )
            return Scope(season=self.season, **given), "as asked"
        last = last_scope(lake, self.season)
        if last is not None:
            scope, run = last
            return scope, f"as run {run} covered it"
        return Scope(season=self.season), "the whole season: no run summary names it"

    def output(self):
        return lake_target(runtime.lake().layout.report(self.season, scope=self.selection.digest()))

    def complete(self):
        return self._done

    def flagged_since(self, started: str) -> bool:
        """Did a run of this task since `started` (UTC, ISO, to the second) write a report
        that did not pass? For `nba-backfill validate`, whose task may run in a worker."""
        lake = runtime.lake()
        path = lake.layout.report(self.season, scope=self.selection.digest())
        if not lake.exists(path):
            return False
        report = lake.read_json(path)
        return report.get("generated_at", "") >= started and not report["summary"]["passed"]

    def run(self):
        lake = runtime.lake()
        work = SeasonWork(lake, self.selection, indexes=runtime.current().game_indexes)
        print(f"validating {self.selection.describe()} ({self.judged})", flush=True)
        report = validate_scope(work)
        json_path, html_path = write_report(
            lake, self.season, report, scope=self.selection.digest()
        )
        summary = report["summary"]
        print(f"validation report: {json_path}")
        print(f"validation report: {html_path}")
        print(
            f"quality score {summary['quality_score']} over {summary['expected_games']} games, "
            f"error rate {summary['error_rate']}, "
            f"{'passed' if summary['passed'] else 'FLAGGED: ' + '; '.join(summary['flags'])}",
            flush=True,
        )
        self._done = True
        if not summary["passed"]:
            raise ValidationFailed(
                f"{self.season} ({self.selection.describe()}) did not pass: "
                f"{'; '.join(summary['flags'])}; see {html_path}"
            )
