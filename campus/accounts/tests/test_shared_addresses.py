"""Login throttling that fits shared addresses (issue 14, item 7): a whole campus behind
one carrier-grade NAT address is not locked out by its students' typos; each account
keeps its own limit whatever the address; one address trying many accounts is still
stopped, at LOGIN_ADDRESS_FAILURE_LIMIT (default 200 per window)."""

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role, User
from conftest import PASSWORD, ApiClient, assert_error

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login"
CAMPUS_NAT = "41.138.96.7"  # one address for a whole campus


def login(email: str, password: str, address: str) -> Any:
    return ApiClient().post(LOGIN, {"email": email, "password": password}, REMOTE_ADDR=address)


def test_the_default_limits() -> None:
    assert settings.LOGIN_FAILURE_LIMIT == 5
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 200
    assert settings.LOGIN_FAILURE_WINDOW_SECONDS == 15 * 60


def test_a_campus_behind_one_address_is_not_locked_out(user_factory: Any) -> None:
    students = [user_factory(Role.STUDENT) for _ in range(25)]
    for student in students:  # 25 typos from the one address: more than the old limit (20)
        assert_error(login(student.email, "faux", CAMPUS_NAT), 401, "invalid_credentials")
    for student in students:
        response = login(student.email, PASSWORD, CAMPUS_NAT)
        assert response.status_code == 200, (student.email, response.content)
    # The login page shares the rule.
    latecomer = user_factory(Role.STUDENT)
    client = Client(REMOTE_ADDR=CAMPUS_NAT)
    url = reverse("accounts:login")
    assert client.post(url, {"email": latecomer.email, "password": "faux"}).status_code == 400
    assert client.post(url, {"email": latecomer.email, "password": PASSWORD}).status_code == 302


def test_one_account_past_its_limit_is_429_whatever_the_address(user_factory: Any) -> None:
    student: User = user_factory(Role.STUDENT)
    limit = settings.LOGIN_FAILURE_LIMIT
    for n in range(limit):  # each failure from a different address
        assert_error(login(student.email, "faux", f"197.234.{n}.1"), 401, "invalid_credentials")
    # A fresh address, the right password: still refused while the window lasts.
    response = login(student.email, PASSWORD, "102.64.0.9")
    assert_error(response, 429, "rate_limited")
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    page = Client(REMOTE_ADDR="105.235.0.3").post(
        reverse("accounts:login"), {"email": student.email, "password": PASSWORD}
    )
    assert page.status_code == 429
    # Other accounts behind those addresses are not affected.
    other = user_factory(Role.STUDENT)
    assert login(other.email, PASSWORD, "197.234.0.1").status_code == 200


def test_one_address_hammering_many_accounts_is_eventually_429(user_factory: Any) -> None:
    student: User = user_factory(Role.STUDENT)
    hammer = "154.66.1.20"
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit):  # one guess per account: no account reaches its own limit
        response = login(f"cible{n}@example.test", "123456", hammer)
        assert_error(response, 401, "invalid_credentials")
    # Past the address's limit, every login from it waits, even a right password...
    assert_error(login(f"cible{limit}@example.test", "123456", hammer), 429, "rate_limited")
    assert_error(login(student.email, PASSWORD, hammer), 429, "rate_limited")
    # ...while the same account logs in from anywhere else.
    assert login(student.email, PASSWORD, "154.66.1.21").status_code == 200


def test_an_ipv6_line_counts_as_one_address(user_factory: Any, settings: Any) -> None:
    """A subscriber gets a whole /64: hopping inside it does not escape the limit."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    student: User = user_factory(Role.STUDENT)
    for n in range(3):
        address = f"2c0f:f0f8:1:2::{n + 1:x}"
        assert_error(login(f"cible{n}@example.test", "faux", address), 401, "invalid_credentials")
    assert_error(login(student.email, PASSWORD, "2c0f:f0f8:1:2:ffff::9"), 429, "rate_limited")
    assert login(student.email, PASSWORD, "2c0f:f0f8:1:3::1").status_code == 200
