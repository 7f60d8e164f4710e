"""The one place that names failure classes (after Singer SDK's error tree).

Every failure the pipeline meets is one of three kinds, and policy follows the kind:

- TransientError: worth retrying (timeouts, resets, 429, 5xx, garbled bodies).
  Retried with backoff inside the task; once retries are spent the task fails and
  Luigi's own retry picks it up later.
- PermanentError: retrying will not help (404, a game with no data). The task records
  a dead letter and the season goes on; the run exits with a distinct code.
- CriticalError: the run cannot go on (storage denied, disk full). Stop at once.
- BadInput: the command line or configuration is wrong. Nothing is fetched: one line on
  stderr and exit code 2, printed by `exit_on_bad_input`, the one place that does so.
"""

from __future__ import annotations

import contextlib
import sys

BAD_INPUT_EXIT_CODE = 2


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""


class TransientError(PipelineError):
    """Worth retrying: with backoff in the task, then by Luigi later."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class ThrottledError(TransientError):
    """HTTP 429: the server asked us to slow down."""


class ServerError(TransientError):
    """HTTP 5xx."""


class ApiTimeoutError(TransientError):
    """The request hung past the client's timeout (how stats.nba.com throttles)."""


class BadPayloadError(TransientError):
    """Truncated, non-JSON or error-page body: the request may succeed next time."""


class PermanentError(PipelineError):
    """Retrying will not help: a dead letter, and the season goes on."""


class NotFoundError(PermanentError):
    """HTTP 404, or the API knows no such game/player/team."""


class EmptyPayloadError(PermanentError):
    """A well-formed body that holds no data for something that should have it."""


class CriticalError(PipelineError):
    """The run cannot go on: it stops at once."""


class StorageError(CriticalError):
    """The lake cannot be written (access denied, no such bucket, disk full)."""


class ApiUnreachableError(CriticalError):
    """Every egress (the direct connection, or each proxy) is benched: the API does not
    answer from this host. The run stops; `nba-backfill` exits 9."""


class CatalogError(PipelineError):
    """The Glue Data Catalog failed a request after the client's retries (the lake itself
    is whole: registering it again is safe)."""


class ValidationFailed(PipelineError):
    """A validation report did not pass (its flags say why): the validating task fails, so
    the command exits non-zero (`nba-backfill validate` 10, `luigi` [retcode] task_failed)."""


class BadInput(PipelineError):
    """Invalid input from the command line or configuration, found before any request."""


@contextlib.contextmanager
def exit_on_bad_input():
    """Turn BadInput into its one line on stderr and exit code 2.

    SystemExit, because Luigi's launcher turns any other exception raised while it builds
    the tasks into a stack trace and exit code 8.
    """
    try:
        yield
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(BAD_INPUT_EXIT_CODE) from None


class SchemaMismatch(CriticalError):
    """A value does not fit its column's type in the table's schema (pipeline/lake/schema.py):
    types never change silently. The raw body is kept, so once the rule is fixed a rerun
    lands it with no request."""
