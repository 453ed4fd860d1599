"""Fetch + authorize in one call: the only way views and the API get course objects.

Actors (ARCHITECTURE.md): anonymous (401 where login is needed), outsider (403 on
content), member (active enrollment), owner (the course's instructor), admin.
Drafts do not exist (404) for anyone but their owner and admins.
"""

from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.core.errors import Forbidden, NotAuthenticated, NotFound
from campus.courses import selectors
from campus.courses.models import Course, CourseStatus, Enrollment, Lesson, Module, Question, Quiz

CourseAction = Literal["view", "content", "manage"]
AnyUser = User | AnonymousUser


def is_owner_or_admin(user: AnyUser, course: Course) -> bool:
    return bool(user.is_authenticated and (user.is_admin or course.instructor_id == user.pk))


def can_manage_course(user: AnyUser, course: Course) -> bool:
    return is_owner_or_admin(user, course)


def is_member(user: AnyUser, course: Course) -> bool:
    return bool(
        user.is_authenticated
        and Enrollment.objects.filter(user_id=user.pk, course=course, is_active=True).exists()
    )


def authorize_course(user: AnyUser, course: Course, action: CourseAction) -> None:
    privileged = is_owner_or_admin(user, course)
    if not course.is_published and not privileged:
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    if action == "view" or privileged:
        return
    if not user.is_authenticated:
        raise NotAuthenticated()
    if action == "manage":
        raise Forbidden(_("Réservé à la personne responsable du cours et à l'administration."))
    if not is_member(user, course):
        raise Forbidden(
            _("Inscrivez-vous à ce cours pour accéder à son contenu."), code="not_enrolled"
        )


def get_course_for(user: AnyUser, course_id: int, *, action: CourseAction) -> Course:
    course = Course.objects.select_related("instructor").filter(pk=course_id).first()
    if course is None:
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    authorize_course(user, course, action)
    return course


def get_course_by_slug_for(user: AnyUser, slug: str, *, action: CourseAction) -> Course:
    course = Course.objects.select_related("instructor").filter(slug=slug).first()
    if course is None:
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    authorize_course(user, course, action)
    return course


def get_course_outline_for(user: AnyUser, course_id: int) -> Course:
    course = selectors.course_with_outline(course_id=course_id)
    if course is None:
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    authorize_course(user, course, "view")
    return course


def get_lesson_for(user: AnyUser, lesson_id: int, *, action: CourseAction = "content") -> Lesson:
    lesson = (
        Lesson.objects.select_related("course", "course__instructor", "module")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise NotFound(_("Leçon introuvable."), code="lesson_not_found")
    authorize_course(user, lesson.course, action)
    return lesson


def get_lesson_in_course_for(
    user: AnyUser, course_id: int, lesson_id: int, *, action: CourseAction = "content"
) -> Lesson:
    """A lesson addressed through its course: one of another course is not found (before
    any access check, so the answer says nothing about that other course)."""
    lesson = (
        Lesson.objects.select_related("course", "course__instructor", "module")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None or lesson.course_id != course_id:
        raise NotFound(_("Leçon introuvable."), code="lesson_not_found")
    authorize_course(user, lesson.course, action)
    return lesson


def may_see_drafts_of(user: AnyUser, instructor_id: int) -> bool:
    """An instructor's drafts exist for that instructor and admins only (as a draft
    course does): anyone else sees their published courses, as in the catalogue."""
    return bool(user.is_authenticated and (user.is_admin or user.pk == instructor_id))


def get_quiz_for(user: AnyUser, quiz_id: int, *, action: CourseAction = "content") -> Quiz:
    quiz = selectors.quiz_with_questions(quiz_id=quiz_id)
    if quiz is None:
        raise NotFound(_("Quiz introuvable."), code="quiz_not_found")
    authorize_course(user, quiz.course, action)
    return quiz


def get_own_active_enrollment_for(user: AnyUser, enrollment_id: int) -> Enrollment:
    """One's own active enrollment in a published course, for what is personal (a study
    plan, a certificate): anyone else's, even the owner's or an admin's view, is a 404."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    enrollment = (
        Enrollment.objects.select_related("course", "course__instructor", "user")
        .filter(
            pk=enrollment_id,
            user_id=user.pk,
            is_active=True,
            course__status=CourseStatus.PUBLISHED,
        )
        .first()
    )
    if enrollment is None:
        raise NotFound(_("Inscription introuvable."), code="enrollment_not_found")
    return enrollment


def get_enrollment_for(user: AnyUser, enrollment_id: int) -> Enrollment:
    """One's own enrollment; the owner and admins may read their courses' ones."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    enrollment = (
        Enrollment.objects.select_related("course", "course__instructor", "user")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        raise NotFound(_("Inscription introuvable."), code="enrollment_not_found")
    if enrollment.user_id != user.pk and not is_owner_or_admin(user, enrollment.course):
        raise NotFound(_("Inscription introuvable."), code="enrollment_not_found")
    return enrollment


def get_course_outline_by_slug_for(
    user: AnyUser, slug: str, *, action: CourseAction = "view"
) -> Course:
    """The course with its outline loaded (modules, lessons, quizzes), by slug."""
    course = selectors.course_with_outline_by_slug(slug=slug)
    if course is None:
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    authorize_course(user, course, action)
    return course


def get_module_for(user: AnyUser, module_id: int, *, action: CourseAction = "manage") -> Module:
    module = (
        Module.objects.select_related("course", "course__instructor").filter(pk=module_id).first()
    )
    if module is None:
        raise NotFound(_("Module introuvable."), code="module_not_found")
    authorize_course(user, module.course, action)
    return module


def get_question_for(
    user: AnyUser, question_id: int, *, action: CourseAction = "manage"
) -> Question:
    question = (
        Question.objects.select_related("quiz", "quiz__course", "quiz__course__instructor")
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        raise NotFound(_("Question introuvable."), code="question_not_found")
    authorize_course(user, question.quiz.course, action)
    return question


def require_instructor(user: AnyUser) -> User:
    """Instructors and admins author courses; anyone else is refused."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    assert isinstance(user, User)
    if not (user.is_instructor or user.is_admin):
        raise Forbidden(
            _("Cet espace est réservé aux responsables de cours."), code="not_instructor"
        )
    return user
