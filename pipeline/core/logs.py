"""Logging for the launching process and (by fork) every worker: text or JSON, redacted.

`--log-format json` (env LOG_FORMAT) gives one JSON object per line on stderr, Luigi's own
lines included, each tagged with the run's correlation id.
"""

from __future__ import annotations

import logging
import os
import sys

import luigi
from pythonjsonlogger.json import JsonFormatter

from pipeline.core import config
from pipeline.core.config import log
from pipeline.core.errors import ValidationFailed
from pipeline.core.events import RUN_ID_ENV, SEASON_ENV
from pipeline.core.redact import redact, redact_value

# Always present in a JSON line (null when unknown), so every line has one shape.
BASE_FIELDS = ("timestamp", "level", "component", "event_type", "run_id", "season", "message")
# Present when a log call passes them with extra=.
ITEM_FIELDS = (
    "game_id",
    "endpoint",
    "processing_time_ms",
    "api_response_ms",
    "api_calls",
    "bytes_stored",
    "rows",
    "error_type",
)


class RunContext(logging.Filter):
    """Stamp every record with the run id and season (inherited by workers via env)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "run_id", None):
            record.run_id = os.environ.get(RUN_ID_ENV)
        if not getattr(record, "season", None):
            record.season = os.environ.get(SEASON_ENV)
        if not hasattr(record, "event_type"):
            record.event_type = None
        return True


class RedactingJsonFormatter(JsonFormatter):
    def __init__(self):
        super().__init__(
            " ".join(f"%({name})s" for name in ("levelname", "name", "message")),
            rename_fields={"levelname": "level", "name": "component"},
            timestamp=True,
        )

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        for name in BASE_FIELDS:
            log_data.setdefault(name, getattr(record, name, None))
        for name in ITEM_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                log_data[name] = value
        # extra= fields python-json-logger already copied, which we do not define, stay.

    def process_log_record(self, log_data):
        return {key: redact_value(value) for key, value in log_data.items()}


class RedactingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


# Lines that say "one more item landed": the progress line and the run summary count them.
ITEM_EVENTS = ("fetched", "rederived")


class Story(logging.Filter):
    """Text logs tell the run's story: warnings and errors, and our own lines, but not
    Luigi's per-task chatter (INFO of luigi-interface), a line per item landed, or (on a
    terminal, where the progress line shows it) each progress report. [log] verbose
    (`--verbose`) or a LOG_LEVEL shows everything; JSON logs always keep everything."""

    def __init__(self, terminal: bool):
        super().__init__()
        self.terminal = terminal

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ValidationFailed):  # an answer, not a crash: no traceback
            record.msg, record.args = f"{record.getMessage()}: {error}", ()
            record.exc_info = record.exc_text = None
        if record.levelno >= logging.WARNING:
            return True
        if record.name.split(".")[0] in ("luigi", "luigi-interface"):
            return False
        event = getattr(record, "event_type", None)
        return event not in ITEM_EVENTS and not (self.terminal and event == "progress")


class LineClearingHandler(logging.StreamHandler):
    """On a terminal, wipe the progress line before writing a log line over it."""

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self.stream, "isatty", lambda: False)():
            self.stream.write("\r\033[K")
        super().emit(record)


def current_format() -> str:
    return log().format


def setup_logging(fmt: str | None = None) -> bool:
    """Install our handler on the root logger, once per process. False when the operator
    configured logging through Luigi instead ([core] logging_conf_file / no_configure_logging)."""
    from luigi.setup_logging import InterfaceLogging

    root = logging.getLogger()
    if any(getattr(h, "_backfill", False) for h in root.handlers):
        return True
    cfg = luigi.configuration.get_config()
    if cfg.get("core", "logging_conf_file", None) or cfg.getboolean(
        "core", "no_configure_logging", False
    ):
        return False
    fmt = fmt or current_format()
    handler = LineClearingHandler(sys.stderr)
    handler._backfill = True
    handler.addFilter(RunContext())
    if fmt == "json":
        handler.setFormatter(RedactingJsonFormatter())
    else:
        handler.setFormatter(
            RedactingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        if not config.log_verbose():
            handler.addFilter(Story(terminal=getattr(sys.stderr, "isatty", lambda: False)()))
    root.addHandler(handler)
    root.setLevel(config.log_level())
    # Luigi's lines reach our handler through the root logger, not a handler of its own.
    InterfaceLogging._configured = True
    for name in ("luigi", "luigi-interface"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    return True
