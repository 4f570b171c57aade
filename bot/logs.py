"""Log lines for people (text) or for a log pipeline (LOG_FORMAT=json: one JSON object per line)."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError


class JsonFormatter(logging.Formatter):
    """One JSON object per record, the stack (if any) inside it, so a multi-line trace stays one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT)


def log_unexpected(logger: logging.Logger, what: str, error: BaseException) -> None:
    """Log an unexpected error with its stack. A database error goes without its message: the database's
    own words can quote the failing row (PostgreSQL's "DETAIL: Failing row contains (... a note ...)"),
    whatever hide_parameters says."""
    if not isinstance(error, DBAPIError):
        logger.error("%s: %s", what, type(error).__name__, exc_info=error)
        return
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None) or "no code"
    logger.error(
        "%s: %s (%s, %s)\n%s",
        what,
        type(error).__name__,
        type(orig).__name__ if orig is not None else "no driver error",
        code,
        "".join(traceback.format_tb(error.__traceback__)).rstrip(),
    )
