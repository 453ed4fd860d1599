"""`campus bench-data`: counts, determinism, reset and refusal (tiny size only; the
benchmarks themselves are not tests)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench import data
from campus.accounts.models import Role, User
from campus.courses.models import (
    Course,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonCompletion,
    Quiz,
    QuizAttempt,
)

pytestmark = pytest.mark.django_db

XS = data.SIZES["xs"]


def bench_data(*args: str) -> str:
    out = StringIO()
    call_command("bench-data", "--size", "xs", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    """What must not change between two runs (ids and timestamps may)."""
    return {
        "users": list(
            User.objects.order_by("email").values_list("email", "first_name", "last_name", "role")
        ),
        "courses": list(Course.objects.order_by("slug").values_list("slug", "title", "status")),
        "enrollments": list(
            Enrollment.objects.order_by("user__email", "course__slug").values_list(
                "user__email", "course__slug", "status", "progress_percentage", "is_active"
            )
        ),
        "completions": [LessonCompletion.objects.count()],
    }


def test_xs_counts() -> None:
    output = bench_data()

    assert "done in" in output
    assert User.objects.filter(role=Role.STUDENT).count() == XS.students
    assert User.objects.filter(role=Role.INSTRUCTOR).count() == XS.instructors
    assert Course.objects.count() == XS.courses
    assert Lesson.objects.count() == XS.courses * XS.modules_per_course * XS.lessons_per_module
    assert Quiz.objects.filter(final_for__isnull=False).count() == XS.courses
    enrollments = Enrollment.objects.count()
    assert XS.enrollments * 0.7 <= enrollments <= XS.enrollments * 1.3
    completed = Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
    assert completed.exists()
    assert QuizAttempt.objects.filter(passed=True).count() == completed.count()
    assert (
        not Enrollment.objects.filter(user__role=Role.STUDENT)
        .exclude(user__email__endswith=f"@{data.BENCH_DOMAIN}")
        .exists()
    )


def test_two_runs_give_the_same_data() -> None:
    bench_data()
    first = snapshot()

    bench_data("--reset")

    assert snapshot() == first
    assert User.objects.filter(role=Role.STUDENT).count() == XS.students  # replaced, not added


def test_refuses_existing_bench_data_without_reset() -> None:
    bench_data()
    with pytest.raises(CommandError, match="--reset"):
        bench_data()


def test_refuses_a_database_with_other_data() -> None:
    User.objects.create_user(email="real.person@example.test", password="x")
    with pytest.raises(CommandError, match="non-bench"):
        bench_data()
    assert not data.has_bench_data()

    bench_data("--force")  # and --reset keeps the other data
    bench_data("--force", "--reset")
    assert User.objects.filter(email="real.person@example.test").exists()
    assert User.objects.filter(role=Role.STUDENT).count() == XS.students + 1
