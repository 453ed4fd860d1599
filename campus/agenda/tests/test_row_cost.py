"""The calendar's per-row shortcuts give what the slow way gave: paths built from a
reversed template equal `reverse()` (script prefix and quoting included), and the
merged calendar's rows carry the same paths, uids and texts as before."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix

from campus.accounts.models import User
from campus.agenda import links, paths, selectors
from campus.agenda.models import PlanItem
from campus.agenda.tests.backend_helpers import MONDAY, generate, session_at
from campus.courses.models import Course, Quiz
from campus.live import services as live_services
from campus.notifications.invitations import session_uid

pytestmark = pytest.mark.django_db

JANUARY = {"start": "2027-01-01", "end": "2027-01-31"}
# (view, arguments) for every route the calendar builds paths for.
ROUTES: list[tuple[str, dict[str, Any]]] = [
    ("courses:lesson", {"slug": "gestion-de-projet", "lesson_id": 7}),
    ("courses:quiz", {"slug": "gestion-de-projet", "quiz_id": 12}),
    ("courses:detail", {"slug": "bench-00001"}),
    ("agenda:plan", {"slug": "a_b-c"}),
    ("agenda:event_ics", {"key": "plan_item-485"}),
    ("agenda:event_ics", {"key": "course_start-3"}),
    ("live:session_detail", {"slug": "leadership", "session_id": 918273645500}),
    ("live:join", {"slug": "leadership", "session_id": 1}),
]


@pytest.fixture
def prefix() -> Iterator[Any]:
    """Set the script prefix as a WSGI server's SCRIPT_NAME does; restored after."""
    before = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(before)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(("view", "kwargs"), ROUTES)
@pytest.mark.parametrize("script", ["/", "/campus/", "/mon campus/é/"])
def test_path_for_equals_reverse(prefix: Any, script: str, view: str, kwargs: dict) -> None:
    prefix(script)
    assert paths.path_for(view, **kwargs) == reverse(view, kwargs=kwargs)
    # The positional builder, whatever the order its arguments are named in.
    names = list(reversed(kwargs))
    build = paths.template(view, *names)
    assert build(*(kwargs[n] for n in names)) == reverse(view, kwargs=kwargs)


def test_the_template_follows_the_prefix_of_each_request(prefix: Any) -> None:
    kwargs = {"slug": "cours", "lesson_id": 5}
    prefix("/a/")
    assert paths.path_for("courses:lesson", **kwargs) == "/a/courses/cours/lessons/5/"
    prefix("/b/")
    assert paths.path_for("courses:lesson", **kwargs) == "/b/courses/cours/lessons/5/"
    prefix("/")
    assert paths.path_for("courses:lesson", **kwargs) == reverse("courses:lesson", kwargs=kwargs)


@pytest.mark.parametrize("key", ["a b", "clé", "x%y", "q?r#s", "50%"])
def test_values_are_quoted_as_reverse_quotes_them(key: str) -> None:
    assert paths.path_for("agenda:event_ics", key=key) == reverse(
        "agenda:event_ics", kwargs={"key": key}
    )


def test_an_unknown_view_or_argument_still_fails() -> None:
    with pytest.raises(NoReverseMatch):
        paths.path_for("courses:lesson", slug="s")
    with pytest.raises(NoReverseMatch):
        paths.path_for("agenda:nothing", key="k")


def _calendar_world(course: Course, member: User, owner: User) -> None:
    course.course_start_date = datetime(2027, 1, 4).date()
    course.course_end_date = datetime(2027, 3, 1).date()
    course.save()
    quiz = Quiz.objects.filter(course=course).order_by("id").first()
    assert quiz is not None
    quiz.due_at = MONDAY + timedelta(days=3)
    quiz.save()
    session_at(owner, course, MONDAY + timedelta(days=1), description="**Ordre** du jour")
    cancelled = session_at(owner, course, MONDAY + timedelta(days=2))
    live_services.session_cancel(actor=owner, session=cancelled, reason="Grève")
    generate(member, course)


def _expected_url(event: dict, course: Course) -> str:
    kind, _sep, raw = event["key"].rpartition("-")
    pk = int(raw)
    if kind == "live_session":
        return reverse("live:session_detail", kwargs={"slug": course.slug, "session_id": pk})
    if kind == "quiz_due":
        return reverse("courses:quiz", kwargs={"slug": course.slug, "quiz_id": pk})
    if kind.startswith("course_"):
        return reverse("courses:detail", kwargs={"slug": course.slug})
    item = PlanItem.objects.get(pk=pk)
    if item.kind == "lesson":
        return reverse("courses:lesson", kwargs={"slug": course.slug, "lesson_id": item.lesson_id})
    if item.kind == "quiz":
        return reverse("courses:quiz", kwargs={"slug": course.slug, "quiz_id": item.quiz_id})
    return reverse("agenda:plan", kwargs={"slug": course.slug})


@pytest.mark.parametrize("script", ["/", "/campus/"])
def test_calendar_rows_carry_reversed_paths(
    frozen: Any, prefix: Any, script: str, api: Any, course: Course, member: User, owner: User
) -> None:
    _calendar_world(course, member, owner)
    prefix(script)
    for path in ("/api/calendar/events", "/api/calendar"):
        response = api(member).get(path, JANUARY)
        assert response.status_code == 200, response.content
        data = response.json_body["data"]
        events = data["events"] if isinstance(data, dict) else data
        assert {e["type"] for e in events} == {
            "live_session",
            "lesson",
            "quiz",
            "milestone",
            "deadline",
            "course",
        }
        for event in events:
            assert event["url"] == _expected_url(event, course), event
            assert event["ics_url"] == reverse("agenda:event_ics", kwargs={"key": event["key"]})
            assert event["url"].startswith(script) and event["ics_url"].startswith(script)


def test_calendar_rows_keep_their_uids_and_texts(
    frozen: Any, course: Course, member: User, owner: User
) -> None:
    _calendar_world(course, member, owner)
    events = selectors.calendar_events(user=member, start=MONDAY, end=MONDAY + timedelta(days=30))
    sessions = {e.key: e for e in events if e.type == "live_session"}
    assert len(sessions) == 2
    for session in course.live_sessions.all():
        event = sessions[f"live_session-{session.pk}"]
        assert event.uid == session_uid(session)
        assert event.course_slug == course.slug and event.course_title == course.title
        if session.status == "cancelled":
            assert event.description == "Séance annulée. Grève"
        else:
            assert event.description == "Ordre du jour"
    item = next(e for e in events if e.type == "lesson")
    row = PlanItem.objects.select_related("plan").get(pk=int(item.key.rpartition("-")[2]))
    assert item.uid == selectors.item_uid(row, row.plan.enrollment_id)
    assert item.title == selectors.item_title(row)
    assert item.description == f"Planning d'étude : {course.title}"
    deadline = next(e for e in events if e.type == "deadline")
    assert deadline.title.startswith("Date limite : ")
    assert {e.title for e in events if e.type == "course"} == {f"Début du cours : {course.title}"}


def test_a_live_session_has_its_join_path(
    frozen: Any, prefix: Any, course: Course, member: User, owner: User
) -> None:
    session = session_at(owner, course, MONDAY + timedelta(minutes=5))
    live_services.session_start(actor=owner, session=session, now=MONDAY + timedelta(minutes=5))
    prefix("/campus/")
    event = selectors.calendar_event(user=member, key=f"live_session-{session.pk}")
    assert event is not None and event.status == "live"
    assert event.join_url == reverse(
        "live:join", kwargs={"slug": course.slug, "session_id": session.pk}
    )
    assert event.join_url.startswith("/campus/")
    assert links.event_ics_path(event) == f"/campus/calendar/events/live_session-{session.pk}.ics"


# --- Rows validated as dicts (RowOut) ----------------------------------------------------


def test_a_dict_row_validates_as_ninjas_getter_does(
    frozen: Any, course: Course, member: User, owner: User
) -> None:
    from types import SimpleNamespace

    from pydantic import ValidationError

    from campus.agenda import presenters
    from campus.agenda.schemas import EventOut, MdscCalendarEventOut

    _calendar_world(course, member, owner)
    events = selectors.calendar_events(user=member, start=MONDAY, end=MONDAY + timedelta(days=30))
    for row in presenters.event_rows(events) + presenters.frontend_event_rows(events):
        schema = MdscCalendarEventOut if "event_type" in row else EventOut
        fast = schema.model_validate(row).model_dump()
        # An object with the same attributes takes ninja's DjangoGetter path.
        slow_input = SimpleNamespace(**row)
        if "course" in row:
            slow_input.course = SimpleNamespace(**row["course"])
        assert fast == schema.model_validate(slow_input).model_dump()
    bad = dict(presenters.event_rows(events)[0])
    del bad["uid"]
    with pytest.raises(ValidationError):
        EventOut.model_validate(bad)
    with pytest.raises(ValidationError):
        EventOut.model_validate({**presenters.event_rows(events)[0], "start": "hier"})


def test_a_live_session_row_validates_as_the_model_does(
    course: Course, member: User, owner: User
) -> None:
    from campus.live import presenters as live_presenters
    from campus.live import selectors as live_selectors
    from campus.live.schemas import SessionOut, StudentSessionOut

    made = session_at(owner, course, MONDAY + timedelta(days=1), description="Ordre du jour")
    session = live_selectors.session_with_counts(
        session=live_selectors.session_base().get(pk=made.pk)
    )
    # From the presenter's dict (fast path) and from the model through ninja's getter.
    fast = SessionOut.model_validate(live_presenters.session_row(session)).model_dump()
    slow = SessionOut.model_validate(session).model_dump()
    assert fast == slow
    assert fast["instructor"] == {"id": owner.pk, "full_name": owner.full_name}
    student = StudentSessionOut.model_validate(live_presenters.student_row(session)).model_dump()
    assert student["course"] == {"id": course.pk, "title": course.title, "slug": course.slug}
