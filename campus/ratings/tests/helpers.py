"""Test helpers: a student who completed a course through the real services."""

from typing import Any

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment, EnrollmentStatus, Lesson, Quiz


def complete(user: User, course: Course) -> Enrollment:
    """Enroll (if needed), complete every lesson and pass the final evaluation."""
    if not Enrollment.objects.filter(user=user, course=course).exists():
        course_services.enrollment_create(actor=user, course=course)
    for lesson in Lesson.objects.filter(course=course).order_by("id"):
        course_services.lesson_complete(actor=user, lesson=lesson)
    final = Quiz.objects.filter(final_for=course).first()
    if final is not None:
        answers = {str(q.pk): list(q.correct_choices) for q in final.questions.all()}
        course_services.quiz_submit(actor=user, quiz=final, answers=answers)
    enrollment = Enrollment.objects.select_related("course").get(user=user, course=course)
    assert enrollment.status == EnrollmentStatus.COMPLETED
    return enrollment


def graduate(user_factory: Any, course: Course, **fields: Any) -> tuple[User, Enrollment]:
    user = user_factory(Role.STUDENT, **fields)
    return user, complete(user, course)


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rating": 4,
        "comment": "Très clair.",
        "pros": "Les exemples",
        "cons": "Un peu court",
        "would_recommend": True,
        "is_anonymous": False,
    }
    data.update(overrides)
    return data
