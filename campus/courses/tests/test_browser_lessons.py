"""End to end in headless Chromium, from the demo data: a student opens a lesson of
"Introduction à Python" and sees its Markdown rendered (headings, a code block whose
4-space indentation is intact, scrolling inside itself on a phone, never the page); the
course's instructor previews a lesson while editing it."""

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from campus.courses.management import demo_content
from campus.courses.management.commands.demo import demo_email
from campus.courses.models import Course, Lesson
from conftest import DESKTOP, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"width": 360, "height": 780}
STUDENT = "koffi.adjovi@demo.campus.local"


def lesson_with_code(course: Course, title: str) -> Lesson:
    lesson = Lesson.objects.get(course=course, title=title)
    assert "```python" in lesson.body
    return lesson


def no_page_wide_scroll(page: Any) -> bool:
    root = "document.documentElement"
    return bool(page.evaluate(f"{root}.scrollWidth <= {root}.clientWidth"))


def test_student_reads_a_lesson_with_headings_and_an_indented_code_block(
    live_server: Any, browser_page: Any
) -> None:
    call_command("demo", force=True, verbosity=0)
    course = Course.objects.get(title=demo_content.PYTHON.title)
    lesson = lesson_with_code(course, "Les conditions : if, elif, else")
    page = browser_page
    page.set_viewport_size(PHONE_360)
    browser_login(page, live_server.url, STUDENT, demo_content.DEMO_PASSWORD)

    page.goto(f"{live_server.url}{reverse('courses:lesson', args=[course.slug, lesson.pk])}")
    body = page.locator(".lesson-body")
    assert body.get_by_role("heading", level=2).inner_text() == "Décider"
    code = body.locator("pre code")
    text = code.inner_text()
    assert 'if note >= 16:\n    print("Très bien")\n' in text
    assert 'else:\n    print("À retravailler")' in text
    assert "```" not in body.inner_text() and "**" not in body.inner_text()
    assert body.locator("strong", has_text="indentation").count() == 1
    assert body.locator("pre").evaluate("e => getComputedStyle(e).whiteSpace") == "pre"
    assert no_page_wide_scroll(page)
    screenshot(page, "lesson-code-phone-360")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "lesson-code-desktop")

    # The longest line of the demo (a typed function signature) is wider than a 360 px
    # phone: the code block scrolls, the page does not.
    longest = lesson_with_code(course, "Écrire ses propres fonctions")
    page.set_viewport_size(PHONE_360)
    page.goto(f"{live_server.url}{reverse('courses:lesson', args=[course.slug, longest.pk])}")
    pre = page.locator(".lesson-body pre")
    assert "    return round(prix_ht * (1 + tva), 2)" in pre.inner_text()
    assert pre.evaluate("e => e.scrollWidth > e.clientWidth")
    assert no_page_wide_scroll(page)
    screenshot(page, "lesson-long-code-phone-360")


def test_instructor_previews_a_lesson_while_editing(live_server: Any, browser_page: Any) -> None:
    call_command("demo", force=True, verbosity=0)
    course = Course.objects.get(title=demo_content.PYTHON.title)
    lesson = lesson_with_code(course, "Variables et types de base")
    instructor = demo_content.INSTRUCTORS[demo_content.PYTHON.instructor]
    page = browser_page
    page.set_viewport_size(PHONE_360)
    browser_login(page, live_server.url, demo_email(instructor), demo_content.DEMO_PASSWORD)

    edit = reverse("courses:lesson_edit", kwargs={"slug": course.slug, "lesson_id": lesson.pk})
    page.goto(f"{live_server.url}{edit}")
    page.get_by_label("Texte de la leçon").fill(
        "## Aperçu rapide\n\n```python\nfor i in range(3):\n    print(i)\n```"
    )
    page.get_by_role("button", name="Aperçu").click()
    output = page.locator("#id_body-preview")
    output.get_by_role("heading", level=2, name="Aperçu rapide").wait_for()
    assert "for i in range(3):\n    print(i)" in output.locator("pre").inner_text()
    assert no_page_wide_scroll(page)
    output.scroll_into_view_if_needed()
    screenshot(page, "lesson-preview-phone-360")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "lesson-preview-desktop")
    # Nothing was saved by the preview.
    lesson.refresh_from_db()
    assert "Aperçu rapide" not in lesson.body
