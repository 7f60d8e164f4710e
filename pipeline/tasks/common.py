"""What every task shares: a base class that reports bad input, and lake targets."""

from __future__ import annotations

import luigi
from luigi.task_register import Register

from pipeline.core.errors import exit_on_bad_input


class _ExitOnBadInput(Register):
    # Luigi checks parameters and runs __init__ here, for the command line and for Python
    # alike: bad input becomes its one line and exit code 2, before any request.
    def __call__(cls, *args, **kwargs):
        with exit_on_bad_input():
            return super().__call__(*args, **kwargs)


class PipelineTask(luigi.Task, metaclass=_ExitOnBadInput):
    """Base of our tasks."""

    # Whether the lake settles the task's outcome: done once its outputs are there, whoever
    # made them (several hosts; pipeline/tasks/hosts.py). Not so for a verdict stored even
    # when it fails, such as a flagged validation report.
    lake_settles = True


def lake_target(path: str) -> luigi.Target:
    """A Luigi target for a lake path (what the visualiser and luigi's API show)."""
    from pipeline.tasks.targets import make_target

    return make_target(path)
