"""The endpoints of issue 17's side-by-side table that the other registries lack: a
course's ratings and their statistics, the replies of a small topic and of the 500-reply
topic at the page length the frontend asks for, and the student calendar's live sessions
over 90 days. Ratings are not part of the generated data: `prepare` writes approved
ratings for the busiest course's completed enrollments and the clean-up removes them."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bench.agenda_endpoints import WINDOW_DAYS, _student_in_20_courses
from bench.endpoints import Call, CallSource, Context, endpoint
from bench.forum_endpoints import _big_topic, _busiest_forum, _rotate
from bench.live_endpoints import _busiest_course_id
from campus.courses.models import Course, Enrollment, EnrollmentStatus
from campus.forum.models import Topic
from campus.ratings import services as rating_services
from campus.ratings.models import CourseRating, RatingStatus

RATINGS = 200
SMALL_TOPIC_REPLIES = range(9, 14)  # the table's "11-reply topic"
COMMENTS = (
    "Cours clair et bien structuré, les exercices aident beaucoup.",
    "Bon contenu, mais les vidéos sont lourdes sur une connexion mobile.",
    "Le formateur répond vite sur le forum. Je recommande.",
    "Un peu rapide sur la fin, il faudrait plus d'exemples pratiques.",
)


def _rated_course(ctx: Context) -> int:
    """The busiest course, given up to RATINGS approved ratings (its completed members)."""
    course_id = _busiest_course_id()
    enrollments = list(
        Enrollment.objects.filter(
            course_id=course_id, status=EnrollmentStatus.COMPLETED, rating__isnull=True
        ).values_list("id", "user_id")[:RATINGS]
    )
    now = timezone.now()
    created = CourseRating.objects.bulk_create(
        CourseRating(
            course_id=course_id,
            user_id=user_id,
            enrollment_id=enrollment_id,
            rating=ctx.rng.choice((3, 4, 4, 5, 5, 5)),
            comment=ctx.rng.choice(COMMENTS),
            would_recommend=True,
            is_anonymous=n % 7 == 0,
            status=RatingStatus.APPROVED,
            created_at=now - timedelta(days=n),
        )
        for n, (enrollment_id, user_id) in enumerate(enrollments)
    )
    ids = [rating.pk for rating in created]
    _refresh_stats(course_id)

    def clean_up() -> None:
        CourseRating.objects.filter(pk__in=ids).delete()
        _refresh_stats(course_id)

    ctx.cleanups.append(clean_up)
    return course_id


def _refresh_stats(course_id: int) -> None:
    """The course's stored statistics follow its reviews, as after a moderation."""
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course_id)
        rating_services.refresh_course_stats(course=course)


@endpoint("course_ratings", "GET /api/courses/{id}/ratings: a course's approved reviews (20)")
def course_ratings(ctx: Context) -> CallSource:
    course_id = _rated_course(ctx)
    return _rotate(ctx, ctx.pool_tokens(), f"/api/courses/{course_id}/ratings")


@endpoint("course_rating_stats", "GET /api/courses/{id}/ratings/stats: average, histogram")
def course_rating_stats(ctx: Context) -> CallSource:
    course_id = _rated_course(ctx)
    return _rotate(ctx, ctx.pool_tokens(), f"/api/courses/{course_id}/ratings/stats")


@endpoint(
    "forum_topic_500_replies_20",
    "GET /api/topics/{id}/replies?limit=20: the 500-reply topic's first 20 top-level "
    "replies with their answers",
)
def forum_topic_500_replies_20(ctx: Context) -> CallSource:
    topic_id, tokens = _big_topic(ctx)
    return _rotate(ctx, tokens, f"/api/topics/{topic_id}/replies?limit=20")


@endpoint("forum_topic_small_replies", "GET /api/topics/{id}/replies: a topic of about 11 replies")
def forum_topic_small_replies(ctx: Context) -> CallSource:
    forum_id, tokens = _busiest_forum(ctx)
    topic_id = (
        Topic.objects.filter(
            forum_id=forum_id,
            reply_count__gte=SMALL_TOPIC_REPLIES.start,
            reply_count__lt=SMALL_TOPIC_REPLIES.stop,
        )
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if topic_id is None:
        raise RuntimeError(f"no topic of about 11 replies in forum {forum_id}")
    return _rotate(ctx, tokens, f"/api/topics/{topic_id}/replies")


@endpoint(
    "student_calendar_live_sessions",
    f"GET /api/student/calendar/live-sessions for {WINDOW_DAYS} days (start_date/end_date), "
    "the calendar's student in 20 courses",
)
def student_calendar_live_sessions(ctx: Context) -> CallSource:
    _user, token = _student_in_20_courses(ctx)
    start = timezone.localdate()
    end = start + timedelta(days=WINDOW_DAYS)
    path = (
        f"/api/student/calendar/live-sessions?start_date={start.isoformat()}"
        f"&end_date={end.isoformat()}"
    )
    return lambda: Call("GET", path, token)
