"""The room: the join page (waiting room, then the Jitsi embed) and its Q&A panel.

- `join` renders the waiting room while the session is scheduled (an htmx poll of
  `waiting_status` reloads the page when the instructor starts; each answer sets the next
  poll's delay, longer while the start is far: `waiting_poll_seconds`), the embed when it is
  live (a JSON config for live/room.js; the JWT and the room password are fetched by the
  script from the API, never written into the HTML), and a closing note afterwards.
- `leave_beacon` is what `navigator.sendBeacon` posts on `pagehide` (a form body with
  csrfmiddlewaretoken, since a beacon cannot set the CSRF header).
- `questions` serves the Q&A panel fragment and takes new questions. The polled list
  carries the version it shows (`?v=`): an unchanged poll is answered 204 No Content,
  which htmx leaves alone (no body, no swap), whatever the browser's cache does; other
  GETs get an ETag and 304; `question_answer` and `question_moderate` are the
  owner's and admins' tools. With htmx they answer the refreshed panel, without JS they
  redirect back to the join page.
"""

import hashlib
import math
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from campus.accounts import services as account_services
from campus.accounts.models import User
from campus.core.errors import Conflict, NotFound
from campus.core.security import embeds
from campus.core.views import current_user, form_call, form_status, page, safe_next
from campus.courses.access import is_owner_or_admin
from campus.live import access, jitsi, selectors, services
from campus.live.models import CHAT_TEXT_MAX, ChatKind, LiveSession, LiveSessionStatus

# HTTP status that tells htmx to stop polling (the waiting room of a closed session).
STOP_POLLING = 286
MODERATION_ACTIONS = frozenset({"pin", "unpin", "hide", "unhide"})
TRUE_VALUES = frozenset({"on", "1", "true", "yes"})
# The waiting room's poll: LIVE_WAITING_POLL_SECONDS (5 s) in the last two minutes and
# once the start time has passed; that many times slower further out: 15 s within a
# quarter of an hour, 1 min within two hours, 5 min beyond.
WAITING_POLL_TIERS: tuple[tuple[timedelta, int], ...] = (
    (timedelta(minutes=2), 1),
    (timedelta(minutes=15), 3),
    (timedelta(hours=2), 12),
)
WAITING_POLL_FAR_FACTOR = 60


class ChatTextForm(forms.Form):
    """A question or an answer. Empty and overlong texts are the service's to refuse (its
    French messages land on the field), so the form itself accepts anything."""

    text = forms.CharField(
        label=gettext_lazy("Votre question"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": CHAT_TEXT_MAX}),
    )

    def text_value(self) -> str:
        self.is_valid()
        return str(self.cleaned_data.get("text") or "")


def _session(request: HttpRequest, slug: str, session_id: int, *, manage: bool = False) -> Any:
    user = current_user(request)
    session = access.get_course_session_for(
        user, session_id, action="manage" if manage else "view", slug=slug
    )
    return user, session


def _join_url(session: LiveSession) -> str:
    return reverse("live:join", kwargs={"slug": session.course.slug, "session_id": session.pk})


# --- The join page ------------------------------------------------------------------------


def waiting_poll_seconds(*, starts_at: datetime, now: datetime, base: int) -> int:
    """Seconds until the waiting room's next check: `base` near or past the start, slower
    while it is far (WAITING_POLL_TIERS), and never sleeping past the moment a faster
    tier begins, so a student 2 h 01 min early is checked at 2 h, not at 1 h 56."""
    base = max(1, base)
    left = (starts_at - now).total_seconds()
    faster_from = 0.0  # where the next, faster tier begins (seconds before the start)
    for bound, factor in WAITING_POLL_TIERS:
        if left <= bound.total_seconds():
            interval = base * factor
            break
        faster_from = bound.total_seconds()
    else:
        interval = base * WAITING_POLL_FAR_FACTOR
    return max(base, min(interval, math.ceil(left - faster_from)))


def _waiting_poll(session: LiveSession) -> int:
    return waiting_poll_seconds(
        starts_at=session.scheduled_start_at,
        now=timezone.now(),
        base=settings.LIVE_WAITING_POLL_SECONDS,
    )


def _room_config(request: HttpRequest, user: User, session: LiveSession) -> dict[str, Any]:
    """What live/room.js needs, JSON in the page: URLs, timings, who the user is, the
    embed options Campus decides, and the French texts the script shows."""
    moderator = is_owner_or_admin(user, session.course)
    ids = {"session_id": session.pk}
    slug_ids = {"slug": session.course.slug, **ids}
    return {
        "sessionId": session.pk,
        "urls": {
            "join": reverse("api:session_join", kwargs=ids),
            "heartbeat": reverse("api:session_heartbeat", kwargs=ids),
            "leave": reverse("api:session_leave", kwargs=ids),
            "beacon": reverse("live:leave_beacon", kwargs=slug_ids),
        },
        "csrfToken": get_token(request),
        "heartbeatSeconds": settings.LIVE_HEARTBEAT_SECONDS,
        "user": {"displayName": user.display_name, "email": user.email},
        "isModerator": moderator,
        "embed": jitsi.embed_options(moderator=moderator, data_saver=user.data_saver),
        "messages": {
            "connecting": _("Connexion à la salle…"),
            "loading": _("Chargement de la visioconférence…"),
            "network": _("Connexion impossible. Vérifiez votre connexion Internet puis réessayez."),
            "script": _(
                "Impossible de charger la visioconférence. Vérifiez votre connexion "
                "Internet puis réessayez."
            ),
            "generic": _("Une erreur s'est produite. Réessayez."),
            "retry": _("Réessayer"),
            "left": _("Vous avez quitté la session."),
            "back": _("Revenir"),
            "ended": _("La session est terminée."),
        },
    }


def _join_context(
    request: HttpRequest, user: User, session: LiveSession, **panel: Any
) -> dict[str, Any]:
    moderator = is_owner_or_admin(user, session.course)
    context: dict[str, Any] = {
        "session": session,
        "course": session.course,
        "is_moderator": moderator,
        "waiting_poll_seconds": _waiting_poll(session),
        "join_url": _join_url(session),
    }
    if session.status == LiveSessionStatus.LIVE:
        context["config"] = _room_config(request, user, session)
    if session.status in (LiveSessionStatus.LIVE, LiveSessionStatus.ENDED):
        context.update(_panel_context(request, user, session, moderator=moderator, **panel))
    return context


@embeds(jitsi.embed_origins)
@page
def join(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    user, session = _session(request, slug, session_id)
    return render(request, "live/room/join.html", _join_context(request, user, session))


@page
def waiting_status(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """The waiting room's poll: a small fragment while scheduled (carrying the next poll,
    with its delay for the time left now), a full reload (HX-Refresh) once live, and a
    closing note with 286 (htmx stops polling) when ended/cancelled."""
    _user, session = _session(request, slug, session_id)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(_join_url(session))
    if session.status == LiveSessionStatus.LIVE:
        return HttpResponseClientRefresh()
    status = 200 if session.status == LiveSessionStatus.SCHEDULED else STOP_POLLING
    context = {"session": session, "course": session.course}
    if session.status == LiveSessionStatus.SCHEDULED:
        context["waiting_poll_seconds"] = _waiting_poll(session)
    return render(request, "live/room/_waiting_status.html", context, status=status)


@require_POST
@page
def leave_beacon(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """sendBeacon on pagehide: close the attendance interval. Nobody reads the answer, so
    a user who was not in gets a quiet 409."""
    user, session = _session(request, slug, session_id)
    try:
        services.session_leave(actor=user, session=session)
    except Conflict:
        return HttpResponse(status=409)
    return HttpResponse(status=204)


@require_POST
@page
def data_saver(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    user, session = _session(request, slug, session_id)
    enabled = request.POST.get("data_saver", "").lower() in TRUE_VALUES
    account_services.profile_update(actor=user, data_saver=enabled)
    if enabled:
        messages.success(request, _("Économiseur de données activé : audio seul au départ."))
    else:
        messages.success(request, _("Économiseur de données désactivé."))
    return redirect(safe_next(request, _join_url(session)))


# --- Q&A panel ---------------------------------------------------------------------------


def _panel_context(
    request: HttpRequest,
    user: User,
    session: LiveSession,
    *,
    moderator: bool,
    ask_form: ChatTextForm | None = None,
    answer_form: ChatTextForm | None = None,
    answer_to: int | None = None,
) -> dict[str, Any]:
    version = _panel_version(request, user, session)  # before the rows it describes are read
    panel = selectors.qa_panel(session=session, moderator=moderator)
    answer_inline = answer_form is not None and any(q.pk == answer_to for q in panel.questions)
    return {
        "session": session,
        "course": session.course,
        "panel": panel,
        "is_moderator": moderator,
        "is_live": session.status == LiveSessionStatus.LIVE,
        "ask_form": ask_form or ChatTextForm(),
        "answer_form": answer_form,
        "answer_to": answer_to,
        "answer_inline": answer_inline,
        "qa_poll_seconds": settings.LIVE_QA_POLL_SECONDS,
        "qa_version": version,
        "join_url": _join_url(session),
    }


def _panel_version(request: HttpRequest, user: User, session: LiveSession) -> str:
    """What the panel shows, as a short digest. Cheap: one aggregate over the session's
    chat, plus what else changes the HTML (status, viewer kind, language, time zone, the
    CSRF secret the forms carry)."""
    count, last_id, last_change = selectors.qa_panel_version(session=session)
    if "CSRF_COOKIE" not in request.META:
        # No secret yet: create it now (the forms will carry it). When the browser has
        # one, it is left alone, so an unchanged poll does not re-send the cookie.
        get_token(request)
    parts = [
        count,
        last_id,
        last_change.timestamp() if last_change else 0,
        session.status,
        is_owner_or_admin(user, session.course),
        get_language(),
        user.pk,
        user.timezone,
        request.META.get("CSRF_COOKIE", ""),
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _panel_response(
    request: HttpRequest, user: User, session: LiveSession, *, status: int = 200, **panel: Any
) -> HttpResponse:
    """After a POST: the refreshed panel for htmx; without JS, back to the join page on
    success, or the join page with the form errors inline."""
    moderator = is_owner_or_admin(user, session.course)
    if request.htmx:  # type: ignore[attr-defined]
        context = _panel_context(request, user, session, moderator=moderator, **panel)
        return render(request, "live/room/_qa_panel.html", context, status=status)
    if status == 200:
        return redirect(safe_next(request, _join_url(session)) + "#qa")
    context = _join_context(request, user, session, **panel)
    return render(request, "live/room/join.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@embeds(jitsi.embed_origins)  # a refused POST without htmx shows the room page again
@page
def questions(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """GET: the panel (or with ?part=list only its polled list; with ?v=<version> too,
    204 when that is still the version); POST: ask a question."""
    user, session = _session(request, slug, session_id)
    if request.method == "POST":
        form = ChatTextForm(request.POST)
        message = form_call(
            form,
            services.chat_post,
            actor=user,
            session=session,
            text=form.text_value(),
            kind=ChatKind.QUESTION,
        )
        if message is None:
            return _panel_response(request, user, session, status=form_status(form), ask_form=form)
        return _panel_response(request, user, session)
    part = "list" if request.GET.get("part") == "list" else "panel"
    version = _panel_version(request, user, session)
    if part == "list" and request.GET.get("v") == version:
        return _private(HttpResponse(status=204))  # the poll's "nothing new"
    etag = quote_etag(f"qa-{part}-{version}")
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return _private(not_modified)
    moderator = is_owner_or_admin(user, session.course)
    context = _panel_context(request, user, session, moderator=moderator)
    template = "live/room/_qa_list.html" if part == "list" else "live/room/_qa_panel.html"
    response = render(request, template, context)
    response["ETag"] = etag
    return _private(response)


@require_POST
@page
def question_answer(
    request: HttpRequest, slug: str, session_id: int, message_id: int
) -> HttpResponse:
    user, session = _session(request, slug, session_id, manage=True)
    form = ChatTextForm(request.POST)
    message = form_call(
        form,
        services.chat_post,
        actor=user,
        session=session,
        text=form.text_value(),
        kind=ChatKind.ANSWER,
        answer_to=message_id,
    )
    if message is None:
        return _panel_response(
            request,
            user,
            session,
            status=form_status(form),
            answer_form=form,
            answer_to=message_id,
        )
    return _panel_response(request, user, session)


@require_POST
@page
def question_moderate(
    request: HttpRequest, slug: str, session_id: int, message_id: int, action: str
) -> HttpResponse:
    user, session = _session(request, slug, session_id, manage=True)
    if action not in MODERATION_ACTIONS:
        raise NotFound(_("Action inconnue."), code="unknown_action")
    services.chat_moderate(actor=user, session=session, message_id=message_id, action=action)
    return _panel_response(request, user, session)
