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

import math
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from campus.accounts import services as account_services
from campus.accounts.models import User
from campus.core import polls
from campus.core.errors import Conflict, NotFound
from campus.core.security import embeds
from campus.core.views import current_user, form_call, form_status, page, safe_next
from campus.courses.access import is_owner_or_admin
from campus.live import access, jitsi, selectors, services
from campus.live import grants as live_grants
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
# A drawn students' list outlives its state's change by this much at most (a new state
# is a new key: this only bounds the memory the old ones take).
QA_ITEMS_SECONDS = 15 * 60


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


def _polled_session(request: HttpRequest, slug: str, session_id: int) -> Any:
    """The session as a poll needs it (access checked, few columns: access.py)."""
    user = current_user(request)
    return user, access.get_polled_session_for(user, session_id, slug=slug)


def _join_url(session: LiveSession) -> str:
    return reverse("live:join", kwargs={"slug": session.course.slug, "session_id": session.pk})


# --- The join page ------------------------------------------------------------------------


def waiting_poll_seconds(*, starts_at: datetime, now: datetime, base: int) -> int:
    """Seconds until the waiting room's next check: `base` near or past the start, slower
    while it is far (WAITING_POLL_TIERS), and never sleeping past the moment a faster
    tier begins, so a student 2 h 01 min early is checked at 2 h, not at 1 h 56."""
    base = max(1, base)
    left = (starts_at - now).total_seconds()
    interval, faster_in = _waiting_tier(left, base)
    return max(base, math.ceil(min(interval, faster_in)))


def _waiting_tier(left: float, base: int) -> tuple[int, float]:
    """For `left` seconds before the start: the tier's poll interval and the seconds
    until a faster tier begins (infinite in the fastest)."""
    faster_from = 0.0  # where the next, faster tier begins (seconds before the start)
    for bound, factor in WAITING_POLL_TIERS:
        if left <= bound.total_seconds():
            return base * factor, (left - faster_from) if faster_from else math.inf
        faster_from = bound.total_seconds()
    return base * WAITING_POLL_FAR_FACTOR, left - faster_from


def _waiting_state(session_id: int, request: HttpRequest | None = None) -> str:
    """The digest of what the waiting room's answer depends on (status, start), from the
    shared cache while no write has replaced it (campus.core.polls)."""

    def from_database() -> str:
        return polls.digest(selectors.waiting_room_state(session_id=session_id))

    key = selectors.waiting_state_key(session_id)
    return polls.current_state(key, from_database, request=request)


def _waiting_poller(request: HttpRequest, session: LiveSession, state: str) -> dict[str, Any]:
    """The waiting room's poll: its delay, the version it holds and a pass that ends when
    the delay would change (a faster tier), so that the shortcut's 204 never keeps a
    student on a slow poll."""
    version = polls.version(state, polls.digest(get_language()))
    now = timezone.now()
    base = settings.LIVE_WAITING_POLL_SECONDS
    left = (session.scheduled_start_at - now).total_seconds()
    return {
        "waiting_poll_seconds": waiting_poll_seconds(
            starts_at=session.scheduled_start_at, now=now, base=base
        ),
        "waiting_version": version,
        "waiting_pass": polls.issue_pass(
            request,
            path=reverse(
                "live:waiting_status",
                kwargs={"slug": session.course.slug, "session_id": session.pk},
            ),
            key=selectors.waiting_state_key(session.pk),
            version_value=version,
            valid_for=_waiting_tier(left, base)[1],
        ),
    }


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
    request: HttpRequest,
    user: User,
    session: LiveSession,
    *,
    waiting: str | None = None,
    **panel: Any,
) -> dict[str, Any]:
    moderator = is_owner_or_admin(user, session.course)
    context: dict[str, Any] = {
        "session": session,
        "course": session.course,
        "is_moderator": moderator,
        "join_url": _join_url(session),
    }
    if session.status == LiveSessionStatus.SCHEDULED:
        waiting_state = waiting or _waiting_state(session.pk)
        context.update(_waiting_poller(request, session, waiting_state))
    if session.status == LiveSessionStatus.LIVE:
        context["config"] = _room_config(request, user, session)
    if session.status in (LiveSessionStatus.LIVE, LiveSessionStatus.ENDED):
        context.update(_panel_context(request, user, session, moderator=moderator, **panel))
    return context


@embeds(jitsi.embed_origins)
@page
def join(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    # The pollers' states before the session's row: see _panel_context.
    waiting, state = _waiting_state(session_id), _qa_state(session_id)
    user, session = _session(request, slug, session_id)
    context = _join_context(request, user, session, waiting=waiting, state=state)
    return render(request, "live/room/join.html", context)


@page
def waiting_status(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """The waiting room's poll: while scheduled, an empty 204 while its version holds
    (most of those answered by campus.core.polls before anything loads), else a small
    fragment carrying the next poll, with its delay for the time left now; a full
    reload (HX-Refresh) once live, and a closing note with 286 (htmx stops polling)
    when ended/cancelled."""
    state = _waiting_state(session_id, request)  # before the session's row: see _panel_context
    _user, session = _polled_session(request, slug, session_id)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(_join_url(session))
    if session.status == LiveSessionStatus.LIVE:
        return HttpResponseClientRefresh()
    if session.status != LiveSessionStatus.SCHEDULED:
        context = {"session": session, "course": session.course}
        return render(request, "live/room/_waiting_status.html", context, status=STOP_POLLING)
    poller = _waiting_poller(request, session, state)
    held = request.GET.get(polls.VERSION_PARAM, "")
    if held == poller["waiting_version"] and polls.pass_is_valid(request, held):
        return polls.unchanged_response()
    context = {"session": session, "course": session.course, **poller}
    return render(request, "live/room/_waiting_status.html", context)


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
    state: str | None = None,
    ask_form: ChatTextForm | None = None,
    answer_form: ChatTextForm | None = None,
    answer_to: int | None = None,
    grant: str = "",
) -> dict[str, Any]:
    # The state is read before the rows it describes: a write in between makes the list
    # newer than its version, and the next poll fetches it again (never the reverse).
    state = state or _qa_state(session.pk)
    version = polls.version(state, _viewer_digest(request, user, moderator=moderator))
    context = {
        "session": session,
        "course": session.course,
        "is_moderator": moderator,
        "is_live": session.status == LiveSessionStatus.LIVE,
        "ask_form": ask_form or ChatTextForm(),
        "answer_form": answer_form,
        "answer_to": answer_to,
        "qa_poll_seconds": settings.LIVE_QA_POLL_SECONDS,
        "qa_version": version,
        "qa_pass": polls.issue_pass(
            request,
            path=reverse(
                "live:questions", kwargs={"slug": session.course.slug, "session_id": session.pk}
            ),
            key=selectors.qa_state_key(session.pk),
            version_value=version,
            grant=grant,
        ),
        "join_url": _join_url(session),
    }
    if moderator:  # with its moderation forms (and their CSRF tokens): drawn for them
        items = _panel_items(session, moderator=True, answer_form=answer_form, answer_to=answer_to)
        context.update(items)
    else:
        context["qa_items_html"] = _student_items_html(session, state)
    return context


def _panel_items(
    session: LiveSession,
    *,
    moderator: bool,
    answer_form: ChatTextForm | None = None,
    answer_to: int | None = None,
) -> dict[str, Any]:
    panel = selectors.qa_panel(session=session, moderator=moderator)
    answer_inline = answer_form is not None and any(q.pk == answer_to for q in panel.questions)
    return {"panel": panel, "answer_inline": answer_inline}


def _student_items_html(session: LiveSession, state: str) -> str:
    """The students' list is the same for every student who reads it in the same
    language and time zone: drawn once per state of the Q&A and kept in the shared
    cache, so a change read by 500 students is drawn once, not 500 times."""
    zone = timezone.get_current_timezone_name()
    key = f"live:qa-items:{session.pk}:{state}:{get_language()}:{zone}"
    items = cache.get(key)
    if items is None:
        context = {"session": session, "is_moderator": False}
        context.update(_panel_items(session, moderator=False))
        items = render_to_string("live/room/_qa_items.html", context)
        cache.set(key, items, QA_ITEMS_SECONDS)
    return mark_safe(items)  # noqa: S308 (drawn by our own template, escaped there)


def _qa_state(session_id: int, request: HttpRequest | None = None) -> str:
    """The digest of what every viewer's list depends on (the session's status and its
    chat), from the shared cache while no write has replaced it (campus.core.polls)."""

    def from_database() -> str:
        return polls.digest(selectors.qa_panel_state(session_id=session_id))

    key = selectors.qa_state_key(session_id)
    return polls.current_state(key, from_database, request=request)


def _viewer_digest(request: HttpRequest, user: User, *, moderator: bool) -> str:
    """What else changes this viewer's list: role, language, time zone, and the CSRF
    secret the moderators' forms carry."""
    return polls.digest(
        moderator, get_language(), user.pk, user.timezone, polls.page_csrf_secret(request)
    )


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
    """GET: the panel (or with ?part=list only its polled list; with ?v=<version> and its
    poll pass too, 204 while that is still the version: campus.core.polls answers most of
    those before the session is even read); POST: ask a question."""
    if request.method == "POST":
        user, session = _session(request, slug, session_id)
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
    state = _qa_state(session_id, request)  # before the session's row: see _panel_context
    user, session = _polled_session(request, slug, session_id)
    moderator = is_owner_or_admin(user, session.course)
    part = "list" if request.GET.get("part") == "list" else "panel"
    version = polls.version(state, _viewer_digest(request, user, moderator=moderator))
    if part == "list" and request.GET.get("v") == version and polls.pass_is_valid(request, version):
        return polls.unchanged_response()  # the state was not in the cache; still unchanged
    etag = quote_etag(f"qa-{part}-{version}")
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return _private(not_modified)
    if part == "list" and not moderator and polls.serves_shared():
        response = _granted_list(request, slug, user, session, state)
        if response is not None:
            response["ETag"] = etag
            return response
    context = _panel_context(request, user, session, moderator=moderator, state=state)
    template = "live/room/_qa_list.html" if part == "list" else "live/room/_qa_panel.html"
    response = render(request, template, context)
    response["ETag"] = etag
    return _private(response)


def _granted_list(
    request: HttpRequest, slug: str, user: User, session: LiveSession, state: str
) -> HttpResponse | None:
    """A student's list, with a pass that carries a grant, and the list drawn once for
    its state with placeholders (a shell): until access may have changed, this
    student's next changed polls are served by campus.core.polls from that shell,
    without the session, the user or a query. None when access is not what it was a
    moment ago (the caller answers as for anyone)."""
    keys = live_grants.session_access_keys(
        user_id=user.pk, course_id=session.course_id, session_id=session.pk
    )
    stamps = polls.current_stamps(keys)
    # Access again, on rows read after the stamps: a write that took access away either
    # committed before this (and is seen here) or replaces a stamp the grant holds.
    fresh = auth.get_user(request)
    if not isinstance(fresh, User) or fresh.pk != user.pk:
        return None
    session = access.get_polled_session_for(fresh, session.pk, slug=slug)
    if is_owner_or_admin(fresh, session.course):
        return None
    zone = timezone.get_current_timezone_name()
    shell_name = f"{selectors.qa_state_key(session.pk)}:{get_language()}:{zone}"
    grant = polls.grant_shared(request, user_id=user.pk, stamps=stamps, shell=shell_name)
    context = _panel_context(request, user, session, moderator=False, state=state, grant=grant)
    version_mark, pass_mark = polls.shell_marks()
    drawn = {**context, "qa_version": version_mark, "qa_pass": pass_mark}
    shell = polls.Shell(
        render_to_string("live/room/_qa_list.html", drawn, request), version_mark, pass_mark
    )
    polls.store_shell(shell_name, state, shell)
    return polls.shared_response(shell.filled(context["qa_version"], context["qa_pass"]))


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
