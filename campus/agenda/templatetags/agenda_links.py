"""{% session_calendar_links session as add %}: "add to my calendar" links (.ics, Google,
Outlook) for a live session's page, built like the calendar's own entry for it."""

from typing import Any

from django import template
from django.urls import reverse

from campus.agenda import events as ev
from campus.agenda import links
from campus.agenda.events import CalendarEvent
from campus.core.content import plain_paragraphs

register = template.Library()


@register.simple_tag
def session_calendar_links(session: Any) -> dict[str, str]:
    event = CalendarEvent(
        key=f"live_session-{session.pk}",
        uid="",
        type=ev.LIVE_SESSION,
        title=session.title,
        start=session.scheduled_start_at,
        end=session.scheduled_end_at,
        all_day=False,
        status=session.status,
        url=reverse(
            "live:session_detail", kwargs={"slug": session.course.slug, "session_id": session.pk}
        ),
        course_id=session.course_id,
        course_title=session.course.title,
        description=plain_paragraphs(session.description),
    )
    return links.event_links(event)
