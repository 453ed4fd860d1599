"""Shape already-loaded objects for output (shared by the API and the pages). No queries
beyond the ones named here, each constant per call."""

from typing import Any

from campus.accounts.models import User
from campus.courses import selectors
from campus.courses.access import is_owner_or_admin
from campus.courses.models import Course, Enrollment, Lesson, Quiz


def course_summary(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "slug": course.slug,
        "title": course.title,
        "description": course.description,
        "status": course.status,
        "course_type": course.course_type,
        "max_students": course.max_students,
        "enrolled_count": getattr(course, "enrolled_count", 0),
        "enrollment_deadline": course.enrollment_deadline,
        "course_start_date": course.course_start_date,
        "course_end_date": course.course_end_date,
        "instructor": {
            "id": course.instructor.pk,
            "full_name": course.instructor.full_name,
            "first_name": course.instructor.first_name,
            "last_name": course.instructor.last_name,
        },
        # Kept on the course row by campus.ratings (approved reviews only): no query here.
        "average_rating": course.average_rating,
        "rating_count": course.rating_count,
    }


def enrollment_row(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "id": enrollment.pk,
        "course_id": enrollment.course_id,
        "status": enrollment.status,
        "is_active": enrollment.is_active,
        "progress_percentage": enrollment.progress_percentage,
        "enrolled_at": enrollment.enrolled_at,
        "completed_at": enrollment.completed_at,
    }


def my_enrollment(enrollment: Enrollment) -> dict[str, Any]:
    """An enrollment from `selectors.enrollments_page`, with its course summary."""
    return {**enrollment_row(enrollment), "course": course_summary(enrollment.course)}


def quiz_summary(quiz: Quiz | None) -> dict[str, Any] | None:
    if quiz is None:
        return None
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "passing_score": quiz.passing_score,
        "max_attempts": quiz.max_attempts,
        "due_at": quiz.due_at,
        "is_final": quiz.is_final,
    }


def _optional_quiz(obj: Any, attr: str) -> Quiz | None:
    try:
        return getattr(obj, attr)
    except Quiz.DoesNotExist:
        return None


def course_detail(course: Course, *, user: Any) -> dict[str, Any]:
    """Course + outline. The outline (modules, lessons, quizzes) only for those with
    access to content: active members, the owner and admins."""
    enrollment = (
        selectors.active_enrollment(user=user, course=course) if user.is_authenticated else None
    )
    privileged = is_owner_or_admin(user, course)
    data = course_summary(course)
    data.update(is_member=enrollment is not None, can_manage=privileged, enrollment=enrollment)
    if enrollment is None and not privileged:
        data.update(modules=None, final_quiz=None)
        return data
    done = selectors.completed_lesson_ids(enrollment=enrollment)
    data["modules"] = [
        {
            "id": module.pk,
            "title": module.title,
            "description": module.description,
            "position": module.position,
            "lessons": [lesson_row(lesson, done) for lesson in module.lessons.all()],
            "quiz": quiz_summary(_optional_quiz(module, "quiz")),
        }
        for module in course.modules.all()
    ]
    data["final_quiz"] = quiz_summary(_optional_quiz(course, "final_quiz"))
    return data


def lesson_row(lesson: Lesson, done: set[int]) -> dict[str, Any]:
    return {
        "id": lesson.pk,
        "title": lesson.title,
        "content_type": lesson.content_type,
        "duration_minutes": lesson.duration_minutes,
        "is_required": lesson.is_required,
        "position": lesson.position,
        "is_completed": lesson.pk in done,
    }


def lesson_detail(lesson: Lesson, *, user: User) -> dict[str, Any]:
    enrollment = selectors.active_enrollment(user=user, course=lesson.course)
    done = selectors.completed_lesson_ids(enrollment=enrollment)
    return {
        **lesson_row(lesson, done),
        "module_id": lesson.module_id,
        "course_id": lesson.course_id,
        "body": lesson.body,
        "video_url": lesson.video_url,
    }


def quiz_for_taker(quiz: Quiz, *, user: User) -> dict[str, Any]:
    enrollment = selectors.active_enrollment(user=user, course=quiz.course)
    used = selectors.attempts_for(enrollment=enrollment, quiz=quiz).count() if enrollment else 0
    return {
        **(quiz_summary(quiz) or {}),
        "course_id": quiz.course_id,
        "attempts_used": used,
        "questions": [
            {"id": q.pk, "text": q.text, "choices": q.choices, "points": q.points}
            for q in quiz.questions.all()
        ],
    }
