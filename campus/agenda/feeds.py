"""iCalendar feeds: a secret URL per user (and per course), no login (calendar clients
cannot log in), and the single-event .ics download (login).

An unknown or revoked token is a plain 404, the same as any missing page: no hint that
a token ever existed. Responses carry an ETag (a hash of what the file depends on, known before
rendering it) and answer 304 to a client that already has that version. Feeds also carry
Last-Modified: when that version was first served (services.feed_changed_at), which moves
forward on every change, deletions included; a client may revalidate with If-None-Match,
If-Modified-Since or both.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from campus.accounts.models import User
from campus.agenda import ics, selectors, services
from campus.agenda.events import CalendarEvent

CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 300
RENDERED_FEED_SECONDS = 60 * 60
# Part of a single event's ETag: bump it when the reminders it carries change.
ALARMS_VERSION = "alarms-1"


def _fingerprint(events: list[CalendarEvent], *extra: str) -> str:
    """What the rendered file depends on, hashed: the ETag, known before rendering."""
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode())
    for e in events:
        row = (e.uid, e.sequence, e.start, e.end, e.all_day, e.status, e.title)
        digest.update(repr((*row, e.description, e.url, e.updated_at)).encode())
    return digest.hexdigest()[:40]


def _respond(
    request: HttpRequest,
    render: Callable[[], bytes],
    *,
    fingerprint: str,
    modified: datetime | None = None,
    filename: str | None = None,
) -> HttpResponse:
    """304 when the client has this version (decided before rendering: subscribed
    clients poll every hour and the file rarely changes), else the rendered file."""
    etag = quote_etag(fingerprint)
    stamp = int(modified.timestamp()) if modified else None
    conditional = get_conditional_response(request, etag=etag, last_modified=stamp)
    response = conditional or HttpResponse(render(), content_type=CONTENT_TYPE)
    response["ETag"] = etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, max_age=MAX_AGE)
    return response


def _calendar_response(
    request: HttpRequest, user: User, events: list[CalendarEvent], *, name: str, scope: str
) -> HttpResponse:
    url = request.build_absolute_uri()
    fingerprint = _fingerprint(events, name, url)
    modified = services.feed_changed_at(
        user=user, scope=scope, fingerprint=fingerprint, now=timezone.now()
    )

    def render() -> bytes:
        # Rendering hundreds of events costs ~0.1 s; the same version is kept in the
        # shared cache, so it is rendered once per change, not once per poll.
        key = f"agenda:feed:{fingerprint}"
        body = cache.get(key)
        if body is None:
            body = ics.build_calendar(events, name=name, url=url)
            cache.set(key, body, RENDERED_FEED_SECONDS)
        return bytes(body)

    return _respond(request, render, fingerprint=fingerprint, modified=modified)


def _token_user(token: str) -> User:
    user = selectors.user_for_token(token=token)
    if user is None:
        raise Http404
    return user


@require_safe
def user_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = _token_user(token)
    # In the subscriber's language (no session here: the token says who it is).
    with translation.override(user.language or None):
        events = selectors.feed_events(user=user, now=timezone.now())
        name = _("Campus — mon agenda")
    return _calendar_response(request, user, events, name=name, scope="all")


@require_safe
def course_feed(request: HttpRequest, token: str, course_id: int) -> HttpResponse:
    user = _token_user(token)
    course = selectors.course_for_feed(user=user, course_id=course_id)
    if course is None:
        raise Http404
    with translation.override(user.language or None):
        events = selectors.feed_events(user=user, now=timezone.now(), course_id=course.pk)
        name = _("Campus — %(c)s") % {"c": course.title}
    return _calendar_response(request, user, events, name=name, scope=f"course-{course.pk}")


@require_safe
def event_ics(request: HttpRequest, key: str) -> HttpResponse:
    """One event of the logged-in user's own calendar, as a file to open."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    assert isinstance(request.user, User)
    event = selectors.calendar_event(user=request.user, key=key)
    if event is None:
        raise Http404
    # ETag only: a file opened once, not polled. (The event's own modification time
    # would not do as Last-Modified: a quiz deadline moves without its course changing.)
    return _respond(
        request,
        lambda: ics.build_event(event),
        # The reminders' texts are in the reader's language; their set can change.
        fingerprint=_fingerprint([event], ALARMS_VERSION, translation.get_language() or ""),
        filename=f"campus-{event.key}.ics",
    )
