"""`campus demo`: what it builds, and that it never builds twice."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campus.accounts.models import Role, User
from campus.courses.management import demo_content as content
from campus.courses.models import (
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    LessonContentType,
    Quiz,
)

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def debug_on(settings: Any) -> None:
    settings.DEBUG = True


@pytest.mark.usefixtures("debug_on")
def test_demo_builds_people_courses_and_progress() -> None:
    output = run_demo()

    assert User.objects.filter(role=Role.ADMIN, is_staff=True).count() == 1
    assert User.objects.filter(role=Role.INSTRUCTOR).count() == 2
    assert User.objects.filter(role=Role.STUDENT).count() == 20
    assert not User.objects.exclude(email__endswith=f"@{content.DEMO_DOMAIN}").exists()
    assert content.DEMO_PASSWORD in output
    assert User.objects.get(email="koffi.adjovi@demo.campus.local").check_password(
        content.DEMO_PASSWORD
    )

    published = Course.objects.filter(status=CourseStatus.PUBLISHED)
    assert published.count() == 3
    for course in published:
        assert course.modules.count() >= 2
        kinds = set(course.lessons.values_list("content_type", flat=True))
        assert kinds == {LessonContentType.TEXT, LessonContentType.VIDEO}
        module_quizzes = Quiz.objects.filter(course=course, module__isnull=False)
        assert module_quizzes.count() == course.modules.count()
        assert all(quiz.questions.exists() for quiz in module_quizzes)
        assert Quiz.objects.get(final_for=course).questions.count() >= 2
        assert course.enrollment_deadline is not None and course.course_start_date is not None

    enrollments = Enrollment.objects.all()
    assert enrollments.count() == sum(len(spec.enrollments) for spec in content.COURSES)
    assert enrollments.filter(status=EnrollmentStatus.COMPLETED).exists()
    assert enrollments.filter(status=EnrollmentStatus.IN_PROGRESS).exists()
    assert enrollments.filter(status=EnrollmentStatus.ENROLLED).exists()
    assert enrollments.filter(is_active=False).exists()


@pytest.mark.usefixtures("debug_on")
def test_demo_progress_matches_the_plan() -> None:
    """Every student the plan takes to the end has a completed enrollment."""
    run_demo()
    for spec in content.COURSES:
        for index, level in spec.enrollments.items():
            first_name = content.STUDENTS[index].first_name
            enrollment = Enrollment.objects.get(
                course__title=spec.title, user__first_name=first_name
            )
            completed = enrollment.status == EnrollmentStatus.COMPLETED
            assert completed == (level == content.COMPLETED), (spec.title, first_name, level)


def _demo_rows() -> dict[str, int]:
    from campus.certificates.models import Certificate
    from campus.forum.models import Reply, Topic, Vote
    from campus.notifications.models import Notification
    from campus.ratings.models import CourseRating

    models: list[Any] = [
        User,
        Course,
        Enrollment,
        Topic,
        Reply,
        Vote,
        CourseRating,
        Certificate,
        Notification,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.usefixtures("debug_on")
def test_demo_runs_once() -> None:
    run_demo()
    rows = _demo_rows()

    assert "existe déjà" in run_demo()
    assert "déjà des comptes" in run_demo("--if-empty")
    assert _demo_rows() == rows
    assert Course.objects.count() == len(content.COURSES)


@pytest.mark.usefixtures("debug_on")
def test_if_empty_does_nothing_when_an_account_exists() -> None:
    User.objects.create_user(email="someone@example.test", password="x")
    run_demo("--if-empty")
    assert User.objects.count() == 1
    assert not Course.objects.exists()


def test_refuses_without_debug_unless_forced(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        run_demo()
    assert not User.objects.exists()

    assert "non chargée" in run_demo("--if-empty")
    assert not User.objects.exists()

    run_demo("--force")
    assert User.objects.filter(role=Role.STUDENT).count() == 20


@pytest.mark.usefixtures("debug_on")
def test_demo_has_a_live_an_upcoming_and_a_past_session_with_attendance() -> None:
    from django.utils import timezone

    from campus.live.models import ChatKind, ChatMessage, LiveSession, LiveSessionStatus

    output = run_demo()
    assert "3 sessions en direct" in output
    now = timezone.now()
    course = Course.objects.get(title=content.LIVE_COURSE.title)
    sessions = {s.title: s for s in LiveSession.objects.filter(course=course)}
    assert len(sessions) == len(content.LIVE_SESSIONS) == 3
    by_state = {spec.state: sessions[spec.title] for spec in content.LIVE_SESSIONS}

    live = by_state[content.LIVE]
    assert live.status == LiveSessionStatus.LIVE
    assert live.actual_start_at is not None and live.actual_start_at < now
    assert live.scheduled_end_at > now
    students = live.participants.filter(role="participant", is_present=True)
    assert 1 <= students.count() <= 2
    questions = ChatMessage.objects.filter(session=live, kind=ChatKind.QUESTION)
    answers = ChatMessage.objects.filter(session=live, kind=ChatKind.ANSWER)
    assert questions.exists() and answers.filter(answer_to__in=questions).exists()
    assert not answers.exclude(author=course.instructor).exists()

    upcoming = by_state[content.UPCOMING]
    assert upcoming.status == LiveSessionStatus.SCHEDULED
    assert upcoming.scheduled_start_at > now
    assert not upcoming.participants.exists()

    past = by_state[content.PAST]
    assert past.status == LiveSessionStatus.ENDED
    assert past.actual_end_at is not None and past.actual_end_at < now
    assert past.recording_url.startswith("https://")
    seconds = list(
        past.participants.filter(role="participant").values_list("attendance_seconds", flat=True)
    )
    assert len(seconds) >= 3 and all(s > 0 for s in seconds)
    assert len(set(seconds)) == len(seconds)  # different durations in the attendance table
    assert not past.participants.filter(is_present=True).exists()


@pytest.mark.usefixtures("debug_on")
def test_demo_live_sessions_are_built_once() -> None:
    from campus.live.models import LiveSession

    run_demo()
    run_demo()
    run_demo("--if-empty")
    assert LiveSession.objects.count() == len(content.LIVE_SESSIONS)


@pytest.mark.usefixtures("debug_on")
def test_demo_members_have_notices_but_no_email_is_attempted() -> None:
    from campus.notifications.models import EmailState, Kind, Notification

    run_demo()
    notices = Notification.objects.filter(user__email__endswith=f"@{content.DEMO_DOMAIN}")
    assert notices.filter(kind=Kind.SESSION_SCHEDULED).exists()
    assert notices.filter(kind=Kind.SESSION_STARTED).exists()
    assert not notices.filter(email_state=EmailState.PENDING).exists()


# --- Forum, reviews, certificates (issue 12) ---------------------------------------------


def _student(index: int) -> User:
    from campus.courses.management.commands.demo import demo_email

    return User.objects.get(email=demo_email(content.STUDENTS[index]))


def _all_replies(specs: Any) -> list[Any]:
    found = []
    for spec in specs:
        found.append(spec)
        found += _all_replies(spec.replies)
    return found


@pytest.mark.usefixtures("debug_on")
def test_demo_forum_has_threads_votes_a_solution_and_a_waiting_question() -> None:
    from django.db.models import F, Max, Q
    from django.utils import timezone

    from campus.forum.models import Reply, Topic, Vote, VoteValue
    from campus.notifications.models import Kind, Notification

    output = run_demo()
    now = timezone.now()
    topic_count = sum(len(topics) for _course, topics in content.FORUMS)
    reply_count = sum(len(_all_replies(t.replies)) for _c, topics in content.FORUMS for t in topics)
    assert f"{topic_count} sujets de forum ({reply_count} réponses)" in output

    python = Course.objects.get(title=content.PYTHON.title)
    agile = Course.objects.get(title=content.AGILE.title)
    assert Topic.objects.filter(forum__course=python).count() >= 4
    assert Topic.objects.filter(forum__course=agile).count() >= 1
    topics = Topic.objects.select_related("forum__course")
    assert {t.author_id for t in topics.filter(forum__course=python)} >= {
        python.instructor_id,
        _student(2).pk,
        _student(4).pk,
    }

    # A pinned announcement by the instructor.
    pinned = topics.get(is_pinned=True)
    assert pinned.forum.course == python and pinned.author == python.instructor

    # Markdown: inline code and fenced Python blocks, in topics and replies.
    assert topics.filter(content__contains="```python\n").count() >= 2
    assert Reply.objects.filter(content__contains="```python\n").exists()
    assert Reply.objects.filter(content__regex=r"`[^`\n]+`").exists()

    # Nested replies: a reply to a reply to a reply, always in its parent's topic and
    # posted after it; the whole thread in the past.
    assert Reply.objects.filter(parent__parent__isnull=False).exists()
    for reply in Reply.objects.select_related("parent", "topic"):
        assert reply.topic.created_at < reply.created_at < now
        if reply.parent is not None:
            assert reply.parent.topic_id == reply.topic_id
            assert reply.parent.created_at < reply.created_at

    # Exactly one accepted solution, an answer of its own topic by someone else.
    solved = topics.filter(solution__isnull=False)
    assert solved.count() == 1
    solved_topic = solved.get()
    solution = solved_topic.solution
    assert solution is not None and solution.topic_id == solved_topic.pk
    assert solution.author_id != solved_topic.author_id

    # A question still waiting for its first answer (the instructor's dashboard shows it).
    waiting = topics.filter(reply_count=0, is_pinned=False)
    assert waiting.count() == 1
    assert waiting.get().author.role == Role.STUDENT
    assert not Reply.objects.filter(topic=waiting.get()).exists()

    # Counters equal the rows they count.
    for topic in topics:
        replies = Reply.objects.filter(topic=topic, is_deleted=False, is_hidden=False)
        assert topic.reply_count == replies.count()
        assert topic.last_reply_at == replies.aggregate(last=Max("created_at"))["last"]
        assert topic.view_count > 0
    for reply in Reply.objects.all():
        assert reply.upvotes == reply.votes.filter(value=VoteValue.UP).count()
        assert reply.downvotes == reply.votes.filter(value=VoteValue.DOWN).count()
    assert Reply.objects.filter(upvotes__gte=3).exists()
    assert Reply.objects.filter(downvotes__gte=1).exists()
    assert not Vote.objects.filter(user=F("reply__author")).exists()  # not on one's own

    # Koffi keeps a quiet inbox: no post, no vote, no forum notice.
    koffi = _student(0)
    assert not topics.filter(author=koffi).exists()
    assert not Reply.objects.filter(author=koffi).exists()
    assert not Vote.objects.filter(user=koffi).exists()
    forum_kinds = Q(kind__in=[Kind.FORUM_REPLY, Kind.FORUM_ACTIVITY, Kind.FORUM_SOLUTION])
    assert not Notification.objects.filter(forum_kinds, user=koffi).exists()
    # The others were told about the answers to their posts and the accepted solution.
    assert Notification.objects.filter(user=solution.author, kind=Kind.FORUM_SOLUTION).exists()
    assert Notification.objects.filter(user=solved_topic.author, kind=Kind.FORUM_REPLY).exists()


@pytest.mark.usefixtures("debug_on")
def test_demo_reviews_are_approved_or_pending_and_the_stats_follow(client: Any) -> None:
    from decimal import Decimal

    from campus.certificates.models import Certificate
    from campus.certificates.selectors import certificate_by_code
    from campus.ratings.models import CourseRating, RatingStatus

    output = run_demo()
    specs = [spec for _course, reviews in content.REVIEWS for spec in reviews]
    approved_specs = [spec for spec in specs if spec.approved]
    assert f"{len(specs)} avis ({len(approved_specs)} publiés, 1 en attente)" in output

    reviews = CourseRating.objects.select_related("course", "enrollment")
    assert reviews.count() == len(specs)
    assert reviews.filter(status=RatingStatus.PENDING).count() == 1
    approved = reviews.filter(status=RatingStatus.APPROVED)
    assert approved.count() == len(approved_specs) >= 4
    assert len({review.rating for review in approved}) >= 3  # varied stars
    for review in reviews:
        assert review.enrollment.status == EnrollmentStatus.COMPLETED
        assert review.enrollment.user_id == review.user_id
        assert review.comment
    for review in approved:
        assert review.moderated_by_id == review.course.instructor_id

    # Each course's statistics are those of its approved reviews (the pending one aside).
    for course_spec, course_reviews in content.REVIEWS:
        course = Course.objects.get(title=course_spec.title)
        stars = [spec.stars for spec in course_reviews if spec.approved]
        assert course.rating_count == len(stars)
        assert course.rating_average == (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.01"))
        assert sum(course.rating_distribution.values()) == len(stars)

    # Certificates: issued to students who completed and rated the course; verifiable.
    certificates = Certificate.objects.select_related("user", "course")
    assert certificates.count() == sum(spec.certificate for spec in specs) >= 1
    for certificate in certificates:
        assert approved.filter(user=certificate.user, course=certificate.course).exists()
        assert certificate.revoked_at is None
        assert certificate_by_code(code=certificate.code) == certificate
        page = client.get(f"/certificates/verify/{certificate.code}")
        assert page.status_code == 200
        assert certificate.holder_name in page.content.decode()
    assert certificates.filter(user=_student(1), course__title=content.PYTHON.title).exists()


@pytest.mark.usefixtures("debug_on")
def test_demo_keeps_koffi_ready_to_rate_and_to_join_tomorrows_class() -> None:
    """Other tests (and a first visit) walk Koffi through rating a completed course and
    getting its certificate, and through adding tomorrow's class to his calendar."""
    import zoneinfo
    from datetime import timedelta

    from django.conf import settings as django_settings
    from django.utils import timezone

    from campus.certificates.models import Certificate
    from campus.live.models import LiveSession, LiveSessionStatus
    from campus.ratings.models import CourseRating
    from campus.ratings.selectors import can_rate

    run_demo()
    koffi = _student(0)
    for spec in (content.PYTHON, content.AGILE):
        enrollment = Enrollment.objects.get(user=koffi, course__title=spec.title)
        assert enrollment.status == EnrollmentStatus.COMPLETED
        assert enrollment.is_active
        assert can_rate(user=koffi, enrollment=enrollment) == (True, "ok")
    assert not CourseRating.objects.filter(user=koffi).exists()
    assert not Certificate.objects.filter(user=koffi).exists()

    home = zoneinfo.ZoneInfo(django_settings.DEFAULT_USER_TIME_ZONE)
    tomorrow = timezone.localdate(timezone.now(), home) + timedelta(days=1)
    upcoming = LiveSession.objects.get(
        course__title=content.PYTHON.title, status=LiveSessionStatus.SCHEDULED
    )
    start = upcoming.scheduled_start_at.astimezone(home)
    assert (start.date(), start.hour, start.minute) == (tomorrow, 18, 0)


@pytest.mark.usefixtures("debug_on")
def test_demo_builds_under_post_moderation_and_required_ratings(settings: Any) -> None:
    from campus.certificates.models import Certificate
    from campus.ratings.models import CourseRating, RatingStatus

    settings.RATINGS_MODERATION = "post"
    settings.CERTIFICATE_REQUIRES_RATING = "required"
    run_demo()
    # Post-moderation shows every review at once, the "pending" one too.
    assert not CourseRating.objects.exclude(status=RatingStatus.APPROVED).exists()
    assert Certificate.objects.exists()


def test_demo_threads_are_in_the_past_whatever_the_hour() -> None:
    """Each topic and its whole thread fall on one past day: the demo built at any hour
    (even just after midnight) has no post from the future."""
    for _course, topics in content.FORUMS:
        for topic in topics:
            assert topic.day < 0
            last = max((reply.minutes for reply in _all_replies(topic.replies)), default=0)
            hour, minute = topic.at
            assert hour * 60 + minute + last < 24 * 60, topic.title
            for reply in _all_replies(topic.replies):
                assert all(child.minutes > reply.minutes for child in reply.replies)
