"""Builders for the agenda backend tests (services, API, calendar, feeds)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from campus.accounts.models import User
from campus.agenda import services
from campus.agenda.models import StudyPlan
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment
from campus.live import services as live_services
from campus.live.models import LiveSession

# A Monday morning (07:00 in Porto-Novo): plans start this evening at 18:00.
MONDAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)


def enrollment_of(user: User, course: Course) -> Enrollment:
    return Enrollment.objects.select_related("course", "user").get(user=user, course=course)


def generate(user: User, course: Course, now: datetime = MONDAY) -> StudyPlan:
    return services.plan_generate(actor=user, enrollment=enrollment_of(user, course), now=now)


def session_at(
    owner: User, course: Course, start: datetime, hours: float = 1, **fields: Any
) -> LiveSession:
    fields.setdefault("title", "Séance")
    return live_services.session_create(
        actor=owner,
        course=course,
        scheduled_start_at=start,
        scheduled_end_at=start + timedelta(hours=hours),
        now=min(start - timedelta(hours=1), timezone.now()),
        **fields,
    )


def enroll(user: User, course: Course) -> Enrollment:
    return course_services.enrollment_create(actor=user, course=course)
