"""The waiting room polls less often while the start is far: the delay is computed in
Python for the time left (unit) and written into each answer's hx-trigger (pages). While
nothing changes, a poll is an empty 204 answered before anything loads (campus.core.polls),
until the delay itself would change."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_session
from campus.live.views.room import waiting_poll_seconds

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def poll(left: timedelta, base: int = 5) -> int:
    return waiting_poll_seconds(starts_at=START, now=START - left, base=base)


@pytest.mark.parametrize(
    ("left", "seconds"),
    [
        (timedelta(hours=41), 300),  # the case: 41 hours early
        (timedelta(hours=3), 300),
        (timedelta(hours=2, minutes=10), 300),
        (timedelta(hours=2), 60),
        (timedelta(minutes=30), 60),
        (timedelta(minutes=15), 15),
        (timedelta(minutes=5), 15),
        (timedelta(minutes=2), 5),
        (timedelta(seconds=30), 5),
        (timedelta(0), 5),
        (-timedelta(minutes=10), 5),  # the instructor is late: keep checking often
    ],
)
def test_the_poll_slows_down_with_the_time_left(left: timedelta, seconds: int) -> None:
    assert poll(left) == seconds


def test_the_poll_never_sleeps_past_a_faster_tier() -> None:
    # 2 h 01 min before: the next check is at 2 h (60 s), not 5 min later.
    assert poll(timedelta(hours=2, minutes=1)) == 60
    assert poll(timedelta(hours=2, seconds=1)) == 5
    assert poll(timedelta(minutes=15, seconds=20)) == 20
    assert poll(timedelta(minutes=2, seconds=7)) == 7


def test_the_setting_is_the_fastest_delay_and_scales_the_tiers() -> None:
    assert poll(timedelta(seconds=10), base=1) == 1
    assert poll(timedelta(minutes=10), base=1) == 3
    assert poll(timedelta(hours=1), base=1) == 12
    assert poll(timedelta(days=2), base=1) == 60
    assert poll(timedelta(days=2), base=0) == 60  # a zero setting is read as 1 s


def test_an_hour_of_waiting_41_hours_early_costs_12_polls_not_720() -> None:
    now, polls = START - timedelta(hours=41), 0
    while now < START - timedelta(hours=40):
        now += timedelta(seconds=waiting_poll_seconds(starts_at=START, now=now, base=5))
        polls += 1
    assert polls == 12


def _trigger(html: str) -> int:
    match = re.search(r'hx-trigger="every (\d+)s"', html)
    assert match, html[:300]
    return int(match.group(1))


@pytest.mark.django_db
def test_the_page_and_each_poll_answer_carry_the_delay_for_now(
    owner: User, course: Course, member: User
) -> None:
    with time_machine.travel(START - timedelta(hours=41), tick=False):
        session: LiveSession = make_session(owner, course, starts_in=timedelta(hours=41))
    kwargs = {"slug": course.slug, "session_id": session.pk}
    client = Client()
    client.force_login(member)
    with time_machine.travel(START - timedelta(hours=41), tick=False):
        page = client.get(reverse("live:join", kwargs=kwargs)).content.decode()
    assert _trigger(page) == 300
    status_url = reverse("live:waiting_status", kwargs=kwargs)
    for left, expected in [(timedelta(hours=1), 60), (timedelta(minutes=1), 5)]:
        with time_machine.travel(session.scheduled_start_at - left, tick=False):
            response = client.get(status_url, **HTMX)
        assert response.status_code == 200
        body = response.content.decode()
        assert _trigger(body) == expected
        assert f'hx-get="{status_url}?v=' in body
        assert "En attente du début de la session" in body


def _waiting(user: User, session: LiveSession) -> tuple[Client, str]:
    """A browser of `user` on the waiting room, and the poll URL the page gave it."""
    client = Client()
    client.force_login(user)
    kwargs = {"slug": session.course.slug, "session_id": session.pk}
    return client, _poll_url(client.get(reverse("live:join", kwargs=kwargs)).content.decode())


def _poll_url(html: str) -> str:
    match = re.search(r'class="live-waiting-poll" hx-get="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1).replace("&amp;", "&")


@pytest.mark.django_db
def test_an_unchanged_wait_is_an_empty_204_until_a_faster_delay_begins(
    owner: User, course: Course, member: User, django_assert_num_queries: Any
) -> None:
    """15 min 30 s before the start the delay is 30 s (to meet the 15-minute tier); the
    204s keep that poll, so its pass ends when the 15 s tier begins: the next poll
    gets the new delay."""
    with time_machine.travel(START - timedelta(minutes=15, seconds=30), tick=False) as clock:
        session = make_session(owner, course, starts_in=timedelta(minutes=15, seconds=30))
        client = Client()
        client.force_login(member)
        page = client.get(
            reverse("live:join", kwargs={"slug": course.slug, "session_id": session.pk})
        )
        url = _poll_url(page.content.decode())
        assert _trigger(page.content.decode()) == 30
        clock.shift(20)
        with django_assert_num_queries(0):
            unchanged = client.get(url, **HTMX)
        assert unchanged.status_code == 204 and unchanged.content == b""
        clock.shift(11)  # 14 min 59 s before: the 15 s tier
        faster = client.get(url, **HTMX)
        assert faster.status_code == 200
        assert _trigger(faster.content.decode()) == 15
        assert client.get(_poll_url(faster.content.decode()), **HTMX).status_code == 204


@pytest.mark.django_db
def test_a_change_reaches_the_waiting_poll_at_once(
    owner: User, course: Course, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    """A new time, the start and a cancellation each end the 204s (the write replaces
    the stamp when it commits)."""
    session = make_session(owner, course, starts_in=timedelta(minutes=1))
    client, url = _waiting(member, session)
    assert client.get(url, **HTMX).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            actor=owner,
            session=session,
            scheduled_start_at=session.scheduled_start_at + timedelta(hours=1),
            scheduled_end_at=session.scheduled_end_at + timedelta(hours=1),
        )
    moved = client.get(url, **HTMX)
    assert moved.status_code == 200 and _trigger(moved.content.decode()) == 60
    url = _poll_url(moved.content.decode())
    assert client.get(url, **HTMX).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=owner, session=session, reason="Grève")
    closed = client.get(url, **HTMX)
    assert closed.status_code == 286  # htmx stops polling
    assert "annulée" in closed.content.decode()


@pytest.mark.django_db
def test_the_start_reaches_the_waiting_poll(
    owner: User, course: Course, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    session = make_session(owner, course, starts_in=timedelta(minutes=1))
    client, url = _waiting(member, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_start(actor=owner, session=session)
    assert client.get(url, **HTMX).headers["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_another_browser_with_the_url_gets_its_own_answer(
    owner: User, course: Course, member: User, outsider: User
) -> None:
    session = make_session(owner, course, starts_in=timedelta(minutes=1))
    _member_browser, url = _waiting(member, session)
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(url, **HTMX).status_code == 403
