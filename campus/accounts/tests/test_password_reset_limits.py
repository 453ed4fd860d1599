"""Password-reset throttling that fits shared addresses (issue 14): a whole campus behind
one carrier-grade NAT address can ask for its links at the start of a term; one inbox
never gets more than PASSWORD_RESET_EMAIL_LIMIT links a window, whatever the addresses
asking; one address asking too often is a 429 with Retry-After and a French message,
the same whether or not the emails it asks for have an account."""

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role, User

pytestmark = pytest.mark.django_db

CAMPUS_NAT = "41.138.96.7"  # one address for a whole campus
MESSAGE = "Trop de demandes de réinitialisation depuis votre réseau. Réessayez plus tard."


def ask(email: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(reverse("accounts:password_reset"), {"email": email})


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_default_limits() -> None:
    assert settings.PASSWORD_RESET_ADDRESS_LIMIT == 200
    assert settings.PASSWORD_RESET_EMAIL_LIMIT == 3
    assert settings.PASSWORD_RESET_WINDOW_SECONDS == 60 * 60


def test_a_campus_behind_one_address_gets_its_links(
    user_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    students = [user_factory(Role.STUDENT) for _ in range(40)]  # the old limit was 10
    with django_capture_on_commit_callbacks(execute=True):
        for student in students:
            response = ask(student.email, CAMPUS_NAT)
            assert response.status_code == 302, student.email
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in students)


def test_one_inbox_is_never_flooded_whatever_the_addresses(
    user_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    student: User = user_factory(Role.STUDENT, email="dossou@example.test")
    spellings = ["dossou@example.test", " Dossou@Example.TEST ", "DOSSOU@example.test"]
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(12):  # each request from another address: no address limit applies
            response = ask(spellings[n % 3], f"197.234.{n}.1")
            assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAIL_LIMIT
    assert {m.to[0] for m in mail.outbox} == {student.email}
    # Another account is not affected.
    other: User = user_factory(Role.STUDENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(other.email, "197.234.0.1").status_code == 302
    assert mail.outbox[-1].to == [other.email]


def test_one_address_past_the_default_ceiling_is_429(
    user_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hammer = "154.66.1.20"
    client = Client(REMOTE_ADDR=hammer)
    url = reverse("accounts:password_reset")
    for n in range(settings.PASSWORD_RESET_ADDRESS_LIMIT):  # unknown emails count too
        assert client.post(url, {"email": f"cible{n}@example.test"}).status_code == 302
    student: User = user_factory(Role.STUDENT)
    with django_capture_on_commit_callbacks(execute=True):
        blocked = client.post(url, {"email": student.email})
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= settings.PASSWORD_RESET_WINDOW_SECONDS
    page = page_text(blocked)
    assert MESSAGE in page
    assert f'value="{student.email}"' in page  # the form again, with what was typed
    assert mail.outbox == []
    # The same account, from anywhere else, gets its link.
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(student.email, "154.66.1.21").status_code == 302
    assert [m.to for m in mail.outbox] == [[student.email]]


def test_a_429_does_not_tell_accounts_apart(user_factory: Any, settings: Any) -> None:
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    student: User = user_factory(Role.STUDENT)
    for _ in range(2):
        assert ask("personne@example.test", CAMPUS_NAT).status_code == 302
    unknown = ask("personne@example.test", CAMPUS_NAT)
    known = ask(student.email, CAMPUS_NAT)
    assert unknown.status_code == known.status_code == 429
    assert MESSAGE in page_text(unknown) and MESSAGE in page_text(known)


def test_an_ipv6_line_counts_as_one_address(user_factory: Any, settings: Any) -> None:
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    for n in range(3):
        assert ask(f"cible{n}@example.test", f"2c0f:f0f8:1:2::{n + 1:x}").status_code == 302
    assert ask("cible9@example.test", "2c0f:f0f8:1:2:ffff::9").status_code == 429
    assert ask("cible9@example.test", "2c0f:f0f8:1:3::1").status_code == 302
