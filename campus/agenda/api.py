"""Agenda API: the merged calendar, study plans, calendar sync. Parse -> access/service/
selector -> schema; no rules here."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router

from campus.accounts.auth import AuthedRequest
from campus.agenda import access, links, presenters, selectors, services
from campus.agenda.schemas import (
    EVENT_ID_MAX,
    CalendarQuery,
    EventsOut,
    EventsQuery,
    MdscCalendarEventOut,
    PlanOut,
    ScheduleIn,
    SyncOut,
    TokenOut,
)
from campus.core.envelope import Envelope, ok
from campus.core.errors import NotFound
from campus.courses import access as course_access
from campus.courses.models import Enrollment

router = Router(tags=["agenda"])


def _types(raw: str) -> set[str] | None:
    parts = {p.strip() for p in raw.split(",") if p.strip()}
    return parts or None


def _events(
    request: AuthedRequest, start: date | datetime, end: date | datetime, type_: str
) -> dict:
    user = request.auth
    lo = selectors.local_bound(start, tz=user.timezone)
    hi = selectors.local_bound(end, tz=user.timezone, end=True)
    events = selectors.calendar_events(user=user, start=lo, end=hi, types=_types(type_))
    return ok({"start": lo, "end": hi, "events": presenters.event_rows(events)})


@router.get(
    "/calendar/events",
    response=Envelope(EventsOut),
    summary="My calendar overlapping [start, end): sessions, plan, deadlines, course dates "
    "(not paginated: bounded by the window, at most 366 days)",
)
def calendar_events(request: AuthedRequest, query: Query[EventsQuery]) -> dict:
    return _events(request, query.start, query.end, query.type)


@router.get(
    "/calendar",
    response=Envelope(list[MdscCalendarEventOut]),
    summary="My calendar as a list of events (the original platform's shape), by default "
    "the current month ± 7 days (not paginated: bounded by the window)",
)
def calendar(request: AuthedRequest, query: Query[CalendarQuery]) -> dict:
    user = request.auth
    default_start, default_end = selectors.default_window(user=user, now=timezone.now())
    start = selectors.local_bound(query.start or default_start, tz=user.timezone)
    end = selectors.local_bound(query.end or default_end, tz=user.timezone, end=True)
    events = selectors.calendar_events(user=user, start=start, end=end, types=_types(query.type))
    return ok(presenters.frontend_event_rows(events))


@router.get(
    "/calendar/{event_id}",
    response=Envelope(MdscCalendarEventOut),
    summary="One event of my calendar by its id (`live_session-12`, `plan_item-5`, …; a bare "
    "number or `live-session-12` is a live session, as the original platform's ids)",
)
def calendar_event(
    request: AuthedRequest, event_id: str = Path(..., max_length=EVENT_ID_MAX)
) -> dict:
    key = event_id.removeprefix("live-session-")
    event = selectors.calendar_event(
        user=request.auth, key=f"live_session-{key}" if key.isdigit() else key
    )
    if event is None:
        raise NotFound(_("Événement introuvable."), code="event_not_found")
    return ok(presenters.frontend_event_row(event))


@router.post(
    "/calendar/token/regenerate",
    response=Envelope(TokenOut),
    summary="A new secret feed URL; the old one stops working at once",
)
def token_regenerate(request: AuthedRequest) -> dict:
    token = services.calendar_token_regenerate(actor=request.auth)
    return ok({"feed": links.feed_urls(token.token)})


def _plan_out(enrollment: Enrollment) -> dict:
    return ok(presenters.plan(access.get_plan_for(enrollment, now=timezone.now())))


@router.post(
    "/enrollments/{enrollment_id}/generate-schedule",
    response=Envelope(PlanOut),
    summary="(Re)generate my study plan for this enrollment, from today",
)
def generate_schedule(request: AuthedRequest, enrollment_id: int) -> dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    services.plan_generate(actor=request.auth, enrollment=enrollment)
    return _plan_out(enrollment)


@router.get(
    "/enrollments/{enrollment_id}/schedule",
    response=Envelope(PlanOut),
    summary="My study plan for this enrollment, with its items and progress",
)
def schedule(request: AuthedRequest, enrollment_id: int) -> dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    return _plan_out(enrollment)


@router.put(
    "/enrollments/{enrollment_id}/schedule",
    response=Envelope(PlanOut),
    summary="Change study days, start time and minutes per day, then re-plan",
)
def schedule_update(request: AuthedRequest, enrollment_id: int, payload: ScheduleIn) -> dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    services.plan_update_settings(actor=request.auth, enrollment=enrollment, **payload.dict())
    return _plan_out(enrollment)


@router.post(
    "/enrollments/{enrollment_id}/sync-calendar",
    response=Envelope(SyncOut),
    summary="Feed URLs (https, webcal), the course's .ics and Google/Outlook subscribe links",
)
def sync_calendar(request: AuthedRequest, enrollment_id: int) -> dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    token = services.calendar_token(actor=request.auth)
    course_feed = links.course_feed_urls(token.token, enrollment.course_id)
    return ok(
        {
            "feed": links.feed_urls(token.token),
            "course_feed": course_feed,
            "ics_url": course_feed["https"],
        }
    )
