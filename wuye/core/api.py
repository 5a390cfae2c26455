"""What every API router shares: token auth, the error format, pagination, local times in JSON (§9).

Errors always look like `{"detail": "...", "errors": [{"field": "...", "message": "..."}]}`.
"""

from __future__ import annotations

import enum
import functools
import inspect
import logging
from datetime import date, datetime
from typing import Any

from django.contrib.auth import authenticate
from django.core import signals
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, django_auth
from pydantic import BaseModel

from . import throttle, tokens
from .errors import DomainError, FieldProblem, InvalidInput
from .models import ApiToken, Notification
from .outbox import mark_read
from .validators import check_integer, check_plausible_date, check_text

logger = logging.getLogger(__name__)


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from POST /api/v1/auth/token."""

    def authenticate(self, request, token):
        api_token = tokens.lookup(token)  # with the user's profile: the actor needs no further read of it
        if api_token is None or not api_token.user.is_active:
            return None
        tokens.note_use(api_token)
        request.user, request.api_token = api_token.user, api_token
        return api_token.user


class LocalTimeEncoder(NinjaJSONEncoder):
    """Times in the API carry the Asia/Shanghai offset (e.g. 2026-11-23T09:30:00+08:00)."""

    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}


def api_enum(choices: type[enum.Enum], name: str) -> type[enum.StrEnum]:
    """`choices` (a TextChoices) under its own component name in the OpenAPI document. Pydantic names an enum's
    component after its class, so tickets' and payments' `Channel` became one component and the document offered
    tickets the payment channels. Members are plain strings equal to the TextChoices members."""
    named = enum.StrEnum(name, [(member.name, member.value) for member in choices], module=choices.__module__)
    named.__doc__ = name  # the component's description; the generic Enum docstring says nothing
    return named


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class PagePagination(PaginationBase):
    """`?page=&page_size=` (at most 200) → `{"items": [...], "count": N}`."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {"items": queryset[offset:offset + pagination.page_size], "count": queryset.count()}


class Mapped:
    """A queryset whose rows come out shaped by `function`: lets a handler page a queryset with `PagePagination`
    and still shape each row with Python, only for the page's rows (the paginator slices and counts it)."""

    def __init__(self, queryset, function):
        self.queryset, self.function = queryset, function

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.function(row) for row in self.queryset[index]]
        return self.function(self.queryset[index])

    def count(self) -> int:
        return self.queryset.count()


_LOCATION_ROOTS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(location: tuple | list, payload_names: set[str]) -> str:
    """('body', 'payload', 'vehicles', 0, 'plate') → 'vehicles[0].plate'."""
    parts = list(location)
    if parts and parts[0] in _LOCATION_ROOTS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in payload_names:
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _error_message(error: dict) -> str:
    message = error.get("msg", "")
    if error.get("type") == "missing":
        return _("This field is required.")
    return message.removeprefix("Value error, ")


def _input_problems(value, field: str, problems: list[FieldProblem]) -> None:
    """Every NUL in text, integer beyond 64 bits and implausible date inside a validated input, by field name."""
    check = None
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            label = info.alias or name
            _input_problems(getattr(value, name, None), f"{field}.{label}" if field else label, problems)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _input_problems(key, field, problems)
            _input_problems(item, f"{field}.{key}" if field else str(key), problems)
        return
    if isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _input_problems(item, f"{field}[{index}]", problems)
        return
    if isinstance(value, str):
        check = check_text
    elif isinstance(value, int) and not isinstance(value, bool):
        check = check_integer
    elif isinstance(value, date):
        check = check_plausible_date
    if check is not None:
        try:
            check(value)
        except ValueError as error:
            problems.append(FieldProblem(field or "body", str(error)))


def check_inputs(view_func):
    """Wraps every API operation (after ninja's validation): a NUL character in any text, an integer a 64-bit
    column cannot hold, a date outside `validators.date_window()` → 422 naming each field; in a path → 404, as
    for any id that names nothing. One guard, so no route can forget it."""
    aliases = {name: getattr(parameter.default, "alias", None) or name
               for name, parameter in inspect.signature(view_func).parameters.items()}

    @functools.wraps(view_func)
    def checked(request, *args, **values):
        problems: list[FieldProblem] = []
        for name, value in values.items():
            # A schema's fields are the request's own names (`unit_id`, not `payload.unit_id`).
            _input_problems(value, "" if isinstance(value, BaseModel) else aliases.get(name, name), problems)
        if problems:
            path = getattr(getattr(request, "resolver_match", None), "kwargs", None) or {}
            if any(problem.field in path for problem in problems):
                raise Http404
            raise InvalidInput(problems=problems)
        return view_func(request, *args, **values)

    return checked


# The errors every operation may answer, each with the ErrorOut body (`detail` and the fields at fault), documented
# once here beside the handlers that produce them — clients and the fuzzer (make fuzz) read them from the document.
ERRORS_OF_EVERY_OPERATION = {
    "401": "Not signed in, or the token is no longer valid.",
    "403": "The caller's role may not do this.",
    "404": "Not found, or outside the caller's projects or household.",
    "422": "Invalid input: `errors` names each field at fault.",
    "503": "The database is briefly unavailable (a restart): send the request again (Retry-After).",
}
ERRORS_OF_WRITES = {
    "400": "The request body is not valid JSON.",
    "409": "The record's state does not allow this step now.",
    "413": "The request is too large.",
}


def document_errors(schema: dict) -> dict:
    """Add the errors every operation may answer to each operation of an OpenAPI `schema` (those it declares
    itself are kept)."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            errors = dict(ERRORS_OF_EVERY_OPERATION)
            if method in ("post", "put", "patch", "delete"):
                errors |= ERRORS_OF_WRITES
            if not operation.get("security"):
                errors.pop("401")  # an operation open to anyone (signing in) never asks for a token
            for status, description in errors.items():
                operation["responses"].setdefault(status, {"description": description, **error})
    return schema


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_decorator(check_inputs, mode="operation")
    openapi_schema = api.get_openapi_schema
    api.get_openapi_schema = lambda **kwargs: document_errors(openapi_schema(**kwargs))

    def respond(request, status, detail, errors=()):
        return api.create_response(request, {"detail": str(detail), "errors": list(errors)}, status=status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        errors = [
            {"field": _field_name(e.get("loc", ()), {"payload", "data", "filters"}), "message": _error_message(e)}
            for e in exc.errors
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return respond(request, 422, summary or _("Invalid input."), errors)

    @api.exception_handler(DomainError)
    def domain_error(request, exc):
        problems = [{"field": p.field, "message": p.message} for p in exc.problems]
        body = {"detail": exc.message, "errors": problems}
        if getattr(exc, "current", None) is not None:
            body["current"] = exc.current  # e.g. a 409 says what the record looks like now
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, _("Not found."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, _("Log in first: send Authorization: Bearer <token>."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, str(exc) or _("Your role may not do this."))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return respond(request, 413, _("The request is too large."), [{"field": "body", "message": str(exc)}])

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        # The database went away mid-request (a restart, a failover). The next request gets a fresh connection
        # (conn_health_checks), so the client is told to send it again — writes with an Idempotency-Key are done
        # once however often they are sent — rather than that the server broke.
        logger.warning("Database unavailable: %s (%s)", request.path, exc)
        response = respond(request, 503, _("The service is briefly unavailable; please try again in a moment."))
        response["Retry-After"] = "1"
        return response

    @api.exception_handler(Exception)
    def server_error(request, exc):
        # The traceback goes to the log (and to Django's got_request_exception receivers, as for any 500); the
        # client gets the error format, never a debug page or a stack trace.
        logger.error("Internal Server Error: %s", request.path, exc_info=exc)
        signals.got_request_exception.send(sender=None, request=request)
        return respond(request, 500, _("Something went wrong on our side; the error has been logged."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if str(exc).startswith("Cannot parse request body"):
            return respond(request, 400, _("The request body is not valid JSON."),
                           [{"field": "body", "message": _("The request body is not valid JSON.")}])
        return respond(request, exc.status_code, str(exc))


# -- the platform's own endpoints: tokens and the in-app inbox ------------------------------------------------
router = Router(tags=["auth and inbox"])


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=200)


class TokenUser(Schema):
    id: int
    username: str
    name: str
    role: str | None
    project_ids: list[int] | None


class TokenOut(Schema):
    token: str
    expires_at: datetime
    user: TokenUser


def _signin_locked(response: HttpResponse, wait: int):
    response["Retry-After"] = str(wait)
    message = throttle.locked_message(wait)
    return Status(429, {"detail": message, "errors": [{"field": "password", "message": message}]})


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def issue_token(request, payload: TokenIn, response: HttpResponse):
    """Exchange a username and password for a bearer token. After WUYE_LOGIN_FAILURES_PER_ACCOUNT failures for an
    account (or WUYE_LOGIN_FAILURES_PER_ADDRESS from one address) within the window: 429 with Retry-After, also for
    the right password, until the window ends."""
    if wait := throttle.retry_after(request, payload.username):
        return _signin_locked(response, wait)
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        if wait := throttle.retry_after(request, payload.username):  # this failure was the last one allowed
            return _signin_locked(response, wait)
        message = _("Wrong username or password.")
        return Status(401, {"detail": message, "errors": [{"field": "password", "message": message}]})
    throttle.note_success(request, user.get_username())
    token, raw = tokens.issue_token(user)
    request.user = user
    actor = request.actor
    return {
        "token": raw,
        "expires_at": token.expires_at,
        "user": {
            "id": user.pk, "username": user.username, "name": user.get_full_name() or user.username,
            "role": actor.role.value if actor.role else None,
            "project_ids": sorted(actor.project_ids) if actor.project_ids is not None else None,
        },
    }


class TokenInfo(Schema):
    id: int
    prefix: str = Field(..., description="The token's first characters and an ellipsis; never the token")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool = Field(..., description="The token this request was sent with")


@router.get("/auth/tokens", response=list[TokenInfo])
def my_tokens(request):
    """The caller's own unexpired tokens, newest first: when made, last used (to the minute) and until when."""
    presented = getattr(getattr(request, "api_token", None), "pk", None)
    return [{"id": token.pk, "prefix": f"{token.prefix}…" if token.prefix else "…", "created_at": token.created_at,
             "last_used_at": token.last_used_at, "expires_at": token.expires_at, "current": token.pk == presented}
            for token in ApiToken.objects.active().filter(user=request.user).order_by("-created_at", "-id")]


@router.delete("/auth/token", auth=BearerTokenAuth(), response={204: None})
def revoke_presented_token(request):
    """Sign out of the API: the token this request was sent with stops working now."""
    tokens.revoke_token(request.api_token, actor=request.user, reason="signed_out")
    return Status(204, None)


@router.delete("/auth/tokens/{token_id}", response={204: None})
def revoke_own_token(request, token_id: int):
    """Revoke one of the caller's own tokens (another person's answers 404)."""
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    tokens.revoke_token(token, actor=request.user, reason="revoked")
    return Status(204, None)


class NotificationOut(Schema):
    id: int
    created_at: datetime
    subject_line: str
    body: str
    link: str
    kind: str
    read: bool

    @staticmethod
    def resolve_read(message):
        # What happened before the person's account began is on record, not news (NotificationQuerySet.unread).
        return not message.is_unread


@router.get("/me/notifications", response=list[NotificationOut])
def my_notifications(request, unread: bool = False, kind: str = ""):
    """The caller's in-app inbox, newest first; `kind` (ticket, billing, approval, system) keeps one type."""
    inbox = Notification.objects.inbox(request.user, kind)
    if unread:
        inbox = inbox.unread()
    return inbox[:100]


@router.post("/me/notifications/{notification_id}/read", response=NotificationOut)
def read_notification(request, notification_id: int):
    try:
        message = Notification.objects.inbox(request.user).get(pk=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    return mark_read(message)


def healthz(request):
    """`GET /healthz` → {"status": "ok", "database": "ok"} (503 when the database does not answer)."""
    from django.db import connection
    from django.http import JsonResponse

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as error:  # the health check reports, it does not raise
        database = f"error: {type(error).__name__}"
    status = 200 if database == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded", "database": database}, status=status)


# The web console's session (CSRF-checked on writes) works too, so htmx pages can call the API.
API_AUTH = [BearerTokenAuth(), django_auth]
