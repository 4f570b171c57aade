"""The Bolt app factory: every handler registered, one error handler, nothing connected at import."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher
from slack_bolt.middleware import Middleware
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

import handlers
from bot.deps import Deps
from bot.kept_http import kept
from bot.outbox_worker import Courier, run_inline
from bot.respond import PatientRespond
from bot.settings import Settings
from bot.slack_client import make_client
from handlers.commands.router import Router
from handlers.errors import friendly_message, tell_user

log = logging.getLogger("qib.app")

# Set in the Bolt context by bot.http once it has checked a request's signature itself: on_error
# speaks to Slack only for such a request or one that came over Socket Mode (or the console).
VERIFIED = "qib_signature_verified"


class WorkspaceUnknown(Exception):
    """The bot could not learn which workspace it serves; the message is one line."""


@dataclass(frozen=True)
class Workspace:
    """The one workspace (or Enterprise Grid org) the bot answers; requests from any other are refused."""

    team_id: str | None
    enterprise_id: str | None = None
    # What auth.test said when the workspace was learnt from it: Bolt's authorization reuses it, so no
    # worker process asks again on its first requests (each of a burst's first requests did, at once).
    answer: SlackResponse | None = field(default=None, compare=False, repr=False)

    def owns(self, team_id: str | None, enterprise_id: str | None) -> bool:
        # A request naming no team cannot show it is from ours, and an Enterprise Grid id does not make
        # another workspace ours: what we know must match, and we always know something.
        if self.team_id is not None and team_id != self.team_id:
            return False
        return self.enterprise_id is None or enterprise_id == self.enterprise_id


def _silent_logger() -> logging.Logger:
    logger = logging.getLogger("qib.app.startup_auth_test")
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger


def learn_workspace(client: WebClient) -> Workspace:
    """Ask Slack (auth.test) which workspace the bot token belongs to. The SDK would log each failed
    attempt; a failure here is said once, by the caller, so this client keeps quiet."""
    asking = WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=client.retry_handlers,
        logger=_silent_logger(),
    )
    try:
        answer = asking.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        raise WorkspaceUnknown(
            f"could not learn the bot's workspace: Slack's auth.test said {_safe_id(error)}"
        ) from None
    except Exception as exc:  # no answer at all (refused, timed out): name the kind, not the details
        raise WorkspaceUnknown(
            f"could not learn the bot's workspace: auth.test failed ({type(exc).__name__})"
        ) from None
    team, enterprise = answer.get("team_id") or None, answer.get("enterprise_id") or None
    if team is None and enterprise is None:
        raise WorkspaceUnknown("could not learn the bot's workspace: auth.test named no team")
    return Workspace(team_id=team, enterprise_id=enterprise, answer=answer)


def _safe_id(value: object) -> str:
    """Slack ids and error codes are short words; anything else is not echoed into a log line."""
    text = str(value)
    return text if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", text) else "(unreadable)"


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
    workspace: Workspace | None = None,
) -> App:
    """The app, locked to one workspace: `workspace` if given, else SLACK_TEAM_ID, else the one the bot
    token belongs to (auth.test, now; WorkspaceUnknown if Slack cannot say)."""
    client = client or make_client(settings)
    if workspace is None:
        workspace = (
            Workspace(team_id=settings.slack_team_id) if settings.slack_team_id else learn_workspace(client)
        )
    _keep_request_details_out_of_logs()
    bolt_log = logging.getLogger("qib.bolt")
    # The client carries the token; Bolt also reads SLACK_BOT_TOKEN itself and warns, at every start,
    # that it will not use it. True, and not worth a line.
    bolt_log.addFilter(_no_token_warning)
    try:
        app = _bolt_app(settings, client, authorize, process_before_response, bolt_log)
    finally:
        bolt_log.removeFilter(_no_token_warning)
    _reuse_auth_test(app, workspace.answer)
    app.use(_OnlyWorkspace(workspace))
    router = Router()
    app.use(_Share(settings, deps, router))
    handlers.register(app, router)
    _match_on_the_body(app)
    app.error(on_error)
    if process_before_response:  # nothing outlives the request: it posts what it queued itself
        run_inline(Courier(deps, settings, client))
    return app


def _no_token_warning(record: logging.LogRecord) -> bool:
    from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

    return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _bolt_app(
    settings: Settings,
    client: WebClient,
    authorize: Callable[..., AuthorizeResult] | None,
    process_before_response: bool,
    logger: logging.Logger,
) -> App:
    return App(
        # The name Bolt would take from its caller's file; given, so that Bolt does not call
        # inspect.stack(), which reads the source of every frame (tens of milliseconds in a deep stack).
        name="app.py",
        client=client,
        token=None,
        authorize=authorize,
        signing_secret=settings.secret("slack_signing_secret") or "",
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
        logger=logger,
    )


def _reuse_auth_test(app: App, answer: SlackResponse | None) -> None:
    """Give Bolt's single-workspace authorization the auth.test answer the app was started with."""
    if answer is None:
        return
    for middleware in app._middleware_list:  # Bolt keeps its built-in middleware here
        if isinstance(middleware, SingleTeamAuthorization) and middleware.auth_test_result is None:
            middleware.auth_test_result = answer


def _match_on_the_body(app: App) -> None:
    """Give each listener's built-in matchers the request body directly. Bolt's own matcher first builds
    every keyword argument a listener could take (each payload shape, each utility) and then passes
    the body alone, for every listener it tries in turn: a view submission, tried against a score of
    listeners before its own, paid for a score of them."""
    for listener in app._listeners:  # Bolt keeps the registered listeners here, in order
        listener.matchers = [_BodyMatcher(m) if _takes_the_body(m) else m for m in listener.matchers]


def _takes_the_body(matcher: ListenerMatcher) -> TypeGuard[BuiltinListenerMatcher]:
    return type(matcher) is BuiltinListenerMatcher and matcher.arg_names == ["body"]


class _BodyMatcher(ListenerMatcher):
    """A built-in matcher (app.command, app.action, app.event...: a function of the body) called as is."""

    def __init__(self, builtin: BuiltinListenerMatcher) -> None:
        self.func = builtin.func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return bool(self.func(req.body))


class _Share(Middleware):
    """Put the long-lived factories, and this app's /qib subcommands, into every request's context
    (never a session: see DESIGN.md). A Middleware, not a function: Bolt builds a function's keyword
    arguments by inspection on every request."""

    def __init__(self, settings: Settings, deps: Deps, router: Router) -> None:
        self.settings, self.deps, self.router = settings, deps, router

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        context = req.context
        context["settings"] = self.settings
        context["deps"] = self.deps.for_request()  # its sessions share what they read of the plan revision
        context["router"] = self.router
        context["client"] = kept(context.client)  # on this thread's kept connection (bot/kept_http.py)
        if context.get("response_url"):  # replies that survive Slack's 429s and 5xx (see bot/respond.py)
            context["respond"] = PatientRespond(response_url=context["response_url"])
        with self.deps.outbox.serving():  # the outbox worker waits for a lull in these
            return next()


class _OnlyWorkspace(Middleware):
    def __init__(self, ours: Workspace) -> None:
        self.ours = ours

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        context = req.context
        if self.ours.owns(context.team_id, context.enterprise_id):
            return next()
        log.warning("refused a request from another workspace: team %s", _safe_id(context.team_id))
        if req.mode == "socket_mode":  # acknowledged, so Slack does not send it again; not acted on
            return BoltResponse(status=200, body="")
        return BoltResponse(status=401, body="")


def verified(request: BoltRequest) -> bool:
    """Did this request show it came from Slack? Socket Mode frames come over the bot's own
    authenticated connection (the console dispatches the same way, locally); an HTTP request only
    counts once bot.http has checked its signature."""
    return request.mode == "socket_mode" or request.context.get(VERIFIED) is True


def on_error(
    error: Exception, request: BoltRequest, body: dict[str, Any], context: Any, client: WebClient
) -> BoltResponse | None:
    """Tell the person who asked, in the most private place available; never a stack trace.

    A request that has not shown it came from Slack gets nothing sent anywhere: its response_url and
    channel are the sender's choice, not Slack's."""
    if not verified(request):
        log.warning("error on an unverified request, not answered: %s", type(error).__name__)
        return BoltResponse(status=401, body="")
    text, _ = friendly_message(error)
    kept = _keep_form_open(body, text)
    if kept is not None:
        return kept
    try:
        tell_user(body, context, client, text)
    except Exception as exc:  # the message itself could not be delivered: log, never raise again
        log.warning("could not deliver an error message: %s", type(exc).__name__)
    # The person has been told; answering Slack with an error too would only add "dispatch_failed".
    return BoltResponse(status=200, body="")


def _keep_form_open(body: dict[str, Any], text: str) -> BoltResponse | None:
    """A form submission that failed before its listener could answer stays open with what was typed,
    the reason shown on its first field: closing it would tell the person it was saved."""
    if body.get("type") != "view_submission":
        return None
    view = body.get("view") or {}
    inputs = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    inputs += list(((view.get("state") or {}).get("values") or {}).keys())  # what was typed, by block
    first = next((b for b in inputs if isinstance(b, str) and b), None)
    if not first:
        return None
    errors = {first: f"{text} What you typed is kept: submit the form again."[:300]}
    return BoltResponse(
        status=200,
        body=json.dumps({"response_action": "errors", "errors": errors}),
        headers={"content-type": "application/json"},
    )
