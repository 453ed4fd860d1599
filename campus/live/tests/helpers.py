"""Builders shared by the live tests: sessions made through the real services."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from campus.accounts.models import User
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession


def make_session(
    owner: User,
    course: Course,
    *,
    starts_in: timedelta = timedelta(minutes=10),
    length: timedelta = timedelta(hours=1),
    now: datetime | None = None,
    **fields: Any,
) -> LiveSession:
    now = now or timezone.now()
    fields.setdefault("title", "Séance 1")
    return services.session_create(
        actor=owner,
        course=course,
        scheduled_start_at=now + starts_in,
        scheduled_end_at=now + starts_in + length,
        now=now,
        **fields,
    )


def make_live(owner: User, course: Course, **fields: Any) -> LiveSession:
    session = make_session(owner, course, **fields)
    return services.session_start(actor=owner, session=session)
