"""Course pages: who sees what, forms (happy path and bad input), htmx, query counts."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.certificates.tests.helpers import complete, short_course
from campus.courses import services
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
from campus.live import services as live_services
from campus.live.tests.helpers import make_session
from conftest import build_course

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def first_lesson(course: Course) -> Lesson:
    lesson = Lesson.objects.filter(course=course).order_by("module__position", "position").first()
    assert lesson is not None
    return lesson


def module_quiz(course: Course) -> Quiz:
    quiz = Quiz.objects.filter(course=course, module__isnull=False).order_by("module__position")
    first = quiz.first()
    assert first is not None
    return first


def lesson_url(lesson: Lesson) -> str:
    return reverse("courses:lesson", kwargs={"slug": lesson.course.slug, "lesson_id": lesson.pk})


def quiz_url(quiz: Quiz) -> str:
    return reverse("courses:quiz", kwargs={"slug": quiz.course.slug, "quiz_id": quiz.pk})


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login") + "?next="
    )


# --- Catalogue ------------------------------------------------------------------------


def test_catalogue_lists_published_courses_only(course: Course, draft_course: Course) -> None:
    response = Client().get(reverse("courses:catalogue"))
    assert response.status_code == 200
    page = html(response)
    assert course.title in page
    assert draft_course.title not in page


def test_catalogue_search_and_type_filter(owner: User) -> None:
    python = build_course(owner, title="Python pour tous", modules=1, with_final=False)
    live = build_course(
        owner, title="Atelier en direct", modules=1, with_final=False, course_type="live"
    )
    found = html(Client().get(reverse("courses:catalogue"), {"q": "python"}))
    assert python.title in found and live.title not in found
    typed = html(Client().get(reverse("courses:catalogue"), {"course_type": "live"}))
    assert live.title in typed and python.title not in typed
    bad = Client().get(reverse("courses:catalogue"), {"course_type": "nope", "page": "abc"})
    assert bad.status_code == 200  # a bad filter is ignored, not a crash


def test_catalogue_paginates(owner: User) -> None:
    for n in range(13):
        build_course(owner, title=f"Cours {n:02d}", modules=0, with_final=False)
    first = html(Client().get(reverse("courses:catalogue")))
    second = html(Client().get(reverse("courses:catalogue"), {"page": 2}))
    assert "Page 1 sur 2" in first and "Cours 12" in first and "Cours 00" not in first
    assert "Page 2 sur 2" in second and "Cours 00" in second


def test_catalogue_shows_places_and_enrolled_badge(owner: User, user_factory: Callable) -> None:
    limited = build_course(
        owner, title="Places limitées", modules=0, with_final=False, max_students=10
    )
    student = user_factory()
    services.enrollment_create(actor=student, course=limited)
    page = html(client_for(student).get(reverse("courses:catalogue")))
    assert "1 / 10 places prises" in page
    assert ">Vous suivez ce cours<" in page


def _catalogue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("courses:catalogue")).status_code == 200
    return len(ctx.captured_queries)


def test_catalogue_query_count_does_not_grow(owner: User, user_factory: Callable) -> None:
    student = user_factory()
    client = client_for(student)
    one = build_course(owner, title="Seul", modules=0, with_final=False)
    services.enrollment_create(actor=student, course=one)
    few = _catalogue_queries(client)
    for n in range(11):
        extra = build_course(owner, title=f"Encore {n}", modules=0, with_final=False)
        services.enrollment_create(actor=student, course=extra)
        services.enrollment_create(actor=user_factory(), course=extra)
    many = _catalogue_queries(client)
    assert few == many


# --- Course page and enrollment -------------------------------------------------------


def test_course_page_for_anonymous_hides_the_outline(course: Course) -> None:
    response = Client().get(reverse("courses:detail", kwargs={"slug": course.slug}))
    assert response.status_code == 200
    page = html(response)
    assert "Se connecter pour s'inscrire" in page
    assert "Leçon 1.1" not in page
    assert "Gérer" not in page


def test_course_page_for_a_member_ticks_done_lessons(course: Course, member: User) -> None:
    done = first_lesson(course)
    services.lesson_complete(actor=member, lesson=done)
    page = html(client_for(member).get(reverse("courses:detail", kwargs={"slug": course.slug})))
    assert "Se désinscrire" in page
    assert page.count('class="tick done"') == 1
    assert lesson_url(done) in page
    assert "Gérer" not in page


def test_course_page_for_the_owner_and_admin_has_a_manage_link(
    course: Course, owner: User, admin_user: User
) -> None:
    manage = reverse("courses:manage", kwargs={"slug": course.slug})
    for user in (owner, admin_user):
        page = html(client_for(user).get(reverse("courses:detail", kwargs={"slug": course.slug})))
        assert manage in page
        assert "S'inscrire à ce cours" not in page


def test_draft_course_is_404_except_for_owner_and_admin(
    draft_course: Course, outsider: User, other_instructor: User, owner: User, admin_user: User
) -> None:
    url = reverse("courses:detail", kwargs={"slug": draft_course.slug})
    for user in (None, outsider, other_instructor):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert "Page introuvable" in html(response)
    for user in (owner, admin_user):
        assert client_for(user).get(url).status_code == 200


def test_enroll_and_unenroll(course: Course, outsider: User) -> None:
    client = client_for(outsider)
    detail = reverse("courses:detail", kwargs={"slug": course.slug})
    assert client.get(reverse("courses:enroll", kwargs={"slug": course.slug})).status_code == 405
    response = client.post(reverse("courses:enroll", kwargs={"slug": course.slug}))
    assert response.status_code == 302 and response["Location"] == detail
    assert Enrollment.objects.get(user=outsider, course=course).is_active
    assert "vous suivez ce cours" in html(client.get(detail))
    client.post(reverse("courses:unenroll", kwargs={"slug": course.slug}))
    assert not Enrollment.objects.get(user=outsider, course=course).is_active


def test_enroll_needs_login(course: Course) -> None:
    response = Client().post(reverse("courses:enroll", kwargs={"slug": course.slug}))
    assert is_login_redirect(response)
    assert not Enrollment.objects.exists()


def test_enroll_in_a_full_course_shows_why(owner: User, user_factory: Callable) -> None:
    full = build_course(owner, title="Complet", modules=0, with_final=False, max_students=1)
    services.enrollment_create(actor=user_factory(), course=full)
    late = user_factory()
    client = client_for(late)
    response = client.post(reverse("courses:enroll", kwargs={"slug": full.slug}), follow=True)
    assert "Ce cours est complet." in html(response)
    assert not Enrollment.objects.filter(user=late).exists()


def test_enroll_in_a_draft_is_404(draft_course: Course, outsider: User) -> None:
    response = client_for(outsider).post(
        reverse("courses:enroll", kwargs={"slug": draft_course.slug})
    )
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


# --- My courses -----------------------------------------------------------------------


def test_my_courses_needs_login() -> None:
    assert is_login_redirect(Client().get(reverse("courses:my_courses")))


def test_my_courses_lists_active_enrollments_with_progress(
    course: Course, member: User, owner: User
) -> None:
    other = build_course(owner, title="Quitté", modules=0, with_final=False)
    services.enrollment_create(actor=member, course=other)
    services.enrollment_deactivate(actor=member, course=other)
    services.lesson_complete(actor=member, lesson=first_lesson(course))
    page = html(client_for(member).get(reverse("courses:my_courses")))
    assert course.title in page and "Quitté" not in page
    assert '<progress max="100" value="20"' in page


def _my_courses_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("courses:my_courses")).status_code == 200
    return len(ctx.captured_queries)


def test_my_courses_query_count_does_not_grow(owner: User, user_factory: Callable) -> None:
    student = user_factory()
    client = client_for(student)
    services.enrollment_create(actor=student, course=build_course(owner, title="Un", modules=0))
    few = _my_courses_queries(client)
    for n in range(8):
        teacher = user_factory(Role.INSTRUCTOR)
        extra = build_course(teacher, title=f"Autre {n}", modules=0, with_final=False)
        services.enrollment_create(actor=student, course=extra)
        # The "what waits" block too: live and upcoming classes, certificates to get.
        live = make_session(teacher, extra, starts_in=timedelta(minutes=5), title=f"Direct {n}")
        live_services.session_start(actor=teacher, session=live)
        make_session(teacher, extra, starts_in=timedelta(days=1 + n), title=f"Bientôt {n}")
        complete(student, short_course(teacher, title=f"Terminé {n}"))
    many = _my_courses_queries(client)
    assert few == many


def test_my_courses_says_what_waits(owner: User, member: User, course: Course) -> None:
    """Above the courses: the class live now (with "Rejoindre"), the next one, and the
    completed courses whose certificate waits; nothing of it when nothing waits."""
    client = client_for(member)
    assert "Ce qui vous attend" not in html(client.get(reverse("courses:my_courses")))
    live = make_session(owner, course, starts_in=timedelta(minutes=5), title="Atelier en cours")
    live_services.session_start(actor=owner, session=live)
    make_session(owner, course, starts_in=timedelta(days=2), title="Séance de jeudi")
    make_session(owner, course, starts_in=timedelta(days=9), title="Séance lointaine")
    complete(member, short_course(owner, title="Cours fini"))
    page = html(client.get(reverse("courses:my_courses")))
    assert "Ce qui vous attend" in page
    join = reverse("live:join", kwargs={"slug": course.slug, "session_id": live.pk})
    assert "Atelier en cours" in page and join in page
    assert "Séance de jeudi" in page and "Séance lointaine" not in page
    assert "Un cours terminé : obtenez votre certificat" in page


# --- Lesson player --------------------------------------------------------------------


def test_lesson_access_by_actor(
    course: Course, member: User, outsider: User, owner: User, admin_user: User
) -> None:
    url = lesson_url(first_lesson(course))
    assert is_login_redirect(Client().get(url))
    forbidden = client_for(outsider).get(url)
    assert forbidden.status_code == 403
    assert "Inscrivez-vous à ce cours pour accéder à son contenu." in html(forbidden)
    for user in (member, owner, admin_user):
        assert client_for(user).get(url).status_code == 200


def test_lesson_of_a_draft_is_404_for_outsiders(draft_course: Course, outsider: User) -> None:
    assert client_for(outsider).get(lesson_url(first_lesson(draft_course))).status_code == 404


def test_lesson_under_another_course_slug_is_404(course: Course, member: User, owner: User) -> None:
    other = build_course(owner, title="Autre cours", modules=0, with_final=False)
    lesson = first_lesson(course)
    url = reverse("courses:lesson", kwargs={"slug": other.slug, "lesson_id": lesson.pk})
    assert client_for(member).get(url).status_code == 404


def test_lesson_body_is_escaped_text_and_video_is_a_link(
    course: Course, member: User, owner: User
) -> None:
    lesson = first_lesson(course)
    services.lesson_update(
        actor=owner,
        lesson=lesson,
        body="Premier paragraphe <script>alert(1)</script>\n\nSecond",
        content_type="video",
        video_url="https://videos.example/cours.mp4",
    )
    page = html(client_for(member).get(lesson_url(lesson)))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<p>Second</p>" in page
    assert 'href="https://videos.example/cours.mp4"' in page
    assert "<iframe" not in page


def test_lesson_has_previous_and_next_links(course: Course, member: User) -> None:
    lessons = list(Lesson.objects.filter(course=course).order_by("module__position", "position"))
    page = html(client_for(member).get(lesson_url(lessons[1])))
    assert f'href="{lesson_url(lessons[0])}" rel="prev"' in page
    assert f'href="{lesson_url(lessons[2])}" rel="next"' in page


def test_mark_lesson_complete_without_htmx_redirects(course: Course, member: User) -> None:
    lesson = first_lesson(course)
    url = reverse("courses:lesson_complete", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    response = client_for(member).post(url)
    assert response.status_code == 302 and response["Location"] == lesson_url(lesson)
    assert LessonCompletion.objects.filter(lesson=lesson, enrollment__user=member).exists()


def test_mark_lesson_complete_with_htmx_swaps_the_fragment(course: Course, member: User) -> None:
    lesson = first_lesson(course)
    url = reverse("courses:lesson_complete", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    response = client_for(member).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = html(response)
    assert fragment.lstrip().startswith('<section id="lesson-progress"')
    assert "<html" not in fragment
    assert "Leçon terminée" in fragment
    assert 'value="20"' in fragment  # 1 of 4 lessons + final evaluation


def test_mark_lesson_complete_refuses_outsiders(course: Course, outsider: User) -> None:
    lesson = first_lesson(course)
    url = reverse("courses:lesson_complete", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    assert client_for(outsider).post(url).status_code == 403
    assert is_login_redirect(Client().post(url))
    htmx = Client().post(url, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and htmx["HX-Redirect"].startswith(reverse("accounts:login"))
    assert not LessonCompletion.objects.exists()


# --- Quiz -----------------------------------------------------------------------------


def test_quiz_access_by_actor(course: Course, member: User, outsider: User, owner: User) -> None:
    url = quiz_url(module_quiz(course))
    assert is_login_redirect(Client().get(url))
    assert client_for(outsider).get(url).status_code == 403
    member_page = client_for(member).get(url)
    assert member_page.status_code == 200 and "Envoyer mes réponses" in html(member_page)
    owner_page = client_for(owner).get(url)
    assert owner_page.status_code == 200 and "Aperçu (responsable du cours)" in html(owner_page)


def test_quiz_submit_shows_the_result(course: Course, member: User) -> None:
    quiz = module_quiz(course)
    question = quiz.questions.get()
    client = client_for(member)
    response = client.post(quiz_url(quiz), {f"q{question.pk}": ["1"]})
    assert response.status_code == 302
    attempt = QuizAttempt.objects.get(quiz=quiz)
    assert attempt.passed and attempt.score == 100
    page = html(client.get(quiz_url(quiz)))
    assert "Quiz réussi !" in page
    assert "Score : 100 %" in page
    assert "Tentatives : 1 (illimitées)" in page


def test_quiz_attempts_are_limited(course: Course, member: User) -> None:
    final = Quiz.objects.get(final_for=course)  # max_attempts=3
    question = final.questions.get()
    client = client_for(member)
    for _ in range(3):
        client.post(quiz_url(final), {f"q{question.pk}": ["0"]})
    page = html(client.get(quiz_url(final)))
    assert "Tentatives : 3 / 3" in page
    assert "Vous avez utilisé toutes vos tentatives pour ce quiz." in page
    refused = client.post(quiz_url(final), {f"q{question.pk}": ["1"]})
    assert refused.status_code == 409
    assert QuizAttempt.objects.filter(quiz=final).count() == 3


def test_quiz_refuses_unknown_choices(course: Course, member: User) -> None:
    quiz = module_quiz(course)
    question = quiz.questions.get()
    response = client_for(member).post(quiz_url(quiz), {f"q{question.pk}": ["7"]})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in html(response)
    assert not QuizAttempt.objects.exists()


# --- Instructor dashboard -------------------------------------------------------------


def test_instructor_dashboard_by_actor(
    course: Course, owner: User, other_instructor: User, admin_user: User, outsider: User
) -> None:
    url = reverse("courses:instructor_courses")
    assert is_login_redirect(Client().get(url))
    assert client_for(outsider).get(url).status_code == 403
    assert course.title in html(client_for(owner).get(url))
    assert course.title not in html(client_for(other_instructor).get(url))
    assert course.title in html(client_for(admin_user).get(url))


def test_instructor_dashboard_query_count_does_not_grow(
    owner: User, user_factory: Callable
) -> None:
    client = client_for(owner)
    build_course(owner, title="Premier", modules=0, with_final=False)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("courses:instructor_courses"))
    for n in range(6):
        extra = build_course(owner, title=f"Suivant {n}", modules=0, with_final=False)
        services.enrollment_create(actor=user_factory(), course=extra)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("courses:instructor_courses"))
    assert len(few.captured_queries) == len(many.captured_queries)


# --- Course authoring -----------------------------------------------------------------

COURSE_FORM = {
    "title": "Nouveau cours",
    "description": "Une description.",
    "course_type": "on_demand",
    "max_students": "",
    "enrollment_deadline": "",
    "course_start_date": "",
    "course_end_date": "",
}


def test_course_create_happy_path_reads_the_deadline_in_the_users_zone(
    user_factory: Callable,
) -> None:
    teacher = user_factory(Role.INSTRUCTOR, timezone="Europe/Paris")
    data = {**COURSE_FORM, "max_students": "25", "enrollment_deadline": "2030-01-15T10:00"}
    response = client_for(teacher).post(reverse("courses:course_create"), data)
    created = Course.objects.get(title="Nouveau cours")
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:content", kwargs={"slug": created.slug})
    assert created.instructor == teacher and created.status == CourseStatus.DRAFT
    assert created.max_students == 25
    assert created.enrollment_deadline == datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
    form = html(
        client_for(teacher).get(reverse("courses:course_edit", kwargs={"slug": created.slug}))
    )
    assert 'value="2030-01-15T10:00"' in form  # shown back in local time


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": ""}, "Ce champ est obligatoire."),
        ({"max_students": "0"}, "Entre 1 et 100 000 places."),
        (
            {"course_start_date": "2030-02-01", "course_end_date": "2030-01-01"},
            "La fin du cours doit suivre son début.",
        ),
        ({"enrollment_deadline": "demain"}, "Saisissez une date et une heure valides."),
        ({"course_type": "webinar"}, "Sélectionnez un choix valide."),
    ],
)
def test_course_create_bad_input_writes_nothing(owner: User, changes: dict, expected: str) -> None:
    response = client_for(owner).post(reverse("courses:course_create"), {**COURSE_FORM, **changes})
    assert response.status_code == 400
    assert expected in html(response)
    assert not Course.objects.exists()


def test_course_create_is_for_instructors(outsider: User) -> None:
    url = reverse("courses:course_create")
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(outsider).post(url, COURSE_FORM).status_code == 403
    assert is_login_redirect(Client().get(url))
    assert not Course.objects.exists()


def test_course_edit_by_actor(
    course: Course, owner: User, other_instructor: User, member: User
) -> None:
    url = reverse("courses:course_edit", kwargs={"slug": course.slug})
    assert client_for(other_instructor).get(url).status_code == 403
    assert client_for(member).get(url).status_code == 403
    response = client_for(owner).post(url, {**COURSE_FORM, "title": "Titre changé"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Titre changé"
    refused = client_for(other_instructor).post(url, {**COURSE_FORM, "title": "Pirate"})
    assert refused.status_code == 403
    course.refresh_from_db()
    assert course.title == "Titre changé"


def test_publish_and_unpublish(draft_course: Course, owner: User, other_instructor: User) -> None:
    url = reverse("courses:course_publish", kwargs={"slug": draft_course.slug})
    assert client_for(other_instructor).post(url, {"published": "1"}).status_code == 404
    client_for(owner).post(url, {"published": "1"})
    draft_course.refresh_from_db()
    assert draft_course.is_published
    client_for(owner).post(url, {"published": "0"})
    draft_course.refresh_from_db()
    assert not draft_course.is_published


# --- Content management ---------------------------------------------------------------


def test_content_page_by_actor(
    course: Course, owner: User, admin_user: User, other_instructor: User, member: User
) -> None:
    url = reverse("courses:content", kwargs={"slug": course.slug})
    assert is_login_redirect(Client().get(url))
    assert client_for(member).get(url).status_code == 403
    assert client_for(other_instructor).get(url).status_code == 403
    for user in (owner, admin_user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert "Ajouter un module" in html(response)


def test_content_page_query_count_does_not_grow(owner: User) -> None:
    small = build_course(owner, title="Petit", modules=1, lessons_per_module=1)
    big = build_course(owner, title="Grand", modules=4, lessons_per_module=5)
    client = client_for(owner)
    counts = []
    for course in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("courses:content", kwargs={"slug": course.slug}))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_module_create_edit_delete(course: Course, owner: User, other_instructor: User) -> None:
    client = client_for(owner)
    create = reverse("courses:module_create", kwargs={"slug": course.slug})
    assert client.post(create, {"title": ""}).status_code == 400
    assert client_for(other_instructor).post(create, {"title": "Intrus"}).status_code == 403
    assert client.post(create, {"title": "Module ajouté", "description": ""}).status_code == 302
    module = Module.objects.get(title="Module ajouté")
    edit = reverse("courses:module_edit", kwargs={"slug": course.slug, "module_id": module.pk})
    assert client.get(edit).status_code == 200
    client.post(edit, {"title": "Module renommé", "description": "Détails"})
    module.refresh_from_db()
    assert module.title == "Module renommé"
    delete = reverse("courses:module_delete", kwargs={"slug": course.slug, "module_id": module.pk})
    assert client_for(other_instructor).post(delete).status_code == 403
    client.post(delete)
    assert not Module.objects.filter(pk=module.pk).exists()


def test_lesson_create_edit_delete(course: Course, owner: User) -> None:
    client = client_for(owner)
    module = course.modules.first()
    assert module is not None
    create = reverse("courses:lesson_create", kwargs={"slug": course.slug, "module_id": module.pk})
    assert client.get(create).status_code == 200
    data = {
        "title": "Vidéo",
        "content_type": "video",
        "body": "",
        "video_url": "",
        "duration_minutes": "5",
    }
    refused = client.post(create, data)
    assert refused.status_code == 400
    assert "Une leçon vidéo a besoin d" in html(refused)
    assert not Lesson.objects.filter(title="Vidéo").exists()
    client.post(create, {**data, "video_url": "https://videos.example/v.mp4", "is_required": "on"})
    lesson = Lesson.objects.get(title="Vidéo")
    assert lesson.video_url == "https://videos.example/v.mp4" and lesson.is_required
    edit = reverse("courses:lesson_edit", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    client.post(edit, {**data, "content_type": "text", "body": "Du texte", "duration_minutes": "7"})
    lesson.refresh_from_db()
    assert (lesson.content_type, lesson.body, lesson.is_required) == ("text", "Du texte", False)
    delete = reverse("courses:lesson_delete", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    client.post(delete)
    assert not Lesson.objects.filter(pk=lesson.pk).exists()


def test_quiz_create_for_a_module_and_final_conflict(owner: User) -> None:
    course = build_course(owner, title="Sans quiz", modules=0, with_final=True)
    module = services.module_create(actor=owner, course=course, title="M")
    client = client_for(owner)
    url = reverse("courses:quiz_create", kwargs={"slug": course.slug})
    data = {"title": "Quiz du module", "passing_score": "60", "max_attempts": "2", "due_at": ""}
    assert client.get(url, {"module": module.pk}).status_code == 200
    response = client.post(url, {**data, "module": module.pk})
    created = Quiz.objects.get(module=module)
    assert response["Location"] == reverse(
        "courses:quiz_edit", kwargs={"slug": course.slug, "quiz_id": created.pk}
    )
    assert (created.passing_score, created.max_attempts) == (60, 2)
    conflict = client.post(url, {**data, "title": "Deuxième finale"})
    assert conflict.status_code == 409
    assert "Ce cours a déjà une évaluation finale." in html(conflict)
    bad = client.post(url, {**data, "title": "Trop exigeant", "passing_score": "150"})
    assert bad.status_code == 400
    assert "Entre 0 et 100 %." in html(bad)
    assert Quiz.objects.filter(course=course).count() == 2


def test_quiz_edit_questions_and_delete(course: Course, owner: User, member: User) -> None:
    quiz = module_quiz(course)
    client = client_for(owner)
    edit = reverse("courses:quiz_edit", kwargs={"slug": course.slug, "quiz_id": quiz.pk})
    assert client_for(member).get(edit).status_code == 403
    assert client.get(edit).status_code == 200
    client.post(
        edit, {"title": "Quiz renommé", "passing_score": "80", "max_attempts": "", "due_at": ""}
    )
    quiz.refresh_from_db()
    assert (quiz.title, quiz.passing_score) == ("Quiz renommé", 80)

    add = reverse("courses:question_create", kwargs={"slug": course.slug, "quiz_id": quiz.pk})
    good = {
        "text": "Couleur du ciel ?",
        "choices": "Bleu\n\nVert\nRouge",
        "correct": "1",
        "points": "2",
    }
    assert client.post(add, good).status_code == 302
    question = Question.objects.get(text="Couleur du ciel ?")
    assert question.choices == ["Bleu", "Vert", "Rouge"] and question.correct_choices == [0]
    for correct in ("9", "a"):
        bad = client.post(add, {**good, "text": "Mauvaise", "correct": correct})
        assert bad.status_code == 400
        assert "Indiquez" in html(bad)
    assert not Question.objects.filter(text="Mauvaise").exists()

    delete_q = reverse(
        "courses:question_delete", kwargs={"slug": course.slug, "question_id": question.pk}
    )
    client.post(delete_q)
    assert not Question.objects.filter(pk=question.pk).exists()

    delete = reverse("courses:quiz_delete", kwargs={"slug": course.slug, "quiz_id": quiz.pk})
    assert client_for(member).post(delete).status_code == 403
    client.post(delete)
    assert not Quiz.objects.filter(pk=quiz.pk).exists()
