"""Course pages: catalogue, course page, lessons, quizzes, dashboards and authoring.

Thin like api.py: access.get_*_for fetches and authorizes, services write, selectors and
presenters read, campus.core.views maps domain errors to pages, messages and statuses.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campus.certificates import selectors as certificate_selectors
from campus.core.errors import NotFound
from campus.core.views import (
    action_call,
    current_user,
    form_call,
    form_status,
    page,
    page_query,
    pager,
    safe_next,
)
from campus.courses import access, presenters, selectors, services
from campus.courses.forms import (
    CatalogueFilterForm,
    CourseForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    QuizAnswerForm,
    QuizForm,
    StudentFilterForm,
)
from campus.courses.models import Course
from campus.forum import selectors as forum_selectors
from campus.live import selectors as live_selectors
from campus.live import services as live_services
from campus.ratings import selectors as ratings_selectors

CATALOGUE_PAGE_SIZE = 12
LIST_PAGE_SIZE = 20
STUDENTS_PAGE_SIZE = 25


def _same_course(course: Course, slug: str) -> None:
    """Objects are addressed under their course's slug; another slug does not exist."""
    if course.slug != slug:
        raise NotFound()


def _manage_url(course: Course) -> str:
    """The course hub."""
    return reverse("courses:manage", kwargs={"slug": course.slug})


def _content_url(course: Course) -> str:
    """The course's outline editor (modules, lessons, quizzes)."""
    return reverse("courses:content", kwargs={"slug": course.slug})


# --- Learners -------------------------------------------------------------------------


@page
def catalogue(request: HttpRequest) -> HttpResponse:
    filters = CatalogueFilterForm(request.GET or None)
    search, course_type = "", None
    if filters.is_valid():
        search = filters.cleaned_data["q"].strip()
        course_type = filters.cleaned_data["course_type"] or None
    result = selectors.catalogue_page(
        search=search,
        course_type=course_type,
        query=page_query(request, limit=CATALOGUE_PAGE_SIZE),
    )
    enrolled = selectors.enrolled_course_ids(
        user=request.user,  # type: ignore[arg-type]
        course_ids=[course.pk for course in result.items],
    )
    context = {
        "filters": filters,
        "courses": result.items,
        "enrolled_ids": enrolled,
        "pager": pager(request, result),
        "search": search,
    }
    return render(request, "courses/catalogue.html", context)


@page
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = access.get_course_outline_by_slug_for(request.user, slug)
    data = presenters.course_detail(course, user=request.user)
    # Those who see the outline (members, owner, admins) see the live or next session.
    next_session = (
        live_selectors.next_course_session(course=course, now=timezone.now())
        if data["modules"] is not None
        else None
    )
    context = {"course": course, "data": data, "next_session": next_session}
    return render(request, "courses/detail.html", context)


@require_POST
@page
def enroll(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="view")
    if action_call(request, services.enrollment_create, actor=user, course=course):
        messages.success(request, _("Inscription faite : vous suivez ce cours. Bonne formation !"))
    return redirect("courses:detail", slug=course.slug)


@require_POST
@page
def unenroll(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="view")
    if action_call(request, services.enrollment_deactivate, actor=user, course=course):
        messages.success(request, _("Désinscription faite : vous ne suivez plus ce cours."))
    return redirect("courses:detail", slug=course.slug)


@page
def my_courses(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    result = selectors.enrollments_page(user=user, query=page_query(request, limit=LIST_PAGE_SIZE))
    live_now, next_session = live_selectors.student_home_sessions(user=user, now=timezone.now())
    context = {
        "enrollments": result.items,
        "pager": pager(request, result),
        # What waits for the student, above their courses: a class to join now, the
        # next one, certificates to collect.
        "live_now": live_now,
        "next_session": next_session,
        "certificates_waiting": len(certificate_selectors.completed_without_certificate(user=user)),
    }
    return render(request, "courses/my_courses.html", context)


def _lesson_context(request: HttpRequest, lesson: Any) -> dict[str, Any]:
    user = request.user
    enrollment = selectors.active_enrollment(user=user, course=lesson.course)  # type: ignore[arg-type]
    data = presenters.lesson_detail(lesson, user=user)  # type: ignore[arg-type]
    return {"course": lesson.course, "lesson": lesson, "data": data, "enrollment": enrollment}


@page
def lesson(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    current = access.get_lesson_for(request.user, lesson_id)
    _same_course(current.course, slug)
    previous, following = selectors.lesson_neighbours(lesson=current)
    context = {**_lesson_context(request, current), "previous": previous, "next": following}
    return render(request, "courses/lesson.html", context)


@require_POST
@page
def lesson_complete(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    user = current_user(request)
    current = access.get_lesson_for(user, lesson_id)
    _same_course(current.course, slug)
    services.lesson_complete(actor=user, lesson=current)
    if request.htmx:  # type: ignore[attr-defined]
        _prev, following = selectors.lesson_neighbours(lesson=current)
        context = {**_lesson_context(request, current), "next": following}
        return render(request, "courses/_lesson_progress.html", context)
    messages.success(request, _("Leçon marquée comme terminée."))
    return redirect("courses:lesson", slug=slug, lesson_id=current.pk)


@page
def quiz(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    user = current_user(request)
    current = access.get_quiz_for(user, quiz_id)
    _same_course(current.course, slug)
    questions = list(current.questions.all())
    form = QuizAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        attempt = form_call(
            form, services.quiz_submit, actor=user, quiz=current, answers=form.answers()
        )
        if attempt is not None:
            if attempt.passed:
                messages.success(request, _("Quiz réussi !"))
            else:
                messages.warning(request, _("Quiz non réussi. Relisez les leçons et réessayez."))
            return redirect("courses:quiz", slug=slug, quiz_id=current.pk)
    data = presenters.quiz_for_taker(current, user=user)
    enrollment = selectors.active_enrollment(user=user, course=current.course)
    max_attempts = data["max_attempts"]
    context = {
        "course": current.course,
        "quiz": current,
        "data": data,
        "form": form,
        "enrollment": enrollment,
        "last_attempt": selectors.last_attempt(enrollment=enrollment, quiz=current),
        "attempts_left": None
        if max_attempts is None
        else max(0, max_attempts - data["attempts_used"]),
    }
    status = form_status(form) if form.is_bound else 200
    return render(request, "courses/quiz.html", context, status=status)


# --- Instructors ----------------------------------------------------------------------


@page
def instructor_courses(request: HttpRequest) -> HttpResponse:
    user = access.require_instructor(request.user)
    result = selectors.courses_taught_by_page(
        user=user, query=page_query(request, limit=LIST_PAGE_SIZE)
    )
    context = {"courses": result.items, "pager": pager(request, result)}
    return render(request, "courses/instructor_courses.html", context)


@page
def course_create(request: HttpRequest) -> HttpResponse:
    user = access.require_instructor(request.user)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = form_call(form, services.course_create, actor=user, **form.cleaned_data)
        if course is not None:
            messages.success(request, _("Cours créé. Ajoutez maintenant ses modules et leçons."))
            return redirect(_content_url(course))
    status = form_status(form) if form.is_bound else 200
    return render(
        request, "courses/course_form.html", {"form": form, "course": None}, status=status
    )


def _course_initial(course: Course) -> dict[str, Any]:
    return {name: getattr(course, name) for name in services.COURSE_EDITABLE}


@page
def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="manage")
    form = CourseForm(request.POST or None, initial=_course_initial(course))
    if request.method == "POST" and form.is_valid():
        updated = form_call(
            form, services.course_update, actor=user, course=course, **form.cleaned_data
        )
        if updated is not None:
            messages.success(request, _("Cours enregistré."))
            return redirect(_manage_url(updated))
    status = form_status(form) if form.is_bound else 200
    return render(
        request, "courses/course_form.html", {"form": form, "course": course}, status=status
    )


@require_POST
@page
def course_publish(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="manage")
    published = request.POST.get("published") == "1"
    if action_call(
        request, services.course_set_published, actor=user, course=course, published=published
    ):
        messages.success(
            request, _("Cours publié.") if published else _("Cours repassé en brouillon.")
        )
    return redirect(safe_next(request, _manage_url(course)))


HUB_SESSIONS = 3
HUB_PAST_SESSIONS = 5
HUB_REPORTS = 5


@page
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The course hub (owner, admins): content, live sessions, forum, reviews, students
    and attendance, each with its figures and the way to act on it. Constant queries."""
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="manage")
    now = timezone.now()
    students = selectors.course_enrollment_figures(course=course)
    course.enrolled_count = students.active  # type: ignore[attr-defined]
    sessions = live_selectors.sessions_ahead(course=course, now=now, limit=HUB_SESSIONS)
    context = {
        "course": course,
        "content": selectors.course_content_figures(course=course),
        "students": students,
        "sessions": [
            {"session": s, "can_start": live_services.can_start_now(s, now=now)} for s in sessions
        ],
        "session_figures": live_selectors.course_session_figures(course=course, now=now),
        "past_sessions": live_selectors.recent_ended_sessions(
            course=course, limit=HUB_PAST_SESSIONS
        ),
        "forum": forum_selectors.course_forum_figures(course=course),
        "reports": forum_selectors.open_reports_of_course(course=course, limit=HUB_REPORTS),
        "pending_reviews": ratings_selectors.moderation_queue(
            user=user, course_id=course.pk
        ).count(),
        "next_url": _manage_url(course),
    }
    return render(request, "courses/manage.html", context)


@page
def content(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's outline to edit: modules, lessons, quizzes, the final evaluation."""
    course = access.get_course_outline_by_slug_for(request.user, slug, action="manage")
    data = presenters.course_detail(course, user=request.user)
    context = {"course": course, "data": data, "module_form": ModuleForm()}
    return render(request, "courses/manage_content.html", context)


@page
def students(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's students with their progress, status and last activity (owner,
    admins), paginated; constant queries."""
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="manage")
    filters = StudentFilterForm(request.GET)
    search, status, sort = filters.query()
    result = selectors.course_students_page(
        course=course,
        status=status,
        search=search,
        sort=sort,
        query=page_query(request, limit=STUDENTS_PAGE_SIZE),
    )
    context = {
        "course": course,
        "filters": filters,
        "enrollments": result.items,
        "pager": pager(request, result),
        "filtered": bool(search or status),
    }
    return render(request, "courses/students.html", context)


@require_POST
@page
def module_create(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="manage")
    form = ModuleForm(request.POST)
    created = (
        form_call(form, services.module_create, actor=user, course=course, **form.cleaned_data)
        if form.is_valid()
        else None
    )
    if created is not None:
        messages.success(request, _("Module ajouté."))
        return redirect(_content_url(course))
    outline = access.get_course_outline_by_slug_for(user, slug, action="manage")
    data = presenters.course_detail(outline, user=user)
    context = {"course": outline, "data": data, "module_form": form}
    return render(request, "courses/manage_content.html", context, status=form_status(form))


@page
def module_edit(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    user = current_user(request)
    module = access.get_module_for(user, module_id)
    _same_course(module.course, slug)
    initial = {"title": module.title, "description": module.description}
    form = ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form, services.module_update, actor=user, module=module, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, _("Module enregistré."))
            return redirect(_content_url(module.course))
    status = form_status(form) if form.is_bound else 200
    context = {"form": form, "course": module.course, "module": module}
    return render(request, "courses/module_form.html", context, status=status)


@require_POST
@page
def module_delete(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    user = current_user(request)
    module = access.get_module_for(user, module_id)
    _same_course(module.course, slug)
    if action_call(request, services.module_delete, actor=user, module=module):
        messages.success(request, _("Module supprimé."))
    return redirect(_content_url(module.course))


@page
def lesson_create(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    user = current_user(request)
    module = access.get_module_for(user, module_id)
    _same_course(module.course, slug)
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form, services.lesson_create, actor=user, module=module, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, _("Leçon ajoutée."))
            return redirect(_content_url(module.course))
    status = form_status(form) if form.is_bound else 200
    context = {"form": form, "course": module.course, "module": module, "lesson": None}
    return render(request, "courses/lesson_form.html", context, status=status)


@page
def lesson_edit(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    user = current_user(request)
    current = access.get_lesson_for(user, lesson_id, action="manage")
    _same_course(current.course, slug)
    fields = ["title", "content_type", "body", "video_url", "duration_minutes", "is_required"]
    form = LessonForm(request.POST or None, initial={f: getattr(current, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form, services.lesson_update, actor=user, lesson=current, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, _("Leçon enregistrée."))
            return redirect(_content_url(current.course))
    status = form_status(form) if form.is_bound else 200
    context = {"form": form, "course": current.course, "module": current.module, "lesson": current}
    return render(request, "courses/lesson_form.html", context, status=status)


@require_POST
@page
def lesson_delete(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    user = current_user(request)
    current = access.get_lesson_for(user, lesson_id, action="manage")
    _same_course(current.course, slug)
    if action_call(request, services.lesson_delete, actor=user, lesson=current):
        messages.success(request, _("Leçon supprimée."))
    return redirect(_content_url(current.course))


@page
def quiz_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A module's quiz (?module=<id>) or, without a module, the final evaluation."""
    user = current_user(request)
    course = access.get_course_by_slug_for(user, slug, action="manage")
    module = None
    module_id = request.POST.get("module") or request.GET.get("module")
    if module_id:
        if not module_id.isdigit():
            raise NotFound()
        module = access.get_module_for(user, int(module_id))
        _same_course(module.course, slug)
    form = QuizForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = form_call(
            form,
            services.quiz_create,
            actor=user,
            course=course,
            module=module,
            **form.cleaned_data,
        )
        if created is not None:
            messages.success(request, _("Quiz créé. Ajoutez-lui des questions."))
            return redirect("courses:quiz_edit", slug=slug, quiz_id=created.pk)
    status = form_status(form) if form.is_bound else 200
    context = {"form": form, "course": course, "module": module, "quiz": None}
    return render(request, "courses/quiz_form.html", context, status=status)


def _quiz_edit_page(
    request: HttpRequest, current: Any, form: QuizForm, question_form: QuestionForm, status: int
) -> HttpResponse:
    context = {
        "form": form,
        "question_form": question_form,
        "course": current.course,
        "module": current.module,
        "quiz": current,
        "questions": list(current.questions.all()),
    }
    return render(request, "courses/quiz_form.html", context, status=status)


@page
def quiz_edit(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    user = current_user(request)
    current = access.get_quiz_for(user, quiz_id, action="manage")
    _same_course(current.course, slug)
    fields = ["title", "passing_score", "max_attempts", "due_at"]
    form = QuizForm(request.POST or None, initial={f: getattr(current, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        saved = form_call(form, services.quiz_update, actor=user, quiz=current, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("Quiz enregistré."))
            return redirect("courses:quiz_edit", slug=slug, quiz_id=current.pk)
    status = form_status(form) if form.is_bound else 200
    return _quiz_edit_page(request, current, form, QuestionForm(), status)


@require_POST
@page
def quiz_delete(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    user = current_user(request)
    current = access.get_quiz_for(user, quiz_id, action="manage")
    _same_course(current.course, slug)
    if action_call(request, services.quiz_delete, actor=user, quiz=current):
        messages.success(request, _("Quiz supprimé."))
    return redirect(_content_url(current.course))


@require_POST
@page
def question_create(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    user = current_user(request)
    current = access.get_quiz_for(user, quiz_id, action="manage")
    _same_course(current.course, slug)
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        created = form_call(
            form,
            services.question_create,
            field_map={"correct_choices": "correct"},
            actor=user,
            quiz=current,
            text=data["text"],
            choices=data["choices"],
            correct_choices=data["correct"],
            points=data["points"],
        )
        if created is not None:
            messages.success(request, _("Question ajoutée."))
            return redirect("courses:quiz_edit", slug=slug, quiz_id=current.pk)
    fields = ["title", "passing_score", "max_attempts", "due_at"]
    quiz_form = QuizForm(initial={f: getattr(current, f) for f in fields})
    return _quiz_edit_page(request, current, quiz_form, form, form_status(form))


@require_POST
@page
def question_delete(request: HttpRequest, slug: str, question_id: int) -> HttpResponse:
    user = current_user(request)
    question = access.get_question_for(user, question_id)
    _same_course(question.quiz.course, slug)
    if action_call(request, services.question_delete, actor=user, question=question):
        messages.success(request, _("Question supprimée."))
    return redirect("courses:quiz_edit", slug=slug, quiz_id=question.quiz_id)
