"""Notification pages: the header bell, the inbox, opening a notice, preferences."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.tests.test_pages import client_for, html
from campus.notifications.kinds import MODERATOR_KINDS
from campus.notifications.models import Kind, Notification, Preference
from campus.notifications.tests.test_api import give

pytestmark = pytest.mark.django_db


def bell_count(page: str) -> str | None:
    match = re.search(r'<span class="bell-count">(\d+)</span>', page)
    return match.group(1) if match else None


def test_the_bell_shows_my_unread_count_on_every_page(member: User, owner: User) -> None:
    client = client_for(member)
    assert bell_count(html(client.get("/"))) is None
    give(member, 3)
    give(owner, 5)
    assert bell_count(html(client.get("/"))) == "3"
    assert bell_count(html(client.get(reverse("accounts:profile")))) == "3"


def test_no_bell_for_anonymous_visitors() -> None:
    assert 'class="bell"' not in html(Client().get("/"))


def test_inbox_lists_mine_with_unread_marked(member: User, owner: User) -> None:
    first, second = give(member, 2)
    give(owner, 1)
    Notification.objects.filter(pk=second.pk).update(read_at=first.created_at)
    page = html(client_for(member).get(reverse("notifications:inbox")))
    assert page.count('class="row unread"') == 1
    assert page.count("notification-title") == 2
    unread_only = html(client_for(member).get(reverse("notifications:inbox") + "?unread=1"))
    assert unread_only.count("notification-title") == 1


def test_inbox_needs_login() -> None:
    response = Client().get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_opening_marks_read_and_follows_the_link(member: User) -> None:
    [notice] = give(member)
    client = client_for(member)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert bell_count(html(client.get("/"))) is None


def test_opening_never_redirects_off_site(member: User) -> None:
    [notice] = give(member)
    Notification.objects.filter(pk=notice.pk).update(url="https://evil.example/")
    response = client_for(member).post(reverse("notifications:open", args=[notice.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_someone_elses_notice_is_a_404_page(member: User, owner: User) -> None:
    [notice] = give(member)
    client = client_for(owner)
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notifications:delete", args=[notice.pk])).status_code == 404
    assert Notification.objects.filter(pk=notice.pk, read_at__isnull=True).exists()


def test_opening_and_deleting_need_post(member: User) -> None:
    [notice] = give(member)
    client = client_for(member)
    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 405
    assert client.get(reverse("notifications:delete", args=[notice.pk])).status_code == 405


def test_read_all_and_delete(member: User) -> None:
    first, second = give(member, 2)
    client = client_for(member)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    client.post(reverse("notifications:delete", args=[first.pk]))
    assert list(Notification.objects.filter(user=member)) == [second]


def test_inbox_query_count_does_not_grow(member: User) -> None:
    give(member, 1)
    client = client_for(member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notifications:inbox")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    give(member, 25)
    assert queries() == few


def test_preferences_page_saves_the_choices(member: User) -> None:
    client = client_for(member)
    page = html(client.get(reverse("notifications:preferences")))
    assert "Rappel la veille d&#x27;une session" in page
    offered = [kind for kind in Kind.values if kind not in MODERATOR_KINDS]  # a student's
    assert page.count("checked") == 2 * len(offered)
    assert "Avis à modérer" not in page

    data = {f"{kind}__in_app": "on" for kind in offered}
    data |= {f"{kind}__email": "on" for kind in offered if kind != Kind.SESSION_STARTED}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert list(Preference.objects.filter(user=member).values_list("kind", "in_app", "email")) == [
        (Kind.SESSION_STARTED, True, False)
    ]
    page = html(client.get(reverse("notifications:preferences")))
    assert page.count("checked") == 2 * len(offered) - 1
