"""Agenda API schemas."""

from datetime import date, datetime, time
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator

from campus.core import dates
from campus.core.schemas import RowOut


def _parse_bound(value: Any) -> Any:
    """An ISO date (2026-03-01) or an ISO datetime WITH its offset; a naive datetime is
    refused (like every datetime of the API)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(_("Date (AAAA-MM-JJ) ou date et heure ISO 8601 attendue.")) from None
    if parsed.tzinfo is None:
        raise ValueError(_("Le fuseau horaire est obligatoire (ex. 2026-01-01T10:00:00+01:00)."))
    return parsed


Bound = Annotated[datetime | date, BeforeValidator(_parse_bound), AfterValidator(dates.check_value)]


class EventsQuery(Schema):
    start: Bound = Field(..., description="ISO date (user's zone) or datetime with offset.")
    end: Bound = Field(
        ..., description="Exclusive datetime, or an inclusive date. At most 366 days after start."
    )
    type: str = Field(
        "",
        max_length=200,
        description="Comma list of: live_session, lesson, quiz, deadline, milestone, course.",
    )


class CalendarQuery(Schema):
    start: Bound | None = None
    end: Bound | None = None
    type: str = Field("", max_length=200)


EVENT_ID_MAX = 40


class EventOut(RowOut):
    key: str
    uid: str
    type: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    status: str
    url: str
    course_id: int
    course_title: str
    description: str
    sequence: int
    ics_url: str


class MdscEventCourseOut(RowOut):
    id: int
    title: str
    slug: str


class MdscCalendarEventOut(EventOut):
    """An event as GET /api/calendar lists it: EventOut plus the original platform's
    fields (the MdSC frontend reads them)."""

    id: str = Field(..., description="The event's key again; GET /api/calendar/{id} takes it.")
    event_type: str = Field(
        ...,
        description="live_session, lesson, quiz_scheduled, deadline, milestone, "
        "course_start, course",
    )
    start_date: datetime
    end_date: datetime
    is_all_day: bool
    location: str | None
    is_public: bool
    course: MdscEventCourseOut


class EventsOut(Schema):
    start: datetime
    end: datetime
    events: list[EventOut]


class PlanProgressOut(Schema):
    done: int
    total: int
    percent: int


class PlanItemOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    segment: int
    segments: int
    status: str = Field(..., description="pending, in_progress, done, late, skipped")
    lesson_id: int | None
    quiz_id: int | None
    milestone_percent: int | None
    url: str


class PlanOut(Schema):
    id: int
    enrollment_id: int
    course_id: int
    study_days: list[int]
    start_time: str
    minutes_per_day: int
    timezone: str
    starts_on: date
    finishes_on: date | None
    fits: bool
    needed_minutes_per_day: int | None
    generated_at: datetime
    progress: PlanProgressOut
    items: list[PlanItemOut]


class ScheduleIn(Schema):
    study_days: list[int] = Field(..., max_length=7, description="0 = Monday … 6 = Sunday")
    start_time: time = Field(..., description='Local time, "HH:MM"')
    minutes_per_day: int


class FeedLinksOut(Schema):
    https: str
    webcal: str
    google: str
    outlook: str


class SyncOut(Schema):
    feed: FeedLinksOut
    course_feed: FeedLinksOut
    ics_url: str = Field(..., description="This course's calendar as one .ics file.")


class TokenOut(Schema):
    feed: FeedLinksOut
