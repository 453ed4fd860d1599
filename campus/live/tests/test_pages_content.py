"""A live session's description is instructor-written Markdown: rendered (sanitized) on
the student's and the owner's pages, plain text in calendars, with an "Aperçu" in the
session and series forms."""

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.agenda.templatetags.agenda_links import session_calendar_links
from campus.courses.models import Course
from campus.live.tests.helpers import make_session
from campus.notifications.invitations import session_snapshot

pytestmark = pytest.mark.django_db

DESCRIPTION = "Apportez :\n\n- votre **code**\n- `VS Code` ouvert\n\n<script>alert(1)</script>"


def page_of(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def test_students_and_owner_see_the_description_rendered(
    owner: User, course: Course, member: User
) -> None:
    session = make_session(owner, course, description=DESCRIPTION)
    student = page_of(
        member,
        reverse("live:session_detail", kwargs={"slug": course.slug, "session_id": session.pk}),
    )
    manage = page_of(
        owner,
        reverse("live:session_manage", kwargs={"course_id": course.pk, "session_id": session.pk}),
    )
    for page in (student, manage):
        assert "<li>votre <strong>code</strong></li>" in page
        assert "<code>VS Code</code>" in page
        assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_calendars_get_the_description_as_plain_text(
    owner: User, course: Course, member: User
) -> None:
    session = make_session(owner, course, description=DESCRIPTION)
    expected = "Apportez :\n\n• votre code\n• VS Code ouvert\n\n<script>alert(1)</script>"
    assert session_snapshot(session)["description"] == expected
    google = session_calendar_links(session)["google"]
    assert "votre+code" in google
    assert "%2A%2A" not in google and "**" not in google


@pytest.mark.parametrize("name", ["session_create", "series_create"])
def test_session_forms_offer_a_preview_of_the_description(
    owner: User, course: Course, name: str
) -> None:
    page = page_of(owner, reverse(f"live:{name}", kwargs={"course_id": course.pk}))
    assert 'hx-post="/apercu"' in page
    assert 'hx-params="field,description"' in page
    assert 'id="id_description-preview"' in page


def test_session_edit_form_offers_a_preview(owner: User, course: Course) -> None:
    session = make_session(owner, course, description=DESCRIPTION)
    page = page_of(
        owner,
        reverse("live:session_edit", kwargs={"course_id": course.pk, "session_id": session.pk}),
    )
    assert 'hx-post="/apercu"' in page
