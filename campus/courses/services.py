"""Every write about courses: authoring, enrollment (atomic capacity), progress, quizzes."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import Role, User
from campus.agenda import services as agenda_services
from campus.agenda import tasks as agenda_tasks
from campus.core import dates
from campus.core.errors import Conflict, Forbidden, NotFound
from campus.core.validation import check_max_length, clean_title, field_error
from campus.courses import selectors
from campus.courses.access import authorize_course
from campus.courses.models import (
    DESCRIPTION_MAX,
    Course,
    CourseStatus,
    CourseType,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonCompletion,
    LessonContentType,
    LessonTime,
    Module,
    Question,
    Quiz,
    QuizAttempt,
)
from campus.forum import services as forum_services

HUNDRED = Decimal("100")


# --- Authoring ----------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "cours"
    slug, n = base, 2
    while Course.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_course_fields(
    *, max_students: int | None, start: date | None, end: date | None, course_type: str
) -> None:
    if max_students is not None and not 1 <= max_students <= 100_000:
        raise field_error(
            "max_students", _("Entre 1 et 100 000 places."), "max_students_out_of_range"
        )
    if start and end and end < start:
        raise field_error(
            "course_end_date", _("La fin du cours doit suivre son début."), "end_before_start"
        )
    if course_type not in CourseType.values:
        raise field_error("course_type", _("Type de cours inconnu."), "invalid_course_type")


COURSE_DATES = ("enrollment_deadline", "course_start_date", "course_end_date")


def _check_dates(**values: date | datetime | None) -> None:
    for field, value in values.items():
        dates.check_in_range(field, value)


def course_days_in_zone(*, instructor: User, **values: Any) -> dict[str, Any]:
    """`values` with each course day (`course_start_date`, `course_end_date`) given as an
    aware instant turned into the day it is in the instructor's time zone; dates and
    everything else unchanged. (A client that sends the start of a day in its own zone,
    "2027-01-10T00:00:00+01:00", means 10 January; in UTC that is still 9 January.)"""
    zone = ZoneInfo(instructor.timezone)
    return {
        field: value.astimezone(zone).date()
        if field in ("course_start_date", "course_end_date") and isinstance(value, datetime)
        else value
        for field, value in values.items()
    }


@transaction.atomic
def course_create(
    *,
    actor: User,
    title: str,
    description: str = "",
    course_type: str = CourseType.ON_DEMAND,
    max_students: int | None = None,
    enrollment_deadline: datetime | None = None,
    course_start_date: date | None = None,
    course_end_date: date | None = None,
    instructor: User | None = None,
) -> Course:
    if actor.role not in (Role.INSTRUCTOR, Role.ADMIN) and not actor.is_admin:
        raise Forbidden(_("La création de cours est réservée aux responsables de cours."))
    if instructor is not None and instructor != actor and not actor.is_admin:
        raise Forbidden(
            _("Seule l'administration peut créer un cours au nom d'une autre personne.")
        )
    if instructor is not None and not (instructor.is_instructor or instructor.is_admin):
        raise field_error(
            "instructor", _("Ce compte n'a pas le rôle de responsable de cours."), "not_instructor"
        )
    cleaned_title = clean_title(title)
    _check_dates(
        enrollment_deadline=enrollment_deadline,
        course_start_date=course_start_date,
        course_end_date=course_end_date,
    )
    _check_course_fields(
        max_students=max_students,
        start=course_start_date,
        end=course_end_date,
        course_type=course_type,
    )
    check_max_length("description", description, DESCRIPTION_MAX)
    fields = {
        "title": cleaned_title,
        "description": description,
        "instructor": instructor or actor,
        "course_type": course_type,
        "max_students": max_students,
        "enrollment_deadline": enrollment_deadline,
        "course_start_date": course_start_date,
        "course_end_date": course_end_date,
    }
    # Two courses created at once with the same title can compute the same free slug:
    # the unique index refuses the second, which then takes a suffixed one.
    for attempt in range(5):
        slug = _unique_slug(cleaned_title)
        if attempt:
            slug = f"{slug[:200]}-{get_random_string(6, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
        try:
            with transaction.atomic():
                course = Course.objects.create(slug=slug, **fields)
                forum_services.forum_ensure(course=course)  # every course has its forum
                return course
        except IntegrityError:
            if not Course.objects.filter(slug=slug).exists():
                raise
    raise Conflict(_("Réessayez dans un instant."), code="slug_conflict")


COURSE_EDITABLE = {
    "title",
    "description",
    "course_type",
    "max_students",
    "enrollment_deadline",
    "course_start_date",
    "course_end_date",
}


@transaction.atomic
def course_update(*, actor: User, course: Course, **changes: Any) -> Course:
    authorize_course(actor, course, "manage")
    unknown = set(changes) - COURSE_EDITABLE
    if unknown:
        raise field_error(sorted(unknown)[0], _("Ce champ n'est pas modifiable."), "not_editable")
    _check_dates(**{k: v for k, v in changes.items() if k in COURSE_DATES})
    for field, value in changes.items():
        setattr(course, field, clean_title(value) if field == "title" else value)
    check_max_length("description", course.description, DESCRIPTION_MAX)
    _check_course_fields(
        max_students=course.max_students,
        start=course.course_start_date,
        end=course.course_end_date,
        course_type=course.course_type,
    )
    course.save()
    return course


@transaction.atomic
def course_set_published(*, actor: User, course: Course, published: bool) -> Course:
    authorize_course(actor, course, "manage")
    if published and not course.is_published:
        course.status = CourseStatus.PUBLISHED
        course.published_at = course.published_at or timezone.now()
    elif not published:
        course.status = CourseStatus.DRAFT
    course.save(update_fields=["status", "published_at", "updated_at"])
    return course


def _next_position(queryset: Any) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def module_create(*, actor: User, course: Course, title: str, description: str = "") -> Module:
    authorize_course(actor, course, "manage")
    return Module.objects.create(
        course=course,
        title=clean_title(title),
        description=description,
        position=_next_position(course.modules.all()),
    )


@transaction.atomic
def module_update(*, actor: User, module: Module, title: str, description: str = "") -> Module:
    authorize_course(actor, module.course, "manage")
    module.title, module.description = clean_title(title), description
    module.save(update_fields=["title", "description"])
    return module


@transaction.atomic
def module_delete(*, actor: User, module: Module) -> None:
    authorize_course(actor, module.course, "manage")
    module.delete()


def _check_lesson(content_type: str, video_url: str, duration_minutes: int) -> None:
    if content_type not in LessonContentType.values:
        raise field_error("content_type", _("Type de contenu inconnu."), "invalid_content_type")
    if content_type == LessonContentType.VIDEO and not video_url:
        raise field_error(
            "video_url", _("Une leçon vidéo a besoin d'un lien."), "video_url_required"
        )
    if not 1 <= duration_minutes <= 24 * 60:
        raise field_error(
            "duration_minutes", _("Entre 1 et 1440 minutes."), "duration_out_of_range"
        )


@transaction.atomic
def lesson_create(
    *,
    actor: User,
    module: Module,
    title: str,
    content_type: str = LessonContentType.TEXT,
    body: str = "",
    video_url: str = "",
    duration_minutes: int = 10,
    is_required: bool = True,
) -> Lesson:
    authorize_course(actor, module.course, "manage")
    _check_lesson(content_type, video_url, duration_minutes)
    return Lesson.objects.create(
        module=module,
        course_id=module.course_id,
        title=clean_title(title),
        content_type=content_type,
        body=body,
        video_url=video_url,
        duration_minutes=duration_minutes,
        is_required=is_required,
        position=_next_position(module.lessons.all()),
    )


@transaction.atomic
def lesson_update(*, actor: User, lesson: Lesson, **changes: Any) -> Lesson:
    authorize_course(actor, lesson.course, "manage")
    allowed = {"title", "content_type", "body", "video_url", "duration_minutes", "is_required"}
    for field, value in changes.items():
        if field not in allowed:
            raise field_error(field, _("Ce champ n'est pas modifiable."), "not_editable")
        setattr(lesson, field, value)
    _check_lesson(lesson.content_type, lesson.video_url, lesson.duration_minutes)
    lesson.save()
    return lesson


@transaction.atomic
def lesson_delete(*, actor: User, lesson: Lesson) -> None:
    authorize_course(actor, lesson.course, "manage")
    lesson.delete()


def _check_quiz(passing_score: int, max_attempts: int | None) -> None:
    if not 0 <= passing_score <= 100:
        raise field_error("passing_score", _("Entre 0 et 100 %."), "passing_score_out_of_range")
    if max_attempts is not None and not 1 <= max_attempts <= 100:
        raise field_error(
            "max_attempts", _("Entre 1 et 100 tentatives."), "max_attempts_out_of_range"
        )


@transaction.atomic
def quiz_create(
    *,
    actor: User,
    course: Course,
    title: str,
    module: Module | None = None,
    passing_score: int = 50,
    max_attempts: int | None = None,
    due_at: datetime | None = None,
) -> Quiz:
    """A module's quiz (module given) or the course's final evaluation (no module)."""
    authorize_course(actor, course, "manage")
    _check_quiz(passing_score, max_attempts)
    dates.check_in_range("due_at", due_at)
    if module is not None and module.course_id != course.pk:
        raise field_error(
            "module", _("Ce module n'appartient pas à ce cours."), "module_not_in_course"
        )
    if module is not None and Quiz.objects.filter(module=module).exists():
        raise Conflict(_("Ce module a déjà un quiz."), code="module_has_quiz")
    if module is None and Quiz.objects.filter(final_for=course).exists():
        raise Conflict(_("Ce cours a déjà une évaluation finale."), code="course_has_final")
    try:
        with transaction.atomic():
            return Quiz.objects.create(
                course=course,
                module=module,
                final_for=None if module else course,
                title=clean_title(title),
                passing_score=passing_score,
                max_attempts=max_attempts,
                due_at=due_at,
            )
    except IntegrityError as exc:
        raise Conflict(_("Ce quiz existe déjà."), code="quiz_exists") from exc


@transaction.atomic
def quiz_update(*, actor: User, quiz: Quiz, **changes: Any) -> Quiz:
    authorize_course(actor, quiz.course, "manage")
    allowed = {"title", "passing_score", "max_attempts", "due_at"}
    for field, value in changes.items():
        if field not in allowed:
            raise field_error(field, _("Ce champ n'est pas modifiable."), "not_editable")
        setattr(quiz, field, value)
    dates.check_in_range("due_at", changes.get("due_at"))
    _check_quiz(quiz.passing_score, quiz.max_attempts)
    quiz.save()
    return quiz


@transaction.atomic
def quiz_delete(*, actor: User, quiz: Quiz) -> None:
    """Delete a quiz with its questions and attempts (progress already earned is kept)."""
    authorize_course(actor, quiz.course, "manage")
    quiz.delete()


@transaction.atomic
def question_create(
    *,
    actor: User,
    quiz: Quiz,
    text: str,
    choices: list[str],
    correct_choices: list[int],
    points: int = 1,
) -> Question:
    authorize_course(actor, quiz.course, "manage")
    cleaned = [c.strip() for c in choices if c and c.strip()]
    if not 2 <= len(cleaned) <= 10:
        raise field_error("choices", _("Entre 2 et 10 réponses possibles."), "choices_count")
    if not correct_choices or any(not 0 <= i < len(cleaned) for i in correct_choices):
        raise field_error(
            "correct_choices",
            _("Indiquez au moins une bonne réponse existante."),
            "invalid_correct",
        )
    if not 1 <= points <= 100:
        raise field_error("points", _("Entre 1 et 100 points."), "points_out_of_range")
    return Question.objects.create(
        quiz=quiz,
        text=text.strip(),
        choices=cleaned,
        correct_choices=sorted(set(correct_choices)),
        points=points,
        position=_next_position(quiz.questions.all()),
    )


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    authorize_course(actor, question.quiz.course, "manage")
    question.delete()


# --- Enrollment -----------------------------------------------------------------------


@transaction.atomic
def enrollment_create(*, actor: User, course: Course) -> Enrollment:
    """Enroll atomically: the course row is locked while capacity is counted, so under
    any concurrency never more than `max_students` active enrollments exist."""
    if not actor.is_authenticated:
        raise Forbidden()
    # Lock the course: concurrent enrollments into it queue here (row lock on
    # PostgreSQL/MariaDB; SQLite's IMMEDIATE transactions serialize writers).
    locked = Course.objects.select_for_update().get(pk=course.pk)
    if not locked.is_published:
        raise Conflict(
            _("Ce cours n'est pas ouvert aux inscriptions."), code="course_not_published"
        )
    if locked.instructor_id == actor.pk:
        raise Conflict(_("Vous êtes responsable de ce cours."), code="owner_cannot_enroll")
    existing = Enrollment.objects.filter(user=actor, course=locked).first()
    if existing is not None and existing.is_active:
        raise Conflict(_("Vous suivez déjà ce cours."), code="already_enrolled")
    now = timezone.now()
    if locked.enrollment_deadline and now > locked.enrollment_deadline:
        raise Conflict(
            _("La date limite d'inscription est passée."),
            code="enrollment_closed",
            details={"enrollment_deadline": locked.enrollment_deadline.isoformat()},
        )
    if locked.max_students is not None:
        taken = Enrollment.objects.filter(course=locked, is_active=True).count()
        if taken >= locked.max_students:
            raise Conflict(
                _("Ce cours est complet."),
                code="course_full",
                details={"max_students": locked.max_students},
            )
    if existing is not None:  # coming back: progress is kept
        existing.is_active = True
        existing.unenrolled_at = None
        existing.save(update_fields=["is_active", "unenrolled_at"])
        enrollment = existing
    else:
        enrollment = Enrollment.objects.create(user=actor, course=locked, enrolled_at=now)
    # The study plan follows the enrollment; failing to plan never fails enrolling.
    transaction.on_commit(partial(agenda_tasks.generate_plan.delay, enrollment.pk), robust=True)
    return enrollment


@transaction.atomic
def enrollment_deactivate(*, actor: User, course: Course) -> Enrollment:
    """Unenroll: access ends at once (every access check reads `is_active`)."""
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user=actor, course=course, is_active=True)
        .first()
    )
    if enrollment is None:
        raise Conflict(_("Vous ne suivez pas ce cours."), code="not_enrolled")
    enrollment.is_active = False
    enrollment.unenrolled_at = timezone.now()
    enrollment.save(update_fields=["is_active", "unenrolled_at"])
    return enrollment


def _require_active_enrollment(actor: User, course: Course) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user=actor, course=course, is_active=True)
        .first()
    )
    if enrollment is None:
        raise Forbidden(_("Inscrivez-vous à ce cours pour suivre ses leçons."), code="not_enrolled")
    return enrollment


def enrollment_recompute_progress(*, enrollment: Enrollment) -> Enrollment:
    """Progress = required lessons done (+ the final evaluation, when there is one).

    Never silently goes backwards: a completed enrollment stays completed, and the
    percentage only grows (content added later does not take progress away).
    """
    total, done, has_final, final_passed = selectors.progress_counts(enrollment=enrollment)
    units = total + (1 if has_final else 0)
    achieved = done + (1 if final_passed else 0)
    percent = HUNDRED if units == 0 else (Decimal(achieved) * HUNDRED / units)
    percent = percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    fields = []
    if percent > enrollment.progress_percentage:
        enrollment.progress_percentage = percent
        fields.append("progress_percentage")
    complete = done >= total and (final_passed or not has_final)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        if complete:
            enrollment.status = EnrollmentStatus.COMPLETED
            enrollment.completed_at = timezone.now()
            enrollment.progress_percentage = HUNDRED
            fields += ["status", "completed_at", "progress_percentage"]
        elif achieved > 0 and enrollment.status == EnrollmentStatus.ENROLLED:
            enrollment.status = EnrollmentStatus.IN_PROGRESS
            fields.append("status")
    if fields:
        enrollment.save(update_fields=sorted(set(fields)))
    return enrollment


@transaction.atomic
def lesson_complete(*, actor: User, lesson: Lesson) -> Enrollment:
    """Mark a lesson done (idempotent) and recompute progress."""
    enrollment = _require_active_enrollment(actor, lesson.course)
    LessonCompletion.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    agenda_services.lesson_done(enrollment=enrollment, lesson=lesson)
    return enrollment_recompute_progress(enrollment=enrollment)


# Time a lesson player reports: it sends the seconds spent since the page opened. A report
# is credited at most the wall-clock time since this enrollment's previous report on the
# lesson, and never more than the lesson's planned duration (at least LESSON_TIME_MIN_STEP)
# in one report: a client cannot add hours in one call, nor by calling quickly.
LESSON_TIME_MIN_STEP = 600
LESSON_TIME_REPORT_MAX = 24 * 3600  # the largest value accepted on input (seconds)


def check_lesson_of_enrollment(enrollment: Enrollment, lesson: Lesson) -> None:
    """A lesson named with an enrollment must be one of its course's (404 otherwise)."""
    if lesson.course_id != enrollment.course_id:
        raise NotFound(_("Leçon introuvable."), code="lesson_not_found")


@transaction.atomic
def lesson_time_report(
    *,
    actor: User,
    enrollment: Enrollment,
    lesson: Lesson,
    seconds: int,
    percent: int | None = None,
) -> LessonTime:
    """Credit time spent on a lesson of one's own active enrollment (see the bounds above);
    `percent`, the player's own estimate of how far it went, only grows."""
    if not actor.is_authenticated or enrollment.user_id != actor.pk or not enrollment.is_active:
        raise Forbidden(_("Inscrivez-vous à ce cours pour suivre ses leçons."), code="not_enrolled")
    check_lesson_of_enrollment(enrollment, lesson)
    if not 0 <= seconds <= LESSON_TIME_REPORT_MAX:
        raise field_error("time_spent", _("Durée invalide."), "out_of_range")
    if percent is not None and not 0 <= percent <= 100:
        raise field_error("completion_percentage", _("Pourcentage invalide."), "out_of_range")
    # Reports of one enrollment queue on its row (as lesson completion does) before the
    # time row is read or created: two first reports at once would otherwise both try to
    # insert it (MariaDB answers one of them with a deadlock, a 500).
    if not Enrollment.objects.select_for_update().filter(pk=enrollment.pk, is_active=True).exists():
        raise Forbidden(_("Inscrivez-vous à ce cours pour suivre ses leçons."), code="not_enrolled")
    now = timezone.now()
    row, created = LessonTime.objects.select_for_update().get_or_create(
        enrollment=enrollment, lesson=lesson, defaults={"started_at": now, "reported_at": now}
    )
    cap = max(lesson.duration_minutes * 60, LESSON_TIME_MIN_STEP)
    if not created:
        cap = min(cap, max(0, int((now - row.reported_at).total_seconds())))
    row.seconds += min(seconds, cap)
    if percent is not None and percent > row.percent:
        row.percent = percent
    row.reported_at = now
    row.save(update_fields=["seconds", "percent", "reported_at"])
    return row


@transaction.atomic
def enrollment_lesson_complete(
    *, actor: User, enrollment: Enrollment, lesson: Lesson, seconds: int | None = None
) -> Enrollment:
    """`lesson_complete` for a lesson named with its enrollment (which must be the
    actor's, and the lesson of its course), crediting the reported time first."""
    if not actor.is_authenticated or enrollment.user_id != actor.pk:
        raise Forbidden(_("Inscrivez-vous à ce cours pour suivre ses leçons."), code="not_enrolled")
    check_lesson_of_enrollment(enrollment, lesson)
    if seconds is not None:
        lesson_time_report(actor=actor, enrollment=enrollment, lesson=lesson, seconds=seconds)
    return lesson_complete(actor=actor, lesson=lesson)


def _grade(quiz: Quiz, answers: dict[str, list[int]]) -> tuple[Decimal, dict[str, list[int]]]:
    questions = list(quiz.questions.all())
    if not questions:
        raise Conflict(_("Ce quiz n'a pas encore de questions."), code="quiz_empty")
    known = {str(q.pk) for q in questions}
    unknown = set(answers) - known
    if unknown:
        raise field_error(
            "answers", _("Réponse à une question qui n'est pas dans ce quiz."), "unknown_question"
        )
    total = sum(q.points for q in questions)
    earned = 0
    cleaned: dict[str, list[int]] = {}
    for question in questions:
        chosen = sorted(set(answers.get(str(question.pk), [])))
        if any(not 0 <= i < len(question.choices) for i in chosen):
            raise field_error("answers", _("Choix inexistant."), "unknown_choice")
        cleaned[str(question.pk)] = chosen
        if chosen == sorted(question.correct_choices):
            earned += question.points
    score = (Decimal(earned) * HUNDRED / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return score, cleaned


@transaction.atomic
def quiz_submit(*, actor: User, quiz: Quiz, answers: dict[str, list[int]]) -> QuizAttempt:
    """Grade an attempt. The enrollment row lock numbers attempts one at a time, and the
    unique (enrollment, quiz, attempt_number) makes max_attempts hold regardless."""
    enrollment = _require_active_enrollment(actor, quiz.course)
    if quiz.due_at and timezone.now() > quiz.due_at:
        raise Conflict(_("La date limite de ce quiz est passée."), code="quiz_closed")
    used = QuizAttempt.objects.filter(enrollment=enrollment, quiz=quiz).count()
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        raise Conflict(
            _("Vous avez utilisé toutes vos tentatives."),
            code="no_attempts_left",
            details={"max_attempts": quiz.max_attempts},
        )
    score, cleaned = _grade(quiz, answers)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                enrollment=enrollment,
                quiz=quiz,
                attempt_number=used + 1,
                answers=cleaned,
                score=score,
                passed=score >= quiz.passing_score,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("Une tentative est déjà en cours d'envoi."), code="attempt_conflict"
        ) from exc
    if attempt.passed:
        agenda_services.quiz_passed(enrollment=enrollment, quiz=quiz)
    enrollment_recompute_progress(enrollment=enrollment)
    return attempt
