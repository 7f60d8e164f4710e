"""Season validation (issue #6): read the lake, check it, score it, write report.json/html.

report = validate_season(lake, "2024-25")            # or games=[...] for a week
json_path, html_path = write_report(lake, "2024-25", report)
"""

from __future__ import annotations

from pipeline.lake import Lake
from pipeline.report.html import render
from pipeline.report.season import NoGameIndex, validate_season

__all__ = ["NoGameIndex", "render", "validate_season", "write_report"]


def write_report(lake: Lake, season: str, report: dict) -> tuple[str, str]:
    """Write report.json and report.html under the season's report folder (overwritten)."""
    folder = lake.layout.report_dir(season)
    json_path, html_path = f"{folder}/report.json", f"{folder}/report.html"
    lake.write_json(json_path, report)
    lake.write_bytes(html_path, render(report).encode("utf-8"))
    return json_path, html_path
