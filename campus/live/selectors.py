"""Every non-trivial read of live sessions, with the joins and counts it needs."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from campus.accounts.models import User
from campus.core.pagination import Page, PageQuery, paginate
from campus.courses.models import Course, Enrollment
from campus.live.models import (
    AttendanceInterval,
    ChatMessage,
    LiveSession,
    LiveSessionStatus,
    Participant,
    ParticipantRole,
)


def session_base() -> QuerySet[LiveSession]:
    return LiveSession.objects.select_related("course", "course__instructor", "instructor")


def admitted_students(*, session: LiveSession) -> QuerySet[Participant]:
    """The seats capacity counts: admitted participants in the student role."""
    return Participant.objects.filter(
        session=session, role=ParticipantRole.PARTICIPANT, admitted_at__isnull=False
    )


def attach_participant_counts(sessions: list[LiveSession]) -> None:
    """Set `participants_count` (admitted students) with one grouped COUNT."""
    by_id = {s.pk: s for s in sessions}
    if not by_id:
        return
    counts = dict(
        Participant.objects.filter(
            session_id__in=by_id, role=ParticipantRole.PARTICIPANT, admitted_at__isnull=False
        )
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("*"))
    )
    for session_id, session in by_id.items():
        session.participants_count = counts.get(session_id, 0)  # type: ignore[attr-defined]


def sessions_of_course_page(*, course: Course, status: str | None, query: PageQuery) -> Page:
    queryset = session_base().filter(course=course).order_by("scheduled_start_at", "id")
    if status:
        queryset = queryset.filter(status=status)
    result = paginate(queryset, query)
    attach_participant_counts(result.items)
    return result


def session_with_counts(*, session: LiveSession) -> LiveSession:
    attach_participant_counts([session])
    return session


def participants_page(*, session: LiveSession, query: PageQuery) -> Page:
    queryset = (
        Participant.objects.filter(session=session)
        .select_related("user")
        .order_by("admitted_at", "id")
    )
    return paginate(queryset, query)


def intervals_by_participant(*, session: LiveSession) -> dict[int, list[AttendanceInterval]]:
    grouped: dict[int, list[AttendanceInterval]] = {}
    for interval in AttendanceInterval.objects.filter(participant__session=session).order_by(
        "joined_at", "id"
    ):
        grouped.setdefault(interval.participant_id, []).append(interval)
    return grouped


def active_enrollment_count(*, course: Course) -> int:
    return Enrollment.objects.filter(course=course, is_active=True).count()


def chat_since(
    *, session: LiveSession, since: int, limit: int, moderator: bool
) -> list[ChatMessage]:
    """Messages after `since` (keyset on the (session, id) index), oldest first; hidden
    ones only for moderators."""
    queryset = ChatMessage.objects.filter(session=session, id__gt=since).select_related("author")
    if not moderator:
        queryset = queryset.filter(is_hidden=False)
    return list(queryset.order_by("id")[:limit])


def sessions_for_student(*, user: User, now: datetime, limit: int) -> dict[str, list[LiveSession]]:
    """Sessions of the courses the user is actively enrolled in: upcoming (soonest
    first), live, past (latest first). Three bounded queries."""
    base = (
        LiveSession.objects.filter(
            course__enrollments__user=user, course__enrollments__is_active=True
        )
        .select_related("course")
        .order_by()
    )
    return {
        "upcoming": list(
            base.filter(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__gt=now).order_by(
                "scheduled_start_at", "id"
            )[:limit]
        ),
        "live": list(
            base.filter(status=LiveSessionStatus.LIVE).order_by("scheduled_start_at", "id")[:limit]
        ),
        "past": list(
            base.filter(
                Q(status__in=[LiveSessionStatus.ENDED, LiveSessionStatus.CANCELLED])
                | Q(status=LiveSessionStatus.SCHEDULED, scheduled_end_at__lte=now)
            ).order_by("-scheduled_start_at", "-id")[:limit]
        ),
    }
