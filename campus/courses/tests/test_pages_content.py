"""Instructor-written text on the course pages goes through campus.core.content: lessons
render their Markdown (headings, code blocks with their indentation), quiz questions and
answers their inline Markdown, course descriptions their Markdown, the catalogue a plain
excerpt; the authoring forms offer the "Aperçu"."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.courses import services
from campus.courses.models import Course, Lesson, Quiz

pytestmark = pytest.mark.django_db

LESSON = (
    "## Décider\n\n"
    "Une **condition** :\n\n"
    "```python\n"
    "note = 14\n"
    "if note >= 16:\n"
    '    print("Très bien")\n'
    "else:\n"
    '    print("À retravailler")\n'
    "```\n\n"
    "- un\n- deux\n"
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def first_lesson(course: Course) -> Lesson:
    lesson = Lesson.objects.filter(course=course).order_by("module__position", "position").first()
    assert lesson is not None
    return lesson


def lesson_url(lesson: Lesson) -> str:
    return reverse("courses:lesson", kwargs={"slug": lesson.course.slug, "lesson_id": lesson.pk})


def test_lesson_renders_headings_lists_and_indented_code(
    course: Course, member: User, owner: User
) -> None:
    lesson = first_lesson(course)
    services.lesson_update(actor=owner, lesson=lesson, body=LESSON)
    page = html(client_for(member).get(lesson_url(lesson)))
    assert '<div class="lesson-body prose">' in page
    assert "<h2>Décider</h2>" in page
    assert "<strong>condition</strong>" in page
    assert "<li>un</li>" in page
    assert (
        "<pre><code>note = 14\nif note &gt;= 16:\n"
        '    print("Très bien")\nelse:\n    print("À retravailler")\n</code></pre>'
    ) in page
    assert "```" not in page and "## " not in page and "**" not in page


def test_lesson_markdown_cannot_inject_markup(course: Course, member: User, owner: User) -> None:
    lesson = first_lesson(course)
    body = "[clic](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>"
    services.lesson_update(actor=owner, lesson=lesson, body=body)
    page = html(client_for(member).get(lesson_url(lesson)))
    assert "<script>alert(1)" not in page and "<img" not in page
    assert 'href="javascript' not in page


def make_quiz_with_code(owner: User, course: Course) -> Quiz:
    quiz = Quiz.objects.filter(course=course, module__isnull=False).order_by("module__position")[0]
    services.question_create(
        actor=owner,
        quiz=quiz,
        text='Que vaut `len("Bénin")` ?',
        choices=["`4`", "**5**", "1. six"],
        correct_choices=[1],
    )
    return quiz


def quiz_url(quiz: Quiz) -> str:
    return reverse("courses:quiz", kwargs={"slug": quiz.course.slug, "quiz_id": quiz.pk})


@pytest.mark.parametrize("who", ["member", "owner"])
def test_quiz_question_and_answers_render_inline_markdown(
    course: Course, member: User, owner: User, who: str
) -> None:
    quiz = make_quiz_with_code(owner, course)
    page = html(client_for(member if who == "member" else owner).get(quiz_url(quiz)))
    assert 'Que vaut <code>len("Bénin")</code> ?</legend>' in page
    assert '<span class="md-inline"><code>4</code></span>' in page
    assert '<span class="md-inline"><strong>5</strong></span>' in page
    # Inline only: an answer written "1. six" stays that text, not a list in a label.
    assert '<span class="md-inline">1. six</span>' in page
    assert "`" not in page.split("<main", 1)[1]


def test_quiz_editor_shows_questions_as_students_see_them(course: Course, owner: User) -> None:
    quiz = make_quiz_with_code(owner, course)
    url = reverse("courses:quiz_edit", kwargs={"slug": course.slug, "quiz_id": quiz.pk})
    page = html(client_for(owner).get(url))
    assert '<code>len("Bénin")</code>' in page and "<strong>5</strong>" in page


def test_course_description_is_rendered_and_the_catalogue_shows_a_plain_excerpt(
    course: Course, owner: User, member: User
) -> None:
    description = "## À propos\n\nUn cours **pratique** avec `print()`.\n\n- bases\n- exercices"
    Course.objects.filter(pk=course.pk).update(description=description)
    detail = html(client_for(member).get(reverse("courses:detail", kwargs={"slug": course.slug})))
    assert '<div class="description prose"><h2>À propos</h2>' in detail
    assert "<strong>pratique</strong>" in detail and "<code>print()</code>" in detail
    catalogue = html(client_for(member).get(reverse("courses:catalogue")))
    assert "À propos Un cours pratique avec print(). bases exercices" in catalogue
    assert "**" not in catalogue and "## " not in catalogue and "`" not in catalogue


def test_module_description_is_rendered(course: Course, member: User) -> None:
    module = course.modules.order_by("position")[0]
    type(module).objects.filter(pk=module.pk).update(description="Les *bases* : `if`")
    detail = html(client_for(member).get(reverse("courses:detail", kwargs={"slug": course.slug})))
    assert "<em>bases</em> : <code>if</code>" in detail


def assert_preview_for(page: str, field_id: str, name: str) -> None:
    assert 'hx-post="/apercu"' in page
    assert f'hx-include="#{field_id}"' in page
    assert f'hx-params="field,{name}"' in page
    assert f'hx-vals=\'{{"field": "{name}"}}\'' in page
    assert f'id="{field_id}-preview"' in page


def test_lesson_and_course_forms_offer_a_preview(course: Course, owner: User) -> None:
    client = client_for(owner)
    lesson = first_lesson(course)
    edit = reverse("courses:lesson_edit", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    assert_preview_for(html(client.get(edit)), "id_body", "body")
    module = course.modules.order_by("position")[0]
    create = reverse("courses:lesson_create", kwargs={"slug": course.slug, "module_id": module.pk})
    assert_preview_for(html(client.get(create)), "id_body", "body")
    course_edit = reverse("courses:course_edit", kwargs={"slug": course.slug})
    assert_preview_for(html(client.get(course_edit)), "id_description", "description")
    assert_preview_for(
        html(client.get(reverse("courses:course_create"))), "id_description", "description"
    )


def test_the_preview_of_a_lesson_form_matches_the_lesson_page(
    course: Course, owner: User, member: User
) -> None:
    preview = client_for(owner).post("/apercu", {"field": "body", "body": LESSON})
    lesson = first_lesson(course)
    services.lesson_update(actor=owner, lesson=lesson, body=LESSON)
    page = html(client_for(member).get(lesson_url(lesson)))
    rendered = preview.content.decode().split("</p>", 1)[1].strip()
    assert rendered in page
