"""ValidateSeason: validation mode. Reads only the lake (no API calls) and writes the report.

luigi --module pipeline.tasks.validate ValidateSeason --season 2024-25 --local-scheduler
"""

from __future__ import annotations

from pipeline.app import runtime
from pipeline.core.config import SeasonParameter
from pipeline.report.season import validate_season, write_report
from pipeline.tasks.common import PipelineTask, lake_target


class ValidateSeason(PipelineTask):
    """Check a season in the lake and write data-quality/validation-reports/season=S/."""

    season = SeasonParameter()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._done = False  # rerun on every invocation: the lake may have changed

    def output(self):
        lake = runtime.lake()
        return lake_target(lake.layout.report(self.season))

    def complete(self):
        return self._done

    def run(self):
        lake = runtime.lake()
        report = validate_season(lake, self.season)
        json_path, html_path = write_report(lake, self.season, report)
        summary = report["summary"]
        print(f"validation report: {json_path}")
        print(f"validation report: {html_path}")
        print(
            f"quality score {summary['quality_score']} over {summary['expected_games']} games, "
            f"error rate {summary['error_rate']}, "
            f"{'passed' if summary['passed'] else 'FLAGGED: ' + '; '.join(summary['flags'])}"
        )
        self._done = True
