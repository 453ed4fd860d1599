"""Editing a weekly series: one occurrence (PATCH /api/live-sessions/{id}) or this and
the following ones (PATCH /api/live-sessions/{id}/series), across a DST change."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine

from campus.accounts.models import User
from campus.accounts.tokens import token_issue
from campus.core.tests.openapi_check import call_conforming
from campus.courses.models import Course
from campus.live import services
from campus.live.models import LiveSession, LiveSessionStatus, SessionSeries
from campus.live.tests.helpers import make_session
from conftest import assert_error

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Clocks go forward on Sunday 29 March 2026 in Paris.
BEFORE_DST = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECRET_KEYS = {"jitsi_room_password", "jwt", "jitsi_join_url", "jitsi_room_name"}
TUESDAYS = [date(2026, 3, d) for d in (17, 24, 31)] + [date(2026, 4, d) for d in (7, 14, 21)]


def make_series(owner: User, course: Course, *, count: int = 6) -> list[LiveSession]:
    """Tuesdays at 18:00 Paris, 90 minutes, from 17 March 2026 (across the DST change)."""
    _, sessions = services.series_create(
        actor=owner,
        course=course,
        title="Atelier du mardi",
        description="Chaque semaine.",
        days_of_week=[1],
        start_time=time(18, 0),
        timezone_name="Europe/Paris",
        starts_on=date(2026, 3, 17),
        duration_minutes=90,
        count=count,
        max_participants=25,
        now=BEFORE_DST,
    )
    return sessions


def series_path(session: LiveSession) -> str:
    return f"/api/live-sessions/{session.pk}/series"


def snapshot() -> list[tuple[Any, ...]]:
    """Every session and series row, field by field: 'nothing written' is this unchanged."""
    sessions = LiveSession.objects.order_by("pk").values_list(
        "pk",
        "title",
        "description",
        "status",
        "scheduled_start_at",
        "scheduled_end_at",
        "max_participants",
        "is_recording_enabled",
        "sequence",
        "updated_at",
    )
    series = SessionSeries.objects.order_by("pk").values_list(
        "pk", "title", "description", "start_time", "duration_minutes", "max_participants"
    )
    return [*sessions, *series]


def series_of(session: LiveSession) -> SessionSeries:
    assert session.series_id is not None
    return SessionSeries.objects.get(pk=session.series_id)


def paris(instant: datetime) -> datetime:
    return instant.astimezone(PARIS)


# --- One occurrence --------------------------------------------------------------------------


def test_editing_one_occurrence_keeps_it_in_its_series(
    api: Any, owner: User, course: Course
) -> None:
    sessions = make_series(owner, course, count=3)
    target = sessions[1]
    new_start = datetime(2026, 3, 25, 18, 0, tzinfo=PARIS)
    with time_machine.travel(BEFORE_DST, tick=False):
        response = api(owner).patch(
            f"/api/live-sessions/{target.pk}",
            {
                "scheduled_start_at": new_start.isoformat(),
                "scheduled_end_at": (new_start + timedelta(hours=1)).isoformat(),
            },
        )
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["series_id"] == target.series_id and data["sequence"] == target.sequence + 1
    target.refresh_from_db()
    assert target.series_id == sessions[0].series_id
    assert target.scheduled_start_at == new_start
    # The other occurrences did not move.
    for other in (sessions[0], sessions[2]):
        fresh = LiveSession.objects.get(pk=other.pk)
        assert fresh.scheduled_start_at == other.scheduled_start_at
        assert fresh.sequence == other.sequence and fresh.series_id == other.series_id
    # A later "this and following" edit still reaches it, in its new place.
    with time_machine.travel(BEFORE_DST, tick=False):
        response = api(owner).patch(series_path(sessions[0]), {"title": "Renommé"})
    assert response.status_code == 200, response.content
    assert [r["id"] for r in response.json_body["data"]] == [s.pk for s in sessions]


# --- This and following ----------------------------------------------------------------------


def test_the_series_wall_clock_start_is_what_the_document_says(owner: User, course: Course) -> None:
    """A local time without offset ("18:00:00"): the document said `format: time`, which
    is RFC 3339's and requires an offset (found by the apifuzz run)."""
    record = series_of(make_series(owner, course)[0])
    token, _ = token_issue(user=owner)
    response = call_conforming(
        "GET", "/api/live-series/{series_id}", token=token, path_parameters={"series_id": record.pk}
    )
    assert response.json()["data"]["start_time"] == "18:00:00"


def test_this_and_following_moves_to_1930_local_across_dst(
    api: Any, owner: User, course: Course
) -> None:
    sessions = make_series(owner, course)
    first, pivot, after_dst, later, cancelled, ended = sessions
    services.session_cancel(actor=owner, session=cancelled, reason="Férié")
    LiveSession.objects.filter(pk=ended.pk).update(status=LiveSessionStatus.ENDED)
    before = {s.pk: LiveSession.objects.get(pk=s.pk) for s in sessions}

    with time_machine.travel(BEFORE_DST, tick=False):
        response = api(owner).patch(
            series_path(pivot),
            {"start_time": "19:30", "title": "Atelier du mardi soir", "recording_enabled": True},
        )
    assert response.status_code == 200, response.content
    rows = response.json_body["data"]
    assert [r["id"] for r in rows] == [pivot.pk, after_dst.pk, later.pk]
    for row in rows:
        assert not SECRET_KEYS & set(row)
        assert row["title"] == "Atelier du mardi soir" and row["is_recording_enabled"] is True
        assert row["series_id"] == pivot.series_id and row["status"] == "scheduled"
        assert row["scheduled_start_at"].endswith("Z")

    moved = [LiveSession.objects.get(pk=s.pk) for s in (pivot, after_dst, later)]
    assert [paris(s.scheduled_start_at).date() for s in moved] == TUESDAYS[1:4]
    assert all(paris(s.scheduled_start_at).time() == time(19, 30) for s in moved)
    # 19:30 local is 18:30 UTC before the change and 17:30 UTC after it.
    assert [(s.scheduled_start_at.hour, s.scheduled_start_at.minute) for s in moved] == [
        (18, 30),
        (17, 30),
        (17, 30),
    ]
    # Each keeps its length (90 minutes) and announces the reschedule.
    for s in moved:
        assert s.scheduled_end_at - s.scheduled_start_at == timedelta(minutes=90)
        assert s.sequence == before[s.pk].sequence + 1
        assert s.max_participants == 25

    # Earlier, cancelled and ended occurrences are untouched.
    for untouched in (first, cancelled, ended):
        fresh = LiveSession.objects.get(pk=untouched.pk)
        old = before[untouched.pk]
        assert (fresh.title, fresh.scheduled_start_at, fresh.scheduled_end_at) == (
            old.title,
            old.scheduled_start_at,
            old.scheduled_end_at,
        )
        assert fresh.sequence == old.sequence and fresh.status == old.status
        assert fresh.is_recording_enabled is False
    assert paris(LiveSession.objects.get(pk=first.pk).scheduled_start_at).time() == time(18, 0)

    record = series_of(pivot)
    assert record.start_time == time(19, 30) and record.title == "Atelier du mardi soir"
    assert record.is_recording_enabled is True and record.duration_minutes == 90


def test_this_and_following_changes_duration_and_details_without_moving_starts(
    api: Any, owner: User, course: Course, admin_user: User
) -> None:
    sessions = make_series(owner, course, count=3)
    with time_machine.travel(BEFORE_DST, tick=False):
        response = api(admin_user).patch(
            series_path(sessions[0]),
            {"duration_minutes": 45, "description": "Plus court.", "max_participants": 10},
        )
    assert response.status_code == 200, response.content
    for old in sessions:
        fresh = LiveSession.objects.get(pk=old.pk)
        assert fresh.scheduled_start_at == old.scheduled_start_at
        assert fresh.scheduled_end_at - fresh.scheduled_start_at == timedelta(minutes=45)
        assert fresh.sequence == old.sequence + 1
        assert fresh.description == "Plus court." and fresh.max_participants == 10
    record = series_of(sessions[0])
    assert record.duration_minutes == 45 and record.start_time == time(18, 0)
    assert record.description == "Plus court." and record.max_participants == 10


def test_a_change_without_new_times_does_not_bump_sequence(
    api: Any, owner: User, course: Course
) -> None:
    sessions = make_series(owner, course, count=2)
    with time_machine.travel(BEFORE_DST, tick=False):
        # Same local time and length: nothing moves, so calendars are not told it did.
        response = api(owner).patch(
            series_path(sessions[0]), {"title": "Nouveau titre", "start_time": "18:00"}
        )
    assert response.status_code == 200, response.content
    assert [r["sequence"] for r in response.json_body["data"]] == [s.sequence for s in sessions]
    assert [r["title"] for r in response.json_body["data"]] == ["Nouveau titre"] * 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "nothing_to_update"),
        ({"title": None, "start_time": None}, "nothing_to_update"),
        ({"start_time": "25:00"}, "validation_error"),
        ({"start_time": "7pm"}, "validation_error"),
        ({"start_time": "demain"}, "validation_error"),
        ({"max_participants": 0}, "validation_error"),
        ({"max_participants": 10_001}, "validation_error"),
        ({"title": "x" * 201}, "validation_error"),
        ({"title": ""}, "validation_error"),
        ({"title": "   "}, "validation_error"),
        ({"description": "x" * 10_001}, "validation_error"),
        ({"duration_minutes": 0}, "series_invalid_duration"),
        ({"duration_minutes": 721}, "series_invalid_duration"),
        ({"recording_enabled": "peut-être"}, "validation_error"),
        # A valid change next to a bad one: still nothing written.
        ({"title": "Bon titre", "max_participants": -1}, "validation_error"),
        ({"title": "Bon titre", "duration_minutes": 0}, "series_invalid_duration"),
    ],
)
def test_this_and_following_bad_input_writes_nothing(
    api: Any, owner: User, course: Course, body: dict[str, Any], code: str
) -> None:
    sessions = make_series(owner, course, count=3)
    before = snapshot()
    with time_machine.travel(BEFORE_DST, tick=False):
        assert_error(api(owner).patch(series_path(sessions[0]), body), 400, code)
    assert snapshot() == before


def test_this_and_following_refuses_a_start_in_the_past_whole(
    api: Any, owner: User, course: Course
) -> None:
    sessions = make_series(owner, course, count=3)
    before = snapshot()
    # 17:00 in Paris on the day of the first occurrence (18:00): 16:30 is already past.
    with time_machine.travel(datetime(2026, 3, 17, 16, 0, tzinfo=UTC), tick=False):
        response = api(owner).patch(series_path(sessions[0]), {"start_time": "16:30"})
    assert_error(response, 400, "start_in_past")
    assert snapshot() == before


def test_this_and_following_needs_a_scheduled_occurrence_of_a_series(
    api: Any, owner: User, course: Course
) -> None:
    sessions = make_series(owner, course, count=3)
    lone = make_session(owner, course)
    services.session_cancel(actor=owner, session=sessions[0])
    LiveSession.objects.filter(pk=sessions[1].pk).update(status=LiveSessionStatus.LIVE)
    before = snapshot()
    with time_machine.travel(BEFORE_DST, tick=False):
        assert_error(api(owner).patch(series_path(lone), {"title": "X"}), 409, "not_in_series")
        for session in sessions[:2]:
            body = assert_error(
                api(owner).patch(series_path(session), {"title": "X"}), 409, "invalid_transition"
            )
            assert body["error"]["details"]["action"] == "update"
    assert snapshot() == before


def test_this_and_following_by_others_is_refused(
    api: Any, owner: User, course: Course, member: User, other_instructor: User, outsider: User
) -> None:
    sessions = make_series(owner, course, count=2)
    before = snapshot()
    path = series_path(sessions[0])
    with time_machine.travel(BEFORE_DST, tick=False):
        for actor in (member, other_instructor, outsider):
            assert_error(api(actor).patch(path, {"title": "Pirate"}), 403, "forbidden")
        assert_error(api(None).patch(path, {"title": "Pirate"}), 401, "not_authenticated")
        assert_error(
            api(owner).patch("/api/live-sessions/987654/series", {"title": "X"}),
            404,
            "session_not_found",
        )
    assert snapshot() == before
