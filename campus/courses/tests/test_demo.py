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
    assert enrollments.count() == 30
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


@pytest.mark.usefixtures("debug_on")
def test_demo_runs_once() -> None:
    run_demo()
    users = User.objects.count()

    assert "existe déjà" in run_demo()
    assert "déjà des comptes" in run_demo("--if-empty")
    assert User.objects.count() == users
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
