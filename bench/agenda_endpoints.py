"""Calendar endpoints for the bench runner (issue 6): a student in 20 courses, with
their study plans and the courses' live sessions, reads the events API and the feed.

`prepare` enrolls one pool student in 20 published bench courses (through the
enrollment service), builds each plan (agenda services), gives every course five live
sessions over the next two months, and registers a clean-up that removes all of it.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from bench.data import bench_courses
from bench.endpoints import Call, CallSource, Context, endpoint
from campus.accounts.models import User
from campus.agenda import services as agenda_services
from campus.agenda.models import CalendarToken, StudyPlan
from campus.courses import services as course_services
from campus.courses.models import CourseStatus, Enrollment
from campus.live.models import LiveSession

COURSES = 20
SESSIONS_PER_COURSE = 5
WINDOW_DAYS = 90

_prepared: dict[str, str] = {}


def _student_in_20_courses(ctx: Context) -> tuple[User, str]:
    """Once per run: the student, their bearer token, everything their calendar shows."""
    if "user_id" in _prepared:
        user = User.objects.get(pk=int(_prepared["user_id"]))
        return user, _prepared["token"]
    user = User.objects.get(pk=ctx.pool()[0])
    already = set(
        Enrollment.objects.filter(user=user, is_active=True).values_list("course_id", flat=True)
    )
    courses = list(
        bench_courses()
        .filter(status=CourseStatus.PUBLISHED)
        .exclude(instructor=user)
        .select_related("instructor")
        .order_by("id")[: COURSES + len(already)]
    )
    wanted = [c for c in courses if c.pk in already][:COURSES]
    wanted += [c for c in courses if c.pk not in already][: COURSES - len(wanted)]
    created_enrollments = [
        course_services.enrollment_create(actor=user, course=course).pk
        for course in wanted
        if course.pk not in already
    ]
    enrollments = list(Enrollment.objects.filter(user=user, course__in=wanted, is_active=True))
    now = timezone.now()
    sessions = LiveSession.objects.bulk_create(
        LiveSession(
            course=course,
            instructor=course.instructor,
            title=f"Bench agenda {n + 1}",
            scheduled_start_at=now + timedelta(days=3 + 11 * n, hours=course.pk % 12),
            scheduled_end_at=now + timedelta(days=3 + 11 * n, hours=course.pk % 12 + 1),
            jitsi_room_name=f"bench-agenda-{uuid.uuid4().hex}",
            jitsi_server_url="https://meet.example.org",
        )
        for course in wanted
        for n in range(SESSIONS_PER_COURSE)
    )
    had_plans = set(
        StudyPlan.objects.filter(enrollment__in=enrollments).values_list("enrollment_id", flat=True)
    )
    for enrollment in enrollments:
        agenda_services.plan_generate(actor=user, enrollment=enrollment)
    feed_token = agenda_services.calendar_token(actor=user).token

    def clean_up() -> None:
        LiveSession.objects.filter(pk__in=[s.pk for s in sessions]).delete()
        StudyPlan.objects.filter(enrollment__in=enrollments).exclude(
            enrollment_id__in=had_plans
        ).delete()
        Enrollment.objects.filter(pk__in=created_enrollments).delete()
        CalendarToken.objects.filter(user=user).delete()
        _prepared.clear()

    ctx.cleanups.append(clean_up)
    _prepared.update(user_id=str(user.pk), token=ctx.token_for(user.pk), feed=feed_token)
    return user, _prepared["token"]


@endpoint(
    "calendar_events",
    f"GET /api/calendar/events for {WINDOW_DAYS} days, a student in {COURSES} courses "
    "(sessions, plan items, deadlines, course dates)",
)
def calendar_events(ctx: Context) -> CallSource:
    _user, token = _student_in_20_courses(ctx)
    start = timezone.localdate()
    end = start + timedelta(days=WINDOW_DAYS)
    path = f"/api/calendar/events?start={start.isoformat()}&end={end.isoformat()}"
    return lambda: Call("GET", path, token)


@endpoint(
    "calendar_feed",
    f"GET /calendar/feed/<token>.ics: the same student's iCalendar feed "
    f"({COURSES} courses, 60 days back to 400 ahead)",
)
def calendar_feed(ctx: Context) -> CallSource:
    _user, token = _student_in_20_courses(ctx)
    path = f"/calendar/feed/{_prepared['feed']}.ics"
    return lambda: Call("GET", path, token)
