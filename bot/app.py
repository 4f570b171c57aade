"""The Bolt app factory: every handler registered, one error handler, nothing connected at import."""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.exc import DBAPIError, OperationalError

import handlers
from bot.deps import Deps
from bot.respond import PatientRespond
from bot.services.errors import DomainError
from bot.settings import Settings

log = logging.getLogger("qib.app")

DATABASE_DOWN = "The plan database is unavailable just now; please try again shortly."


def make_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A Web API client that waits out Slack's rate limits and retries its 5xx answers."""
    return WebClient(
        token=token or settings.secret("slack_bot_token"),
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class _WithoutRequestDetails(logging.Filter):
    """Bolt logs a refused signature at INFO with the signature and the whole request body, which holds
    what people wrote (a late but genuine request is refused too): keep the event, drop the details."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature detected (details not logged)", ()
        return True


def _keep_request_details_out_of_logs() -> None:
    logger = logging.getLogger("slack_bolt.RequestVerification")
    if not any(isinstance(f, _WithoutRequestDetails) for f in logger.filters):
        logger.addFilter(_WithoutRequestDetails())


def create_app(
    settings: Settings,
    deps: Deps,
    *,
    client: WebClient | None = None,
    authorize: Callable[..., AuthorizeResult] | None = None,
    process_before_response: bool = False,
) -> App:
    client = client or make_client(settings)
    _keep_request_details_out_of_logs()
    app = App(
        client=client,
        token=None if authorize else client.token,
        authorize=authorize,
        signing_secret=settings.secret("slack_signing_secret") or "",
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("qib.bolt"),
    )
    app.use(_share(settings, deps))
    if settings.slack_team_id:
        app.use(_only_team(settings.slack_team_id))
    handlers.register_all(app)
    app.error(on_error)
    return app


def _share(settings: Settings, deps: Deps) -> Callable[..., Any]:
    """Put the long-lived factories into every request's context (never a session: see DESIGN.md)."""

    def share(context: Any, next: Callable[[], Any]) -> Any:
        context["settings"] = settings
        context["deps"] = deps
        if context.get("response_url"):  # replies that survive Slack's 429s and 5xx (see bot/respond.py)
            context["respond"] = PatientRespond(response_url=context["response_url"])
        return next()

    return share


def _only_team(team_id: str) -> Callable[..., Any]:
    def only_team(body: dict[str, Any], context: Any, next: Callable[[], Any]) -> Any:
        # An Enterprise Grid id does not make another workspace ours, and a request that names no
        # workspace cannot show it is from ours: both are refused like any other workspace.
        if context.team_id != team_id:
            log.warning("refused a request from another workspace")
            return BoltResponse(status=401, body="")
        return next()

    return only_team


def friendly_message(error: Exception) -> tuple[str, str | None]:
    """The text a user sees for an error, and the reference logged with it (None when nothing to log)."""
    if isinstance(error, DomainError):
        return error.message, None
    if isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else "unknown")
        return DATABASE_DOWN, None
    ref = secrets.token_hex(3)
    log_unexpected(log, f"unhandled error ref={ref}", error)
    return f"Something went wrong (ref {ref}). It has been logged.", ref


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


def on_error(error: Exception, body: dict[str, Any], context: Any, client: WebClient) -> BoltResponse | None:
    """Tell the person who asked, in the most private place available; never a stack trace."""
    text, _ = friendly_message(error)
    try:
        handlers.tell_user(body, context, client, text)
    except Exception as exc:  # the message itself could not be delivered: log, never raise again
        log.warning("could not deliver an error message: %s", type(exc).__name__)
    # The person has been told; answering Slack with an error too would only add "dispatch_failed".
    return BoltResponse(status=200, body="")
