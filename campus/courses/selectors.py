"""Every non-trivial read of courses, with the joins and counts it needs."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campus.accounts.models import User
from campus.courses.models import (
    Course,
    CourseStatus,
    Enrollment,
    Lesson,
    LessonCompletion,
    Module,
    Question,
    Quiz,
    QuizAttempt,
)


def _active_enrollment_count() -> Coalesce:
    counts = (
        Enrollment.objects.filter(course=OuterRef("pk"), is_active=True)
        .order_by()
        .values("course")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts), Value(0))


def catalogue(*, search: str = "", course_type: str | None = None) -> QuerySet[Course]:
    queryset = (
        Course.objects.filter(status=CourseStatus.PUBLISHED)
        .select_related("instructor")
        .annotate(enrolled_count=_active_enrollment_count())
        .order_by("-published_at", "-id")
    )
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if course_type:
        queryset = queryset.filter(course_type=course_type)
    return queryset


def courses_taught_by(*, user: User) -> QuerySet[Course]:
    queryset = Course.objects.select_related("instructor").annotate(
        enrolled_count=_active_enrollment_count()
    )
    if not user.is_admin:
        queryset = queryset.filter(instructor=user)
    return queryset.order_by("-created_at", "-id")


def course_with_outline(*, course_id: int) -> Course | None:
    """The course with its modules, lessons and quizzes: a fixed number of queries."""
    return (
        Course.objects.select_related("instructor")
        .annotate(enrolled_count=_active_enrollment_count())
        .prefetch_related(
            Prefetch("modules", queryset=Module.objects.order_by("position", "id")),
            Prefetch("modules__lessons", queryset=Lesson.objects.order_by("position", "id")),
            Prefetch("modules__quiz", queryset=Quiz.objects.all()),
        )
        .select_related("final_quiz")
        .filter(pk=course_id)
        .first()
    )


def active_enrollment(*, user: User, course: Course) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course, is_active=True).first()


def enrollments_for_user(*, user: User, include_inactive: bool = False) -> QuerySet[Enrollment]:
    queryset = Enrollment.objects.filter(user=user).select_related("course", "course__instructor")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("-enrolled_at", "-id")


def completed_lesson_ids(*, enrollment: Enrollment | None) -> set[int]:
    if enrollment is None:
        return set()
    return set(
        LessonCompletion.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)
    )


def quiz_with_questions(*, quiz_id: int) -> Quiz | None:
    return (
        Quiz.objects.select_related("course", "module")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("position", "id")))
        .filter(pk=quiz_id)
        .first()
    )


def attempts_for(*, enrollment: Enrollment, quiz: Quiz) -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(enrollment=enrollment, quiz=quiz).order_by("-attempt_number")


def progress_counts(*, enrollment: Enrollment) -> tuple[int, int, bool, bool]:
    """(required lessons, required lessons done, has final evaluation, final passed)."""
    course_id = enrollment.course_id
    lesson_counts = Lesson.objects.filter(course_id=course_id, is_required=True).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(completions__enrollment=enrollment)),
    )
    final = Quiz.objects.filter(final_for_id=course_id).only("id").first()
    final_passed = bool(
        final and QuizAttempt.objects.filter(enrollment=enrollment, quiz=final, passed=True).exists()
    )
    return lesson_counts["total"], lesson_counts["done"], final is not None, final_passed
