"""Public certificate verification throttling that fits shared addresses (issue 14).

Behind one carrier-grade NAT address, a whole campus (or an employer's office checking a
graduating class) verifies many real certificates: every lookup counts against a high
ceiling, CERTIFICATE_VERIFY_ADDRESS_LIMIT. Guessing produces unknown codes: they count
against CERTIFICATE_VERIFY_MISS_LIMIT, past which the address waits (429, Retry-After, a
French message), even for a right code, on the page and in the API alike.
"""

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from campus.accounts.models import Role, User
from campus.certificates import services
from campus.certificates.models import Certificate
from campus.certificates.tests.helpers import complete, short_course
from conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

CAMPUS_NAT = "41.138.96.7"
MISSES_MESSAGE = "Trop de codes inconnus depuis votre réseau. Réessayez plus tard."
CEILING_MESSAGE = "Trop de vérifications depuis votre réseau. Réessayez plus tard."


def page(code: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).get(f"/certificates/verify/{code}")


def api(code: str, address: str) -> Any:
    return ApiClient().get(f"/api/certificates/verify/{code}", REMOTE_ADDR=address)


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def certificates(owner: User, user_factory: Any) -> list[Certificate]:
    course = short_course(owner)
    issued = []
    for _ in range(3):
        student = user_factory(Role.STUDENT)
        issued.append(
            services.certificate_issue(actor=student, enrollment=complete(student, course))
        )
    return issued


def test_the_default_limits() -> None:
    assert settings.CERTIFICATE_VERIFY_ADDRESS_LIMIT == 1000
    assert settings.CERTIFICATE_VERIFY_MISS_LIMIT == 50
    assert settings.CERTIFICATE_VERIFY_WINDOW_SECONDS == 10 * 60


def test_a_campus_behind_one_address_verifies_many_certificates(
    certificates: list[Certificate],
) -> None:
    # 120 lookups from one address (the old limit was 30 a minute), then a few typos.
    for n in range(120):
        code = certificates[n % 3].code
        response = page(code, CAMPUS_NAT) if n % 2 else api(code, CAMPUS_NAT)
        assert response.status_code == 200, n
    for n in range(10):
        assert api(f"faute-{n}", CAMPUS_NAT).status_code == 404
    assert page(certificates[0].code, CAMPUS_NAT).status_code == 200


def test_guessing_from_one_address_is_stopped_at_the_miss_limit(
    certificates: list[Certificate],
) -> None:
    guesser = "154.66.1.20"
    limit = settings.CERTIFICATE_VERIFY_MISS_LIMIT
    for n in range(limit):
        response = page(f"devine-{n}", guesser) if n % 2 else api(f"devine-{n}", guesser)
        assert response.status_code == 404, n
    # Past it, the address waits, even for a right code, on both faces.
    blocked = api(certificates[0].code, guesser)
    body = assert_error(blocked, 429, "rate_limited")
    assert body["message"] == MISSES_MESSAGE
    assert 0 < int(blocked["Retry-After"]) <= settings.CERTIFICATE_VERIFY_WINDOW_SECONDS
    blocked_page = page(certificates[0].code, guesser)
    assert blocked_page.status_code == 429
    assert int(blocked_page["Retry-After"]) > 0
    assert MISSES_MESSAGE in page_text(blocked_page)
    assert certificates[0].holder_name not in page_text(blocked_page)
    # Everyone else verifies as before.
    assert page(certificates[0].code, CAMPUS_NAT).status_code == 200
    assert api(certificates[0].code, "154.66.1.21").status_code == 200


def test_every_lookup_counts_against_the_ceiling(
    certificates: list[Certificate], settings: Any
) -> None:
    settings.CERTIFICATE_VERIFY_ADDRESS_LIMIT = 6
    for n in range(6):
        assert api(certificates[n % 3].code, CAMPUS_NAT).status_code == 200
    body = assert_error(api(certificates[0].code, CAMPUS_NAT), 429, "rate_limited")
    assert body["message"] == CEILING_MESSAGE
    assert page(certificates[0].code, CAMPUS_NAT).status_code == 429
    assert api(certificates[0].code, "41.138.96.8").status_code == 200


def test_an_ipv6_line_counts_as_one_address(settings: Any) -> None:
    settings.CERTIFICATE_VERIFY_MISS_LIMIT = 3
    for n in range(3):
        assert api(f"devine-{n}", f"2c0f:f0f8:1:2::{n + 1:x}").status_code == 404
    assert_error(api("devine-9", "2c0f:f0f8:1:2:ffff::9"), 429, "rate_limited")
    assert api("devine-9", "2c0f:f0f8:1:3::1").status_code == 404
