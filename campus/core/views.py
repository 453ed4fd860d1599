"""Pages turn domain errors into what a browser expects, in one place.

- `@page` wraps every HTML view: NotAuthenticated -> redirect to the login page (an htmx
  client redirect for htmx requests), Forbidden -> 403 page, NotFound -> 404 page, any
  other DomainError (400, 409, 429) -> the generic error page with that status.
- `form_call(form, service, ...)` runs a service for a form: a ValidationFailed,
  Conflict or RateLimited becomes form errors (field errors when the service named a
  field the form has) and the call returns None; access errors propagate to `@page`.
- `action_call(request, service, ...)` does the same for buttons (enroll, publish,
  delete): the message goes to django.contrib.messages.
- `favicon` answers the /favicon.ico that browsers and bots ask for whatever the page
  links to, so a first visit never pays for a 404 page.
- `preview` (POST /apercu) is the authoring forms' "Aperçu": Markdown in, the fragment
  the one renderer (campus.core.content) will show once saved.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from campus.core import content, ratelimit
from campus.core.errors import (
    DomainError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from campus.core.pagination import MAX_PAGE, Page, PageQuery

if TYPE_CHECKING:
    from campus.accounts.models import User

P = ParamSpec("P")
T = TypeVar("T")


def _is_access_error(exc: DomainError) -> bool:
    return isinstance(exc, NotAuthenticated | Forbidden | NotFound)


def error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The HTML answer to a domain error that reached the view's edge."""
    if isinstance(exc, NotAuthenticated):
        login_url = resolve_url(settings.LOGIN_URL)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(f"{login_url}?next={request.path}")
        return redirect_to_login(request.get_full_path(), login_url)
    template = {403: "403.html", 404: "404.html"}.get(exc.status, "core/error.html")
    response = render(
        request, template, {"message": str(exc.message), "status": exc.status}, status=exc.status
    )
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def page(view: Callable[Concatenate[HttpRequest, P], HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator for every HTML view: domain errors become the right page and status."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return error_response(request, exc)

    return wrapper


def current_user(request: HttpRequest) -> "User":
    """The logged-in user, or NotAuthenticated (which `@page` turns into the login page)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    return cast("User", request.user)


def error_messages(exc: DomainError) -> list[tuple[str | None, str]]:
    """(field or None, message) pairs of a domain error, field errors first."""
    pairs: list[tuple[str | None, str]] = []
    if isinstance(exc.details, list):
        for item in exc.details:
            if isinstance(item, dict) and item.get("message"):
                pairs.append((str(item.get("field") or "") or None, str(item["message"])))
    return pairs or [(None, str(exc.message))]


def add_form_errors(
    form: forms.BaseForm, exc: DomainError, *, fields: dict[str, str] | None = None
) -> None:
    """Attach a service error to a form: on the field it names when the form has it, else
    as a form-wide error. `fields` maps service field names (or, for errors that name no
    field, error codes such as "email_taken") to form field names."""
    rename = fields or {}
    for field, message in error_messages(exc):
        name = rename.get(field or exc.code, field)
        form.add_error(name if name in form.fields else None, message)


def form_call(
    form: forms.BaseForm,
    func: Callable[..., T],
    /,
    *,
    field_map: dict[str, str] | None = None,
    **kwargs: Any,
) -> T | None:
    """Run a service for a valid form. User errors land on the form (None is returned);
    access errors (401/403/404) propagate to `@page`."""
    try:
        return func(**kwargs)
    except DomainError as exc:
        if _is_access_error(exc):
            raise
        add_form_errors(form, exc, fields=field_map)
        form.domain_status = exc.status  # type: ignore[attr-defined]
        return None


def form_status(form: forms.BaseForm) -> int:
    """HTTP status for re-rendering an invalid form: the service's (409, 429) or 400."""
    return int(getattr(form, "domain_status", 400))


def action_outcome(
    request: HttpRequest, func: Callable[..., T], /, **kwargs: Any
) -> tuple[bool, T | None]:
    """Run a service for a button: (True, its result), or (False, None) with the user
    error as error messages. Access errors (401/403/404) propagate to `@page`."""
    try:
        return True, func(**kwargs)
    except DomainError as exc:
        if _is_access_error(exc):
            raise
        for _field, message in error_messages(exc):
            messages.error(request, message)
        return False, None


def action_call(request: HttpRequest, func: Callable[..., Any], /, **kwargs: Any) -> bool:
    """action_outcome for a button whose result the page does not need."""
    return action_outcome(request, func, **kwargs)[0]


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it points to this site, else `default` (a URL or name)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default) if default else ""


def page_query(request: HttpRequest, *, limit: int) -> PageQuery:
    """?page=N from a page's query string, forgiving: anything odd is page 1."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return PageQuery(page=min(max(number, 1), MAX_PAGE), limit=limit)


def pager(request: HttpRequest, result: Page) -> dict[str, Any]:
    """Template context for core/_pagination.html; links keep the other query parameters."""
    pages = max(1, -(-result.total // result.limit))

    def link(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return f"?{params.urlencode()}"

    return {
        "number": result.page,
        "pages": pages,
        "total": result.total,
        "previous_url": link(result.page - 1) if result.page > 1 else None,
        "next_url": link(result.page + 1) if result.page < pages else None,
    }


FAVICON_MAX_AGE = 24 * 3600


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico: a temporary redirect to the SVG icon (whose URL carries a content
    hash in production), cached for a day, so a new icon reaches browsers tomorrow."""
    response = redirect(static("core/favicon.svg"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response


# --- Authoring preview ------------------------------------------------------------------

PREVIEW_SCOPE = "preview"
PREVIEW_LIMIT = 60  # per user and minute: a click each second, far above any writer
PREVIEW_WINDOW_SECONDS = 60
# Preview answers are fragments: campus.js swaps their 4xx answers (htmx does not by
# default) when this header says the body is a message, not a whole error page.
FRAGMENT_HEADER = "Campus-Fragment"


def _fragment(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, "core/_preview_output.html", context, status=status)
    response[FRAGMENT_HEADER] = "1"
    return response


@require_POST
@page
def preview(request: HttpRequest) -> HttpResponse:
    """POST /apercu: the HTML a text will show as once saved, through the one renderer
    (campus.core.content), for the authoring forms' "Aperçu" button (htmx). The text
    comes in the form field named by `field` (default `text`). Instructors and admins
    only; bounded by content.PREVIEW_MAX_CHARS (the longest text Campus stores)."""
    user = current_user(request)
    if not (user.is_instructor or user.is_admin):
        raise Forbidden(_("L'aperçu est réservé aux responsables de cours et à l'administration."))
    try:
        ratelimit.limit_action(
            PREVIEW_SCOPE, str(user.pk), limit=PREVIEW_LIMIT, window=PREVIEW_WINDOW_SECONDS
        )
    except RateLimited as exc:
        response = _fragment(request, {"error": exc.message}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    name = request.POST.get("field") or "text"
    text = request.POST.get(name, "")
    if len(text) > content.PREVIEW_MAX_CHARS:
        message = _("Texte trop long pour l'aperçu : %(count)s caractères, %(max)s au plus.") % {
            "count": len(text),
            "max": content.PREVIEW_MAX_CHARS,
        }
        return _fragment(request, {"error": message}, status=400)
    return _fragment(request, {"html": content.render_uncached(text)})
