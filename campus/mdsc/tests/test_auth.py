"""MdSC frontend contract, auth: login/me's extra fields, /users/me, refresh tokens
(rotation, reuse, expiry, logout, deactivation, concurrency), registration, forgotten
and changed passwords. Through the public API only."""

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from campus.accounts import services
from campus.accounts.models import ApiToken, RefreshToken, Role, User
from conftest import PASSWORD, ApiClient, assert_error

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Campus-change-2026!"


def login(email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = ApiClient().post("/api/auth/login", {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json_body["data"]


def refresh(raw: Any, *, token: str | None = None) -> Any:
    return ApiClient(token).post("/api/auth/refresh-token", {"refreshToken": raw})


def field_codes(response: Any) -> dict[str, str]:
    return {item["field"]: item["code"] for item in response.json_body["errors"]}


@pytest.fixture
def student(user_factory: Callable[..., User]) -> User:
    return user_factory(Role.STUDENT, email="koffi@example.test", first_name="Koffi")


# --- login and /auth/me: the frontend's names next to the canonical ones --------------


def test_login_gives_a_refresh_token_and_camel_case_names(student: User) -> None:
    data = login(student.email)
    assert data["refreshToken"] and data["token"]
    user = data["user"]
    assert user["firstName"] == user["first_name"] == "Koffi"
    assert user["lastName"] == user["last_name"] == student.last_name
    assert user["role"] == "student" and user["id"] == student.pk
    me = ApiClient(data["token"]).get("/api/auth/me").json_body["data"]
    assert me["firstName"] == "Koffi" and me["first_name"] == "Koffi"
    # Stored hashed, in one family.
    stored = RefreshToken.objects.get(user=student)
    assert stored.key_hash != data["refreshToken"]
    assert ApiToken.objects.get(user=student).family == stored.family


# --- GET/PUT /users/me ---------------------------------------------------------------


def test_users_me_reads_the_profile(student: User, api: Any) -> None:
    response = api(student).get("/api/users/me")
    assert response.status_code == 200
    data = response.json_body["data"]
    assert data["id"] == student.pk and data["email"] == student.email
    assert data["firstName"] == "Koffi" and data["first_name"] == "Koffi"
    assert data["role"] == "student" and data["isActive"] is True
    assert data["fullName"] == student.full_name
    assert data["createdAt"].endswith("Z") and data["lastLoginAt"] is None


def test_users_me_needs_a_login(db: Any) -> None:
    assert_error(ApiClient().get("/api/users/me"), 401)
    assert_error(ApiClient().put("/api/users/me", {"firstName": "X"}), 401)
    assert_error(ApiClient("nope").get("/api/users/me"), 401, "invalid_token")


def test_update_profile_with_the_frontends_names(student: User, api: Any) -> None:
    body = {
        "firstName": "Kofi",
        "lastName": "Mensah",
        "email": "KOFFI@example.test",  # unchanged (case aside): accepted
        "phone": "+229 00 00 00",
        "organization": "MdSC",
        "country": "BJ",
        "bio": "",
    }
    response = api(student).put("/api/users/me", body)
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert (data["firstName"], data["lastName"]) == ("Kofi", "Mensah")
    student.refresh_from_db()
    assert (student.first_name, student.last_name) == ("Kofi", "Mensah")


def test_update_profile_with_campus_names(student: User, api: Any) -> None:
    response = api(student).put(
        "/api/users/me",
        {"first_name": " Ama ", "timezone": "Europe/Paris", "language": "en", "data_saver": True},
    )
    assert response.status_code == 200
    student.refresh_from_db()
    assert student.first_name == "Ama" and student.timezone == "Europe/Paris"
    assert student.language == "en" and student.data_saver is True


def test_update_profile_never_takes_a_role(student: User, api: Any) -> None:
    response = api(student).put("/api/users/me", {"role": "admin", "is_staff": True})
    assert response.status_code == 200
    assert response.json_body["data"]["role"] == "student"
    student.refresh_from_db()
    assert student.role == Role.STUDENT and not student.is_staff


def test_update_profile_refuses_an_email_change(student: User, api: Any) -> None:
    response = api(student).put("/api/users/me", {"email": "autre@example.test"})
    assert_error(response, 400, "email_change_refused")
    student.refresh_from_db()
    assert student.email == "koffi@example.test"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "invalid_timezone"),
        ({"language": "de"}, "language", "invalid_language"),
        ({"firstName": "x" * 151}, "firstName", "string_too_long"),
        ({"last_name": "x" * 151}, "last_name", "string_too_long"),
        ({"timezone": "x" * 65}, "timezone", "string_too_long"),
        ({"data_saver": "peut-être"}, "data_saver", "bool_parsing"),
    ],
)
def test_update_profile_bad_input(
    student: User, api: Any, body: dict, field: str, code: str
) -> None:
    response = api(student).put("/api/users/me", body)
    assert_error(response, 400)
    assert field_codes(response).get(field) == code, response.json_body


# --- refresh tokens ------------------------------------------------------------------


def test_refresh_rotates_the_token(student: User) -> None:
    first = login(student.email)
    response = refresh(first["refreshToken"])
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["token"] not in (first["token"], None)
    assert data["refreshToken"] != first["refreshToken"]
    assert ApiClient(data["token"]).get("/api/users/me").json_body["data"]["id"] == student.pk
    # The new refresh token works in turn.
    assert refresh(data["refreshToken"]).status_code == 200


def test_refresh_accepts_the_snake_case_name_and_ignores_a_stale_bearer(student: User) -> None:
    first = login(student.email)
    # The frontend sends its (maybe expired) bearer token along: no matter.
    response = ApiClient("expired-or-garbage").post(
        "/api/auth/refresh-token", {"refresh_token": first["refreshToken"]}
    )
    assert response.status_code == 200


def test_reusing_a_spent_refresh_token_revokes_the_whole_login(student: User) -> None:
    first = login(student.email)
    other_login = login(student.email)
    second = refresh(first["refreshToken"]).json_body["data"]

    reused = refresh(first["refreshToken"])

    body = assert_error(reused, 401, "refresh_token_reused")
    assert "déjà servi" in body["message"]
    for token in (first["token"], second["token"]):
        assert_error(ApiClient(token).get("/api/auth/me"), 401, "invalid_token")
    assert_error(refresh(second["refreshToken"]), 401, "refresh_token_revoked")
    # Another login of the same person is not touched.
    assert ApiClient(other_login["token"]).get("/api/auth/me").status_code == 200
    assert refresh(other_login["refreshToken"]).status_code == 200


def test_expired_refresh_token_is_refused(student: User, settings: Any) -> None:
    first = login(student.email)
    later = timezone.now() + timedelta(days=settings.API_REFRESH_TOKEN_TTL_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        assert_error(refresh(first["refreshToken"]), 401, "refresh_token_expired")
    before = timezone.now() + timedelta(days=settings.API_REFRESH_TOKEN_TTL_DAYS, minutes=-1)
    with time_machine.travel(before, tick=False):
        assert refresh(first["refreshToken"]).status_code == 200


def test_logout_revokes_the_refresh_tokens_of_that_login(student: User) -> None:
    first = login(student.email)
    other_login = login(student.email)
    second = refresh(first["refreshToken"]).json_body["data"]

    # The frontend logs out with the bearer token it holds (and its refresh token in the
    # body, which Campus does not need).
    out = ApiClient(second["token"]).post(
        "/api/auth/logout", {"refreshToken": second["refreshToken"]}
    )

    assert out.status_code == 200
    assert_error(refresh(second["refreshToken"]), 401, "refresh_token_revoked")
    assert_error(ApiClient(first["token"]).get("/api/auth/me"), 401, "invalid_token")
    assert refresh(other_login["refreshToken"]).status_code == 200


def test_logout_with_the_first_token_ends_the_refreshed_ones_too(student: User) -> None:
    first = login(student.email)
    second = refresh(first["refreshToken"]).json_body["data"]
    assert ApiClient(first["token"]).post("/api/auth/logout").status_code == 200
    assert_error(ApiClient(second["token"]).get("/api/auth/me"), 401, "invalid_token")
    assert_error(refresh(second["refreshToken"]), 401, "refresh_token_revoked")


def test_a_deactivated_user_cannot_refresh(student: User) -> None:
    first = login(student.email)
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert_error(refresh(first["refreshToken"]), 401, "account_inactive")


def test_revoking_all_tokens_revokes_refresh_tokens(student: User) -> None:
    first = login(student.email)
    services.tokens_revoke_all(user=student)
    assert_error(refresh(first["refreshToken"]), 401, "refresh_token_revoked")
    assert_error(ApiClient(first["token"]).get("/api/auth/me"), 401, "invalid_token")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"refreshToken": "inconnu"}, 401, "invalid_refresh_token"),
        ({}, 400, None),
        ({"refreshToken": ""}, 400, None),
        ({"refreshToken": "x" * 201}, 400, None),
        ({"refreshToken": 12}, 400, None),
    ],
)
def test_refresh_bad_input(db: Any, body: dict, status: int, code: str | None) -> None:
    response = ApiClient().post("/api/auth/refresh-token", body)
    assert_error(response, status, code)


def test_an_access_token_is_not_a_refresh_token(student: User) -> None:
    first = login(student.email)
    assert_error(refresh(first["token"]), 401, "invalid_refresh_token")


def test_an_expired_access_token_says_so(student: User, settings: Any) -> None:
    """401 as before (the seeds' clients rely on it), with the reason and the words
    "Token expiré"; the refresh token repairs it."""
    first = login(student.email)
    later = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        body = assert_error(ApiClient(first["token"]).get("/api/users/me"), 401, "invalid_token")
        assert body["error"]["details"] == {"reason": "token_expired"}
        assert "Token expiré" in body["message"]
        renewed = refresh(first["refreshToken"], token=first["token"])
        assert renewed.status_code == 200
        assert ApiClient(renewed.json_body["data"]["token"]).get("/api/users/me").status_code == 200


# --- registration --------------------------------------------------------------------


REGISTER = "/api/auth/register"


def register_body(**extra: Any) -> dict[str, Any]:
    return {
        "email": "Nouvelle@Example.test",
        "password": "Campus-nouveau-2026!",
        "firstName": "Nouvelle",
        "lastName": "Personne",
        **extra,
    }


def test_register_creates_a_student_whatever_role_is_sent(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient().post(
            REGISTER,
            register_body(role="admin", phone="+229", country="BJ", acceptTerms=True),
        )
    assert response.status_code == 201, response.content
    body = response.json_body
    assert body["success"] is True and body["message"]
    assert body["data"]["user"]["role"] == "student"
    assert body["data"]["user"]["firstName"] == "Nouvelle"
    user = User.objects.get(email="nouvelle@example.test")
    assert user.role == Role.STUDENT and not user.is_staff and not user.is_superuser
    assert (user.first_name, user.last_name) == ("Nouvelle", "Personne")
    assert login("nouvelle@example.test", "Campus-nouveau-2026!")["user"]["id"] == user.pk
    assert len(mail.outbox) == 1  # the welcome email


def test_register_with_campus_names_and_preferences(db: Any) -> None:
    response = ApiClient().post(
        REGISTER,
        {
            "email": "awa@example.test",
            "password": "Campus-nouveau-2026!",
            "first_name": "Awa",
            "language": "en",
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 201
    user = User.objects.get(email="awa@example.test")
    assert (user.first_name, user.language, user.timezone) == ("Awa", "en", "Europe/Paris")


def test_register_refuses_a_taken_email(student: User) -> None:
    response = ApiClient().post(REGISTER, register_body(email="KOFFI@example.test"))
    assert_error(response, 400, "email_taken")
    assert field_codes(response) == {"email": "email_taken"}


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"password": "123"}, "password", "weak_password"),
        ({"password": "nouvelle@example.test"}, "password", "weak_password"),
        ({"password": "x" * 129}, "password", "string_too_long"),
        ({"email": "pas-une-adresse"}, "email", "invalid_email"),
        ({"email": "x" * 250 + "@a.bj"}, "email", "string_too_long"),
        ({"firstName": "x" * 151}, "firstName", "string_too_long"),
        ({"timezone": "Lune/Base"}, "timezone", "invalid_timezone"),
        ({"language": "xx"}, "language", "invalid_language"),
    ],
)
def test_register_bad_input(db: Any, extra: dict, field: str, code: str) -> None:
    response = ApiClient().post(REGISTER, register_body(**extra))
    assert_error(response, 400)
    assert field_codes(response).get(field) == code, response.json_body
    assert not User.objects.filter(email="nouvelle@example.test").exists()


def test_register_needs_email_and_password(db: Any) -> None:
    response = ApiClient().post(REGISTER, {"firstName": "Seul"})
    assert_error(response, 400)
    assert {"email", "password"} <= set(field_codes(response))


def test_register_is_rate_limited_per_address_with_the_pages(db: Any, settings: Any) -> None:
    settings.REGISTER_ADDRESS_LIMIT = 2
    client = ApiClient()
    assert client.post(REGISTER, register_body(email="a1@example.test")).status_code == 201
    page = Client().post(
        "/accounts/register/",
        {
            "email": "a2@example.test",
            "password1": "Campus-nouveau-2026!",
            "password2": "Campus-nouveau-2026!",
        },
    )
    assert page.status_code == 302  # the page counts against the same limit
    response = client.post(REGISTER, register_body(email="a3@example.test"))
    assert_error(response, 429, "rate_limited")
    assert response["Retry-After"]
    assert not User.objects.filter(email="a3@example.test").exists()
    blocked_page = Client().post(
        "/accounts/register/",
        {
            "email": "a4@example.test",
            "password1": "Campus-nouveau-2026!",
            "password2": "Campus-nouveau-2026!",
        },
    )
    assert blocked_page.status_code == 429


def test_refused_registrations_count_against_the_limit_too(db: Any, settings: Any) -> None:
    """On the production cache (the database, written through the request's connection):
    a refused registration's count must survive its rolled-back transaction."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "campus_cache",
        }
    }
    settings.REGISTER_ADDRESS_LIMIT = 2
    client = ApiClient()
    for _ in range(2):
        assert_error(client.post(REGISTER, register_body(password="123")), 400)
    assert_error(client.post(REGISTER, register_body()), 429, "rate_limited")


# --- forgotten password --------------------------------------------------------------


FORGOT = "/api/auth/forgot-password"


def test_forgot_password_answers_the_same_whether_or_not_the_address_exists(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = ApiClient().post(FORGOT, {"email": student.email})
        unknown = ApiClient().post(FORGOT, {"email": "personne@example.test"})
    assert known.status_code == unknown.status_code == 200
    assert known.json_body == unknown.json_body
    assert known.json_body["success"] is True and known.json_body["message"]
    assert [message.to for message in mail.outbox] == [[student.email]]


def test_forgot_password_keeps_the_pages_limits(
    student: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    settings.PASSWORD_RESET_EMAIL_LIMIT = 1
    client = ApiClient()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(FORGOT, {"email": student.email}).status_code == 200
        assert client.post(FORGOT, {"email": student.email}).status_code == 200
    assert len(mail.outbox) == 1  # the second one silently dropped
    assert_error(client.post(FORGOT, {"email": student.email}), 429, "rate_limited")


@pytest.mark.parametrize("body", [{}, {"email": ""}, {"email": "x" * 255}, {"email": 3}])
def test_forgot_password_bad_input(db: Any, body: dict) -> None:
    assert_error(ApiClient().post(FORGOT, body), 400)


# --- changing one's password ---------------------------------------------------------


CHANGE = "/api/auth/change-password"


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_change_password_keeps_this_login_and_ends_the_others(student: User, method: str) -> None:
    mine = login(student.email)
    other = login(student.email)
    client = ApiClient(mine["token"])

    response = client.request(
        method, CHANGE, {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    )

    assert response.status_code == 200, response.content
    assert response.json_body["success"] is True and response.json_body["message"]
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD) and not student.check_password(PASSWORD)
    # The caller's login stays (token and refresh token) ...
    assert client.get("/api/users/me").status_code == 200
    assert refresh(mine["refreshToken"]).status_code == 200
    # ... every other one ends.
    assert_error(ApiClient(other["token"]).get("/api/users/me"), 401, "invalid_token")
    assert_error(refresh(other["refreshToken"]), 401, "refresh_token_revoked")


def test_change_password_from_the_page_session_keeps_that_session(student: User) -> None:
    other = login(student.email)
    browser = Client()
    browser.force_login(student)
    response = browser.post(
        CHANGE,
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert browser.get("/api/users/me").status_code == 200
    assert_error(ApiClient(other["token"]).get("/api/users/me"), 401, "invalid_token")


def test_change_password_refuses_a_wrong_current_password(student: User, api: Any) -> None:
    response = api(student).put(
        CHANGE, {"currentPassword": "pas-le-bon", "newPassword": NEW_PASSWORD}
    )
    body = assert_error(response, 400, "wrong_password")
    assert "actuel" in body["message"]
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_wrong_current_passwords_count_as_failed_logins(
    student: User, api: Any, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    client = api(student)
    wrong = {"currentPassword": "pas-le-bon", "newPassword": NEW_PASSWORD}
    assert_error(client.put(CHANGE, wrong), 400, "wrong_password")
    assert_error(client.put(CHANGE, wrong), 400, "wrong_password")
    assert_error(client.put(CHANGE, wrong), 429, "rate_limited")
    right = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    assert_error(client.put(CHANGE, right), 429, "rate_limited")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"currentPassword": PASSWORD, "newPassword": "123"}, "new_password", "weak_password"),
        (
            {"currentPassword": PASSWORD, "newPassword": "koffi@example.test"},
            "new_password",
            "weak_password",
        ),
        ({"currentPassword": PASSWORD}, "new_password", "missing"),
        ({"newPassword": NEW_PASSWORD}, "current_password", "missing"),
        ({"currentPassword": PASSWORD, "newPassword": "x" * 129}, "newPassword", "string_too_long"),
    ],
)
def test_change_password_bad_input(
    student: User, api: Any, body: dict, field: str, code: str
) -> None:
    response = api(student).put(CHANGE, body)
    assert_error(response, 400)
    assert field_codes(response).get(field) == code, response.json_body
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_change_password_needs_a_login(db: Any) -> None:
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    assert_error(ApiClient().put(CHANGE, body), 401)
    assert_error(ApiClient().post(CHANGE, body), 401)


# --- concurrency: one refresh token, two uses at once --------------------------------


def run_at_once(calls: list[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempts", [2, 6])
def test_simultaneous_uses_of_one_refresh_token_give_one_success(attempts: int) -> None:
    """On PostgreSQL and MariaDB the row lock serializes the uses; on SQLite the write
    lock does. Either way one use wins; the others are reuses, which end that login."""
    user = User.objects.create_user(email="race@example.test", password=PASSWORD)
    first = login(user.email)

    results = run_at_once([lambda: refresh(first["refreshToken"])] * attempts)

    assert not [r for r in results if isinstance(r, BaseException)], results
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [401] * (attempts - 1), [r.content for r in results]
    codes = {r.json_body["error"]["code"] for r in results if r.status_code == 401}
    assert codes <= {"refresh_token_reused", "refresh_token_revoked"}
    assert "refresh_token_reused" in codes
    # Exactly one new refresh token was issued, and the reuse revoked the family.
    tokens = RefreshToken.objects.filter(user=user)
    assert tokens.count() == 2
    assert not tokens.filter(revoked_at__isnull=True).exists()
