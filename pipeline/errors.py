"""The one place that names failure classes (after Singer SDK's error tree).

Every failure the pipeline meets is one of three kinds, and policy follows the kind:

- TransientError: worth retrying (timeouts, resets, 429, 5xx, garbled bodies).
  Retried with backoff inside the task; once retries are spent the task fails and
  Luigi's own retry picks it up later.
- PermanentError: retrying will not help (404, a game with no data). The task records
  a dead letter and the season goes on; the run exits with a distinct code.
- CriticalError: the run cannot go on (bad config, storage denied, disk full). Stop at once.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    kind = "error"


class TransientError(PipelineError):
    kind = "transient"

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
    kind = "permanent"


class NotFoundError(PermanentError):
    """HTTP 404, or the API knows no such game/player/team."""


class EmptyPayloadError(PermanentError):
    """A well-formed body that holds no data for something that should have it."""


class CriticalError(PipelineError):
    kind = "critical"


class ConfigError(CriticalError):
    """Invalid input or configuration: reported in one line, exit code 2, before any request."""


class StorageError(CriticalError):
    """The lake cannot be written (access denied, no such bucket, disk full)."""


class ApiUnreachableError(CriticalError):
    """Every egress (the direct connection, or each proxy) is benched: the API does not
    answer from this host. The run stops; the CLI exits with API_UNREACHABLE_EXIT_CODE."""


API_UNREACHABLE_EXIT_CODE = 9
