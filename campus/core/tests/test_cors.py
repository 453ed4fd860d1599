"""CORS: a frontend on another origin (the original MdSC Next.js app) may call the API,
only from the origins the operator lists, with a bearer token, never with cookies."""

from typing import Any

import pytest
from django.test import Client

from campus.accounts.models import User

ALLOWED = "http://localhost:3000"
REFUSED = "https://evil.example"

pytestmark = pytest.mark.django_db


@pytest.fixture
def frontend_allowed(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def preflight(path: str, origin: str, method: str = "GET", headers: str = "authorization"):
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_no_origin_is_allowed_by_default() -> None:
    response = preflight("/api/courses", ALLOWED)
    assert "access-control-allow-origin" not in response.headers
    response = Client().get("/api/courses", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.usefixtures("frontend_allowed")
def test_preflight_from_an_allowed_origin_allows_the_bearer_header() -> None:
    response = preflight("/api/auth/me", ALLOWED, "POST", "authorization, content-type")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers
    assert "content-type" in allowed_headers
    assert "POST" in response.headers["access-control-allow-methods"]
    # Bearer tokens only: the browser must never send Campus's cookies cross-origin.
    assert "access-control-allow-credentials" not in response.headers
    # Long-lived preflight: one OPTIONS per day, not one per call on a slow link.
    assert int(response.headers["access-control-max-age"]) >= 3600


@pytest.mark.usefixtures("frontend_allowed")
def test_preflight_from_a_refused_origin_gets_no_allowance() -> None:
    response = preflight("/api/courses", REFUSED)
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.usefixtures("frontend_allowed")
def test_actual_request_from_an_allowed_origin_with_a_token(user_factory: Any, api: Any) -> None:
    student: User = user_factory()
    token = api(student).token
    response = Client().get(
        "/api/auth/me", HTTP_ORIGIN=ALLOWED, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()

    refused = Client().get("/api/courses", HTTP_ORIGIN=REFUSED)
    assert refused.status_code == 200  # CORS is the browser's rule: the server just says no
    assert "access-control-allow-origin" not in refused.headers


@pytest.mark.usefixtures("frontend_allowed")
def test_errors_carry_the_cors_header_so_the_frontend_can_read_them() -> None:
    response = Client().get("/api/auth/me", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ALLOWED


@pytest.mark.usefixtures("frontend_allowed")
def test_pages_stay_same_origin() -> None:
    response = Client().get("/", HTTP_ORIGIN=ALLOWED)
    assert "access-control-allow-origin" not in response.headers
    response = preflight("/accounts/login/", ALLOWED, "POST")
    assert "access-control-allow-origin" not in response.headers
