"""POST /apercu: the authoring forms' Markdown preview (htmx). Instructors and admins
only, CSRF-checked, bounded, and its HTML goes through the one sanitizer."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.core import content
from campus.core.tests.test_content import assert_safe
from campus.core.views import PREVIEW_LIMIT

pytestmark = pytest.mark.django_db

URL = "/apercu"


def client_for(user: User | None, **kw: Any) -> Client:
    client = Client(**kw)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def instructor(user_factory: Callable[..., User]) -> User:
    return user_factory(Role.INSTRUCTOR)


def test_url_name() -> None:
    assert reverse("preview") == URL


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ADMIN])
def test_renders_the_named_field_as_it_will_show(
    user_factory: Callable[..., User], role: str
) -> None:
    text = "## Décider\n\n```python\nif note >= 16:\n    print('Très bien')\n```"
    response = client_for(user_factory(role)).post(URL, {"field": "body", "body": text})
    assert response.status_code == 200
    assert response["Campus-Fragment"] == "1"
    page = response.content.decode()
    assert "<h2>Décider</h2>" in page
    assert "<pre><code>if note &gt;= 16:\n    print('Très bien')\n</code></pre>" in page
    assert "<html" not in page  # a fragment, not a page


def test_default_field_is_text(instructor: User) -> None:
    response = client_for(instructor).post(URL, {"text": "**gras**"})
    assert "<strong>gras</strong>" in response.content.decode()


def test_empty_text_says_so(instructor: User) -> None:
    response = client_for(instructor).post(URL, {"field": "description", "description": ""})
    assert response.status_code == 200
    assert "Rien à afficher" in response.content.decode()


def test_anonymous_is_sent_to_the_login_page() -> None:
    response = client_for(None).post(URL, {"text": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_htmx_gets_a_client_redirect() -> None:
    response = client_for(None).post(URL, {"text": "x"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_student_is_refused(user_factory: Callable[..., User]) -> None:
    response = client_for(user_factory(Role.STUDENT)).post(URL, {"text": "**x**"})
    assert response.status_code == 403
    assert "<strong>x</strong>" not in response.content.decode()


def test_get_is_not_allowed(instructor: User) -> None:
    assert client_for(instructor).get(URL).status_code == 405


def test_csrf_is_checked(instructor: User) -> None:
    client = client_for(instructor, enforce_csrf_checks=True)
    assert client.post(URL, {"text": "x"}).status_code == 403


def test_oversize_is_a_clear_400(instructor: User) -> None:
    text = "a" * (content.PREVIEW_MAX_CHARS + 1)
    response = client_for(instructor).post(URL, {"text": text})
    assert response.status_code == 400
    assert response["Campus-Fragment"] == "1"
    page = response.content.decode()
    assert "Texte trop long pour l&#x27;aperçu : 200001 caractères, 200000 au plus." in page


def test_text_at_the_bound_is_rendered(instructor: User) -> None:
    text = "a" * content.PREVIEW_MAX_CHARS
    response = client_for(instructor).post(URL, {"text": text})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        "<script>window.__xss=1</script>",
        "<img src=x onerror=alert(1)>",
        "[clic](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "```html\n<script>alert(1)</script>\n```",
    ],
)
def test_xss_payloads_come_back_sanitized(instructor: User, payload: str) -> None:
    response = client_for(instructor).post(URL, {"text": payload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script" not in page
    label, rendered = page.split("</p>", 1)
    assert 'class="md-preview-label"' in label
    assert_safe(rendered)


def test_previews_are_rate_limited(instructor: User) -> None:
    client = client_for(instructor)
    for _ in range(PREVIEW_LIMIT):
        assert client.post(URL, {"text": "x"}).status_code == 200
    response = client.post(URL, {"text": "x"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
