"""Watching a run: structured logs, run events, progress line, run summary, one alert.

Hooks the tasks call (kept tiny so tasks stay thin):
- start_run(season_task): in the process that launched the run (once).
- record(event): one unit of work finished (any process, any worker).
"""

from __future__ import annotations


def start_run(season_task) -> None:
    """Called by SeasonBackfill.__init__. TODO(issue 7): logging, progress, summary at exit."""


def record(event: dict) -> None:
    """Called after each (endpoint, item) lands, fails or is dead-lettered. TODO(issue 7)."""
