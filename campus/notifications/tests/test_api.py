"""Notifications API: one's own inbox only, paginated, with constant query counts."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campus.accounts.models import User
from campus.notifications import services
from campus.notifications.kinds import MODERATOR_KINDS
from campus.notifications.models import EmailState, Kind, Notification
from campus.notifications.services import Notice
from conftest import assert_error

pytestmark = pytest.mark.django_db


def give(user: User, count: int = 1, *, kind: str = Kind.SESSION_MESSAGE) -> list[Notification]:
    for n in range(count):
        notice = Notice(
            kind=kind,
            dedupe_key=f"test:{user.pk}:{kind}:{n}:{Notification.objects.count()}",
            render=lambda n=n: (f"Message {n}", "Corps"),  # type: ignore[misc]
            url="/dashboard/student/courses",
        )
        services.notify(recipients=User.objects.filter(pk=user.pk), notice=notice)
    return list(Notification.objects.filter(user=user).order_by("-created_at", "-id"))


def test_inbox_lists_my_notifications_newest_first(api: Any, member: User, owner: User) -> None:
    give(member, 3)
    give(owner, 2)
    body = api(member).get("/api/notifications").json_body
    assert [n["title"] for n in body["data"]] == ["Message 0"] * 3 or len(body["data"]) == 3
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3}
    assert {n["is_read"] for n in body["data"]} == {False}
    ids = [n["id"] for n in body["data"]]
    assert ids == sorted(ids, reverse=True)


def test_unread_filter_and_count(api: Any, member: User) -> None:
    first, second, third = give(member, 3)
    client = api(member)
    assert client.get("/api/notifications/unread-count").json_body["data"] == {"unread": 3}
    response = client.post(f"/api/notifications/{second.pk}/read")
    assert response.status_code == 200
    assert response.json_body["data"]["is_read"] is True
    unread = client.get("/api/notifications", {"unread": 1}).json_body
    assert {n["id"] for n in unread["data"]} == {first.pk, third.pk}
    assert client.get("/api/notifications/unread-count").json_body["data"] == {"unread": 2}


def test_reading_twice_keeps_the_first_time(api: Any, member: User) -> None:
    [notice] = give(member)
    client = api(member)
    first = client.post(f"/api/notifications/{notice.pk}/read").json_body["data"]["read_at"]
    again = client.post(f"/api/notifications/{notice.pk}/read").json_body["data"]["read_at"]
    assert first == again


def test_read_all(api: Any, member: User, owner: User) -> None:
    give(member, 4)
    give(owner, 1)
    response = api(member).post("/api/notifications/read-all")
    assert response.json_body["data"] == {"marked_read": 4}
    assert Notification.objects.filter(user=owner, read_at__isnull=True).count() == 1


def test_delete_removes_it_and_its_pending_email(api: Any, member: User) -> None:
    [notice] = give(member)
    assert notice.email_state == EmailState.PENDING
    response = api(member).delete(f"/api/notifications/{notice.pk}")
    assert response.json_body["data"] == {"id": notice.pk, "deleted": True}
    assert not Notification.objects.filter(pk=notice.pk).exists()


@pytest.mark.parametrize(
    ("method", "suffix"), [("POST", "/read"), ("DELETE", "")], ids=["read", "delete"]
)
def test_nobody_reads_or_deletes_another_users_notification(
    api: Any, member: User, owner: User, admin_user: User, method: str, suffix: str
) -> None:
    [notice] = give(member)
    for intruder in (owner, admin_user):
        response = api(intruder).request(method, f"/api/notifications/{notice.pk}{suffix}")
        assert_error(response, 404, "notification_not_found")
    assert_error(
        api(None).request(method, f"/api/notifications/{notice.pk}{suffix}"),
        401,
        "not_authenticated",
    )
    notice.refresh_from_db()
    assert notice.read_at is None


def test_others_notifications_never_show(api: Any, member: User, owner: User) -> None:
    give(owner, 2)
    assert api(member).get("/api/notifications").json_body["data"] == []
    assert api(member).get("/api/notifications/unread-count").json_body["data"]["unread"] == 0


def test_hidden_from_inbox_when_in_app_is_off(api: Any, member: User) -> None:
    services.preferences_update(
        actor=member, choices={Kind.SESSION_MESSAGE: {"in_app": False, "email": True}}
    )
    [notice] = give(member)
    assert notice.in_app is False and notice.email_state == EmailState.PENDING
    assert api(member).get("/api/notifications").json_body["data"] == []
    assert_error(api(member).post(f"/api/notifications/{notice.pk}/read"), 404)


def test_pagination_is_bounded(api: Any, member: User) -> None:
    assert_error(api(member).get("/api/notifications", {"limit": 101}), 400)
    assert_error(api(member).get("/api/notifications", {"page": 0}), 400)
    give(member, 3)
    body = api(member).get("/api/notifications", {"limit": 2, "page": 2}).json_body
    assert len(body["data"]) == 1 and body["pagination"]["total"] == 3


def test_inbox_query_count_does_not_grow(api: Any, member: User) -> None:
    give(member, 1)
    client = api(member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/notifications").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the token's first use of the minute records last_used_at
    few = queries()
    give(member, 30)
    assert queries() == few


def test_preferences_read_and_change(api: Any, member: User) -> None:
    client = api(member)
    body = client.get("/api/notifications/preferences").json_body["data"]
    # A student is never offered the moderator kinds.
    assert [p["kind"] for p in body] == [k for k in Kind.values if k not in MODERATOR_KINDS]
    assert all(p["in_app"] and p["email"] for p in body)
    assert body[0]["label"] == "Nouvelle session programmée"

    response = client.put(
        "/api/notifications/preferences",
        {Kind.SESSION_REMINDER_24H: {"in_app": True, "email": False}},
    )
    assert response.status_code == 200
    changed = {p["kind"]: p for p in response.json_body["data"]}
    assert changed[Kind.SESSION_REMINDER_24H]["email"] is False
    assert changed[Kind.SESSION_REMINDER_1H]["email"] is True

    back = client.put(
        "/api/notifications/preferences",
        {Kind.SESSION_REMINDER_24H: {"in_app": True, "email": True}},
    )
    assert all(p["email"] for p in back.json_body["data"])


@pytest.mark.parametrize(
    "body",
    [
        {"nope": {"email": False}},
        {Kind.SESSION_STARTED: {"email": "maybe"}},
        {Kind.SESSION_STARTED: "off"},
        ["session_started"],
    ],
    ids=["unknown kind", "not a boolean", "not an object", "not a mapping"],
)
def test_preferences_refuse_bad_input(api: Any, member: User, body: Any) -> None:
    response = api(member).put("/api/notifications/preferences", body)
    assert_error(response, 400)
    assert api(member).get("/api/notifications/preferences").json_body["data"][0]["email"]


def test_preferences_need_login(api: Any) -> None:
    assert_error(api(None).get("/api/notifications/preferences"), 401, "not_authenticated")
    assert_error(api(None).get("/api/notifications"), 401, "not_authenticated")
