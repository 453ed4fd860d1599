"""Agenda rows as the API's schemas want them (no queries: everything is loaded)."""

from collections.abc import Callable
from typing import Any

from campus.agenda import links, selectors
from campus.agenda.events import CalendarEvent
from campus.agenda.models import PlanItem, StudyPlan


def event_row(event: CalendarEvent, ics_path: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Lean on purpose (lists carry hundreds of events over slow links): the "add to
    Google / Outlook" links are built by the pages, not sent with every event.
    `ics_path` (links.event_ics_template()): taken once for a list."""
    return {
        "key": event.key,
        "uid": event.uid,
        "type": event.type,
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "all_day": event.all_day,
        "status": event.status,
        "url": event.url,
        "course_id": event.course_id,
        "course_title": event.course_title,
        "description": event.description,
        "sequence": event.sequence,
        "ics_url": ics_path(event.key) if ics_path else links.event_ics_path(event),
    }


# Campus's types in the MdSC frontend's `event_type` words, where it has one.
FRONTEND_EVENT_TYPES = {"quiz": "quiz_scheduled", "course_start": "course_start"}


def event_rows(events: list[CalendarEvent]) -> list[dict[str, Any]]:
    ics_path = links.event_ics_template()
    return [event_row(e, ics_path) for e in events]


def frontend_event_row(
    event: CalendarEvent, ics_path: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """GET /api/calendar and /api/calendar/{id}: `event_row` plus the fields the original
    platform's calendar (and the MdSC frontend) read. `id` is the event's key."""
    prefix = event.key.partition("-")[0]
    return {
        **event_row(event, ics_path),
        "id": event.key,
        "event_type": FRONTEND_EVENT_TYPES.get(prefix, FRONTEND_EVENT_TYPES.get(event.type))
        or event.type,
        "start_date": event.start,
        "end_date": event.end,
        "is_all_day": event.all_day,
        "location": None,
        "is_public": False,
        "course": {"id": event.course_id, "title": event.course_title, "slug": event.course_slug},
    }


def frontend_event_rows(events: list[CalendarEvent]) -> list[dict[str, Any]]:
    ics_path = links.event_ics_template()
    return [frontend_event_row(e, ics_path) for e in events]


def plan_item_row(
    item: PlanItem, slug: str, paths: selectors.ItemPaths | None = None
) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": getattr(item, "display_title", item.title),
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "segment": item.segment,
        "segments": item.segments,
        "status": getattr(item, "effective_status", item.status),
        "lesson_id": item.lesson_id,
        "quiz_id": item.quiz_id,
        "milestone_percent": item.milestone_percent,
        "url": selectors.item_url(item, slug, paths),
    }


def plan(plan: StudyPlan) -> dict[str, Any]:
    course = plan.enrollment.course
    paths = selectors.ItemPaths.now()
    return {
        "id": plan.pk,
        "enrollment_id": plan.enrollment_id,
        "course_id": course.pk,
        "study_days": list(plan.study_days),
        "start_time": plan.start_time.strftime("%H:%M"),
        "minutes_per_day": plan.minutes_per_day,
        "timezone": plan.timezone,
        "starts_on": plan.starts_on,
        "finishes_on": plan.finishes_on,
        "fits": plan.fits,
        "needed_minutes_per_day": plan.needed_minutes_per_day,
        "generated_at": plan.generated_at,
        "progress": selectors.plan_progress(enrollment=plan.enrollment),
        "items": [plan_item_row(item, course.slug, paths) for item in plan.items.all()],
    }
