"""Authentication through the API: login, tokens (expiry, revocation), throttling,
session cookie + CSRF, identity never taken from the client, French messages."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from campus.accounts.models import ApiToken, Role, User
from campus.accounts.tokens import token_issue
from conftest import PASSWORD, ApiClient, assert_error

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login"


def login(client: ApiClient, email: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"email": email, "password": password, **extra})


@pytest.fixture
def student(user_factory: Any) -> User:
    return user_factory(Role.STUDENT, email="ama@example.test", first_name="Ama", last_name="K")


# --- Login ------------------------------------------------------------------------------


def test_login_returns_a_token_that_works_as_bearer(student: User) -> None:
    response = login(ApiClient(), "ama@example.test", PASSWORD)

    assert response.status_code == 200
    data = response.json_body["data"]
    assert data["user"] == {
        "id": student.pk,
        "email": "ama@example.test",
        "first_name": "Ama",
        "last_name": "K",
        "full_name": "Ama K",
        "role": "student",
        "timezone": "Africa/Porto-Novo",
        "language": "fr",
        "data_saver": False,
        "firstName": "Ama",
        "lastName": "K",
    }
    assert data["refreshToken"] and data["refreshToken"] != data["token"]
    assert "password" not in response.content.decode()
    me = ApiClient(data["token"]).get("/api/auth/me")
    assert me.status_code == 200
    assert me.json_body["data"]["id"] == student.pk
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=data["token"]).exists()
    assert ApiToken.objects.filter(user=student).count() == 1


def test_login_email_is_case_and_space_insensitive(student: User) -> None:
    response = login(ApiClient(), "  AMA@Example.TEST ", PASSWORD)
    assert response.status_code == 200
    assert response.json_body["data"]["user"]["id"] == student.pk


def test_wrong_password_is_401_invalid_credentials(student: User) -> None:
    body = assert_error(
        login(ApiClient(), student.email, "not-the-password"), 401, "invalid_credentials"
    )
    assert body["message"] == "E-mail ou mot de passe incorrect."
    assert not ApiToken.objects.exists()


def test_unknown_email_is_the_same_401(db: Any) -> None:
    body = assert_error(
        login(ApiClient(), "nobody@example.test", PASSWORD), 401, "invalid_credentials"
    )
    assert body["message"] == "E-mail ou mot de passe incorrect."


def test_inactive_user_cannot_log_in(student: User) -> None:
    student.is_active = False
    student.save()
    assert_error(login(ApiClient(), student.email, PASSWORD), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "ama@example.test"}, {"password": PASSWORD}, {"email": "a", "password": "x"}],
)
def test_login_with_missing_or_bad_fields_is_400(student: User, body: dict) -> None:
    assert_error(ApiClient().post(LOGIN, body), 400, "validation_error")


def test_role_and_user_id_in_the_login_body_are_ignored(student: User, admin_user: User) -> None:
    response = login(ApiClient(), student.email, PASSWORD, role="admin", user_id=admin_user.pk)

    assert response.status_code == 200
    assert response.json_body["data"]["user"]["id"] == student.pk
    assert response.json_body["data"]["user"]["role"] == "student"
    student.refresh_from_db()
    assert student.role == Role.STUDENT
    me = ApiClient(response.json_body["data"]["token"]).get("/api/auth/me")
    assert me.json_body["data"]["id"] == student.pk
    assert me.json_body["data"]["role"] == "student"


# --- Throttling -------------------------------------------------------------------------


def test_after_the_failure_limit_even_the_right_password_is_429(
    student: User, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 5
    client = ApiClient()
    for _ in range(5):
        assert_error(login(client, student.email, "wrong"), 401, "invalid_credentials")

    response = login(client, student.email, PASSWORD)

    body = assert_error(response, 429, "rate_limited")
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert body["error"]["details"] == {"retry_after": retry_after}
    assert not ApiToken.objects.exists()


def test_throttle_is_lifted_when_the_window_passes(student: User, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    client = ApiClient()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            login(client, student.email, "wrong")
        assert_error(login(client, student.email, PASSWORD), 429, "rate_limited")
        traveller.shift(timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1))
        assert login(client, student.email, PASSWORD).status_code == 200


def test_a_success_resets_the_failure_count(student: User, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    client = ApiClient()
    for _ in range(2):
        assert_error(login(client, student.email, "wrong"), 401, "invalid_credentials")
    assert login(client, student.email, PASSWORD).status_code == 200
    for _ in range(2):
        assert_error(login(client, student.email, "wrong"), 401, "invalid_credentials")
    # 4 failures in the window, but only 2 since the success: not throttled.
    assert login(client, student.email, PASSWORD).status_code == 200


def test_throttle_is_per_email(student: User, user_factory: Any, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    other = user_factory(email="other@example.test")
    client = ApiClient()
    for _ in range(3):
        login(client, student.email, "wrong")
    assert_error(login(client, student.email, PASSWORD), 429, "rate_limited")
    assert login(client, other.email, PASSWORD).status_code == 200


def test_many_failures_from_one_address_across_emails_are_throttled(
    student: User, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    client = ApiClient()
    for n in range(8):  # the address's limit, spread over emails
        assert_error(login(client, f"guess{n}@example.test", "wrong"), 401, "invalid_credentials")
    assert_error(login(client, student.email, PASSWORD), 429, "rate_limited")


# --- Tokens -----------------------------------------------------------------------------


def test_logout_revokes_the_bearer_token(student: User) -> None:
    raw = login(ApiClient(), student.email, PASSWORD).json_body["data"]["token"]
    client = ApiClient(raw)
    assert client.get("/api/auth/me").status_code == 200

    response = client.post("/api/auth/logout")

    assert response.status_code == 200
    assert response.json_body == {"success": True, "data": {"logged_out": True}}
    assert_error(client.get("/api/auth/me"), 401, "invalid_token")
    assert ApiToken.objects.get(user=student).revoked_at is not None


def test_logout_revokes_only_the_token_used(student: User) -> None:
    first, _ = token_issue(user=student)
    second, _ = token_issue(user=student)
    ApiClient(first).post("/api/auth/logout")
    assert_error(ApiClient(first).get("/api/auth/me"), 401, "invalid_token")
    assert ApiClient(second).get("/api/auth/me").status_code == 200


def test_expired_token_is_401(student: User, settings: Any) -> None:
    raw, _ = token_issue(user=student)
    client = ApiClient(raw)
    assert client.get("/api/auth/me").status_code == 200
    later = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        assert_error(client.get("/api/auth/me"), 401, "invalid_token")


def test_token_just_before_expiry_still_works(student: User, settings: Any) -> None:
    raw, _ = token_issue(user=student)
    later = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS, minutes=-1)
    with time_machine.travel(later, tick=False):
        assert ApiClient(raw).get("/api/auth/me").status_code == 200


def test_revoked_token_is_401(student: User) -> None:
    raw, token = token_issue(user=student)
    token.revoked_at = timezone.now()
    token.save()
    assert_error(ApiClient(raw).get("/api/auth/me"), 401, "invalid_token")


def test_token_of_a_deactivated_user_is_401(student: User) -> None:
    raw, _ = token_issue(user=student)
    student.is_active = False
    student.save()
    assert_error(ApiClient(raw).get("/api/auth/me"), 401, "invalid_token")


@pytest.mark.parametrize("path", ["/api/courses", "/api/auth/me"])
@pytest.mark.parametrize("token", ["garbage", "x" * 500, "Bearer", "ééé"])
def test_garbage_token_is_401_even_on_public_endpoints(db: Any, path: str, token: str) -> None:
    assert_error(ApiClient(token).get(path), 401, "invalid_token")


def test_no_token_on_a_protected_endpoint_is_401_not_authenticated(db: Any) -> None:
    body = assert_error(ApiClient().get("/api/auth/me"), 401, "not_authenticated")
    assert body["message"] == "Connectez-vous pour continuer."


def test_token_use_is_recorded_at_most_once_a_minute(student: User) -> None:
    raw, token = token_issue(user=student)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        ApiClient(raw).get("/api/auth/me")
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        traveller.shift(timedelta(seconds=30))
        ApiClient(raw).get("/api/auth/me")
        token.refresh_from_db()
        assert token.last_used_at == first
        traveller.shift(timedelta(seconds=60))
        ApiClient(raw).get("/api/auth/me")
        token.refresh_from_db()
        assert token.last_used_at is not None and token.last_used_at > first


# --- Session cookie + CSRF --------------------------------------------------------------


def test_session_cookie_authenticates_get(student: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.get("/api/auth/me")
    assert response.status_code == 200
    assert response.json()["data"]["id"] == student.pk


def test_session_post_without_csrf_token_is_403_csrf_failed(student: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post("/api/auth/logout", content_type="application/json")
    assert_error(response, 403, "csrf_failed")
    # Still logged in: the refused POST did nothing.
    assert client.get("/api/auth/me").status_code == 200


def test_session_post_with_csrf_token_is_accepted(student: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    response = client.post(
        "/api/auth/logout", content_type="application/json", HTTP_X_CSRFTOKEN=secret
    )
    assert response.status_code == 200, response.content
    # Session logout: the cookie no longer authenticates.
    assert_error(client.get("/api/auth/me"), 401, "not_authenticated")


def test_anonymous_post_without_cookies_is_401_not_csrf(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/auth/logout", content_type="application/json")
    assert_error(response, 401, "not_authenticated")


def test_bearer_requests_need_no_csrf_token(student: User) -> None:
    raw, _ = token_issue(user=student)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/auth/logout", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200


# --- Language ---------------------------------------------------------------------------


def test_messages_are_french_by_default(student: User) -> None:
    unauthenticated = assert_error(ApiClient().get("/api/auth/me"), 401)
    assert unauthenticated["message"] == "Connectez-vous pour continuer."
    body = assert_error(ApiClient().post(LOGIN, {"email": student.email}), 400, "validation_error")
    assert body["message"] == "Les données envoyées sont invalides."
    assert body["error"]["details"] == [
        {"field": "password", "code": "missing", "message": "Ce champ est obligatoire."}
    ]


def test_a_french_speaking_user_gets_french_whatever_the_browser_says(student: User) -> None:
    raw, _ = token_issue(user=student)
    response = ApiClient(raw).get("/api/courses/987654", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(response, 404, "course_not_found")["message"] == "Cours introuvable."


def test_throttle_works_on_the_shared_database_cache(student: User, settings: Any) -> None:
    """Production's default cache (no CACHE_URL) is the database: every web process sees
    the same failure counts. The autouse fixture's per-test LocMemCache is swapped back."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "campus_cache",
        }
    }
    cache.clear()
    settings.LOGIN_FAILURE_LIMIT = 2
    client = ApiClient()
    for _ in range(2):
        assert_error(login(client, student.email, "wrong"), 401, "invalid_credentials")
    assert_error(login(client, student.email, PASSWORD), 429, "rate_limited")
