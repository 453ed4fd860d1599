"""One big class of fresh students, for the scenarios that need one (bench.scale_out,
bench.live_class): a published live course taught by a bench instructor, N new students
(`<prefix>00000@bench.campus.local`, …) enrolled in it, and the removal of all of it,
children first (also a crashed run's leftovers)."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet
from django.utils import timezone

from bench.data import BENCH_DOMAIN, bench_users
from campus.accounts.models import ApiToken, Language, Role, User
from campus.courses.models import Course, CourseStatus, CourseType, Enrollment, EnrollmentStatus
from campus.live.models import AttendanceInterval, ChatMessage, LiveSession, Participant
from campus.notifications.models import Notification


@dataclass(frozen=True)
class Classroom:
    course: Course
    instructor: User
    students: list[User]  # in email order


def class_students(email_prefix: str) -> QuerySet[User]:
    return User.objects.filter(
        email__startswith=email_prefix, email__endswith=f"@{BENCH_DOMAIN}"
    ).order_by("email")


def create_class(*, slug: str, title: str, email_prefix: str, students: int) -> Classroom:
    instructor = bench_users().filter(role=Role.INSTRUCTOR).order_by("email").first()
    if instructor is None:
        raise SystemExit("no bench instructor: run `campus bench-data` first")
    now = timezone.now()
    course = Course.objects.create(
        slug=slug,
        title=title,
        description="Cours de bench (issue 17).",
        instructor=instructor,
        status=CourseStatus.PUBLISHED,
        course_type=CourseType.LIVE,
        published_at=now,
    )
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=f"{email_prefix}{i:05d}@{BENCH_DOMAIN}",
                password=unusable,
                first_name="Étudiant",
                last_name=f"{i:05d}",
                role=Role.STUDENT,
                language=Language.FR,
                date_joined=now,
            )
            for i in range(students)
        ],
        batch_size=1_000,
    )
    enrolled = list(class_students(email_prefix))
    Enrollment.objects.bulk_create(
        [
            Enrollment(user=u, course=course, status=EnrollmentStatus.ENROLLED, enrolled_at=now)
            for u in enrolled
        ],
        batch_size=1_000,
    )
    return Classroom(course, instructor, enrolled)


def remove_class(*, slug: str, email_prefix: str) -> None:
    """The class's course, sessions and what they hold, its students and their rows."""
    users = class_students(email_prefix)
    sessions = LiveSession.objects.filter(course__slug=slug)
    Notification.objects.filter(
        subject_type="live_session", subject_id__in=sessions.values("pk")
    ).delete()
    Notification.objects.filter(user__in=users).delete()
    # Answers first: they point at their question.
    ChatMessage.objects.filter(session__in=sessions, answer_to__isnull=False).delete()
    ChatMessage.objects.filter(session__in=sessions).delete()
    AttendanceInterval.objects.filter(participant__session__in=sessions).delete()
    Participant.objects.filter(session__in=sessions).delete()
    sessions.delete()
    ApiToken.objects.filter(user__in=users).delete()
    Enrollment.objects.filter(course__slug=slug).delete()
    Enrollment.objects.filter(user__in=users).delete()
    Course.objects.filter(slug=slug).delete()
    users.delete()
