"""Season validation: read the lake, check it, score it, write report.json/html.

from pipeline.report.season import validate_season, write_report
report = validate_season(lake, "2024-25")            # or games=[...] for a week
json_path, html_path = write_report(lake, "2024-25", report)
"""
