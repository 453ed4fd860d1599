"""The admin: certificates listed with their status, revoked through an action that
asks for the reason (the same service as the API)."""

from typing import Any

import pytest
from django.test import Client

from campus.accounts.models import User
from campus.certificates import services
from campus.certificates.tests.helpers import complete, short_course
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/certificates/certificate/"


@pytest.fixture
def certificate(member: User, owner: User) -> Any:
    return services.certificate_issue(
        actor=member, enrollment=complete(member, short_course(owner))
    )


def _admin(admin_user: User) -> Client:
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])
    client = Client()
    assert client.login(email=admin_user.email, password=PASSWORD)
    return client


def test_changelist_and_revoke_action(certificate: Any, admin_user: User) -> None:
    client = _admin(admin_user)
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200 and certificate.number in listing.content.decode()

    action = {"action": "revoke_selected", "_selected_action": [certificate.pk]}
    confirm = client.post(CHANGELIST, action)
    assert confirm.status_code == 200 and "Motif" in confirm.content.decode()

    client.post(CHANGELIST, {**action, "apply": "1", "reason": ""}, follow=True)
    certificate.refresh_from_db()
    assert not certificate.is_revoked  # a reason is required

    client.post(CHANGELIST, {**action, "apply": "1", "reason": "Fraude avérée"}, follow=True)
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoke_reason == "Fraude avérée"
    assert certificate.revoked_by == admin_user
    assert client.get(f"{CHANGELIST}?revoked=yes").content.decode().count(certificate.number)
