"""Completed enrollments through the real services (no status written by hand)."""

from typing import Any

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment, EnrollmentStatus
from conftest import build_course


def short_course(owner: User, title: str = "Gestion de projet agile", **fields: Any) -> Course:
    """One module with one lesson and no final: completing the lesson completes it."""
    return build_course(
        owner, title=title, modules=1, lessons_per_module=1, with_final=False, **fields
    )


def complete(user: User, course: Course) -> Enrollment:
    """Enroll `user` (if needed) and complete every lesson of `course`."""
    if not Enrollment.objects.filter(user=user, course=course, is_active=True).exists():
        course_services.enrollment_create(actor=user, course=course)
    enrollment = Enrollment.objects.get(user=user, course=course)
    for lesson in course.lessons.all():
        course_services.lesson_complete(actor=user, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    return enrollment


def rate(user: User, enrollment: Enrollment, stars: int = 5) -> Any:
    from campus.ratings import services as rating_services

    return rating_services.rating_create(actor=user, enrollment=enrollment, rating=stars)
