"""Live-class endpoints for the bench runner (issue 3): a join storm and the list reads.

Each `prepare` creates what it needs through the live services (a session on a bench
course, started), and registers a clean-up that deletes it after the run.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from bench.data import bench_courses
from bench.endpoints import Call, CallSource, Context, endpoint
from campus.courses.models import CourseStatus, Enrollment
from campus.live import services as live_services
from campus.live.models import LiveSession

STORM_CAPACITY = 50
SESSIONS_PER_COURSE = 10


def _busiest_course_id() -> int:
    """The published bench course with the most active members (a big class)."""
    row = (
        bench_courses()
        .filter(status=CourseStatus.PUBLISHED)
        .annotate(members=Count("enrollments", filter=Q(enrollments__is_active=True)))
        .order_by("-members", "id")
        .values_list("id", flat=True)
        .first()
    )
    if row is None:
        raise RuntimeError("no published bench course")
    return row


def _new_session(course_id: int, *, capacity: int, starts_in: timedelta) -> LiveSession:
    course = bench_courses().select_related("instructor").get(pk=course_id)
    now = timezone.now()
    return live_services.session_create(
        actor=course.instructor,
        course=course,
        title="Séance de bench",
        scheduled_start_at=now + starts_in,
        scheduled_end_at=now + starts_in + timedelta(hours=2),
        max_participants=capacity,
    )


def _delete_later(ctx: Context, session_ids: list[int]) -> None:
    def delete() -> None:
        LiveSession.objects.filter(pk__in=session_ids).delete()

    ctx.cleanups.append(delete)


@endpoint(
    "live_join_storm",
    f"POST /api/live-sessions/{{id}}/join: every member of the biggest course once, "
    f"capacity {STORM_CAPACITY} (200 = admitted, 409 = session_full)",
    mutates=True,
)
def live_join_storm(ctx: Context) -> CallSource:
    course_id = _busiest_course_id()
    session = _new_session(course_id, capacity=STORM_CAPACITY, starts_in=timedelta(minutes=5))
    live_services.session_start(actor=session.instructor, session=session)
    _delete_later(ctx, [session.pk])
    members = list(
        Enrollment.objects.filter(course_id=course_id, is_active=True)
        .order_by("id")
        .values_list("user_id", flat=True)[: ctx.max_writes]
    )
    calls = iter(
        [Call("POST", f"/api/live-sessions/{session.pk}/join", ctx.token_for(u)) for u in members]
    )
    return lambda: next(calls, None)


def _scheduled_sessions_for_pool(ctx: Context) -> list[tuple[str, int]]:
    """(member token, course id) for the pool's courses, each given upcoming sessions."""
    memberships = list(
        Enrollment.objects.filter(
            user_id__in=ctx.pool(), is_active=True, course__status=CourseStatus.PUBLISHED
        ).values_list("user_id", "course_id")
    )
    courses = sorted({course_id for _user, course_id in memberships})[:20]
    created = [
        _new_session(course_id, capacity=100, starts_in=timedelta(days=1, hours=n)).pk
        for course_id in courses
        for n in range(SESSIONS_PER_COURSE)
    ]
    _delete_later(ctx, created)
    wanted = set(courses)
    return [(ctx.token_for(u), c) for u, c in memberships if c in wanted]


@endpoint("live_sessions_list", "GET /api/courses/{id}/live-sessions as a member")
def live_sessions_list(ctx: Context) -> CallSource:
    pairs = _scheduled_sessions_for_pool(ctx)

    def next_call() -> Call:
        token, course_id = ctx.rng.choice(pairs)
        return Call("GET", f"/api/courses/{course_id}/live-sessions", token)

    return next_call


@endpoint("student_live_sessions", "GET /api/student/live-sessions (upcoming/live/past)")
def student_live_sessions(ctx: Context) -> CallSource:
    tokens = sorted({token for token, _course in _scheduled_sessions_for_pool(ctx)})
    return lambda: Call("GET", "/api/student/live-sessions", ctx.rng.choice(tokens))
