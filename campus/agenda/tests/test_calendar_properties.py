"""Properties of the calendar over random users, zones, schedules and changes (issue 15):

- the subscription feed, the API's events and the month page list the same events at the
  same instants, whatever the user's zone, the offset the sessions were entered with, or
  a change of hour inside the month;
- a subscribed client revalidating with If-None-Match, If-Modified-Since or both never
  gets a 304 for a copy that is no longer the current file, and gets one when nothing
  changed since its copy, after any sequence of additions, edits, cancellations and
  deletions, however close together.

Each example runs in its own transaction (hypothesis' Django TestCase), from scratch.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from campus.accounts.models import Role, User
from campus.agenda import services
from campus.agenda.tests.backend_helpers import enroll, generate
from campus.agenda.tests.interop import Span, parse_everywhere, spans_of
from campus.courses import services as course_services
from campus.courses.models import Course, Lesson, Quiz
from campus.live import services as live_services
from campus.live.models import LiveSession, LiveSessionStatus
from conftest import api_for, build_course, make_user

NOW = datetime(2027, 2, 20, 12, 0, tzinfo=UTC)
# March (America and Europe change hour), October (Europe changes back, Australia
# forward), November (America changes back).
MONTHS = [date(2027, 3, 1), date(2027, 10, 1), date(2027, 11, 1)]
USER_ZONES = [
    "Africa/Porto-Novo",
    "America/New_York",
    "Europe/Paris",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/St_Johns",
    "Pacific/Kiritimati",
    "UTC",
]
INPUT_ZONES = ["Africa/Porto-Novo", "America/New_York", "Europe/Paris", "+01:00", "-03:30"]
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def tzinfo_of(name: str) -> Any:
    if name[0] in "+-":
        return datetime.fromisoformat(f"2027-01-01T00:00:00{name}").tzinfo
    return ZoneInfo(name)


def start_in(zone: str, day: date, hour: int, minute: int) -> datetime:
    """Wall-clock time in the instructor's input zone (a time inside a spring-forward gap
    is what the form would get too)."""
    return datetime.combine(day, time(hour, minute), tzinfo=tzinfo_of(zone))


sessions = st.lists(
    st.tuples(
        st.integers(-8, 40),  # day from the month's first
        st.integers(0, 23),
        st.sampled_from([0, 30, 45]),
        st.sampled_from([30, 60, 150, 600]),  # minutes; 600 crosses midnight
    ),
    max_size=5,
)


def feed_path(user: User) -> str:
    return reverse("agenda:feed", kwargs={"token": services.calendar_token(actor=user).token})


def overlaps(span: Span, start: datetime, end: datetime) -> bool:
    if span.start == span.end:  # a point belongs to [start, end) when it is in it
        return start <= span.start < end
    return span.start < end and span.end > start


def instant_span(start: datetime, end: datetime, *, all_day: bool, tz: ZoneInfo) -> Span:
    """As the feed writes it: local dates for all-day events, UTC instants otherwise."""
    if all_day:
        return Span(start.astimezone(tz).date(), end.astimezone(tz).date())
    return Span(start.astimezone(UTC), end.astimezone(UTC))


class SameEventsEverywhere(TestCase):
    @PROPERTY
    @given(
        user_zone=st.sampled_from(USER_ZONES),
        input_zone=st.sampled_from(INPUT_ZONES),
        month=st.sampled_from(MONTHS),
        schedule=sessions,
        planned=st.booleans(),
        due_days=st.lists(st.integers(-8, 40), min_size=3, max_size=3),
    )
    def test_feed_api_and_month_page_agree(
        self,
        user_zone: str,
        input_zone: str,
        month: date,
        schedule: list[tuple[int, int, int, int]],
        planned: bool,
        due_days: list[int],
    ) -> None:
        with time_machine.travel(NOW, tick=False):
            student = self.build(user_zone, input_zone, month, schedule, planned, due_days)
            tz = ZoneInfo(user_zone)

            client = Client()
            client.force_login(student)
            page = client.get(
                reverse("agenda:calendar"), {"view": "month", "date": month.isoformat()}
            )
            assert page.status_code == 200
            layout = page.context["layout"]
            window = layout.window

            api = api_for(student).get(
                "/api/calendar/events",
                {"start": window.start.isoformat(), "end": window.end.isoformat()},
            )
            assert api.status_code == 200, api.content
            from_api = {
                row["uid"]: instant_span(
                    datetime.fromisoformat(row["start"]),
                    datetime.fromisoformat(row["end"]),
                    all_day=row["all_day"],
                    tz=tz,
                )
                for row in api.json_body["data"]["events"]
            }

            body = Client().get(feed_path(student)).content
            from_feed = {
                uid: span
                for uid, span in spans_of(parse_everywhere(body)).items()
                if overlaps(instant_span_window(span, tz), window.start, window.end)
            }

            from_page: dict[str, Span] = {}
            for cell in layout.days:
                for placed in cell.events:
                    event = placed.event
                    from_page[event.uid] = instant_span(
                        event.start, event.end, all_day=event.all_day, tz=tz
                    )
                    # Shown on its local day at its local time.
                    if placed.starts_today and not event.all_day:
                        assert placed.day == event.start.astimezone(tz).date() == cell.day
                        assert placed.start == event.start.astimezone(tz)
                        assert placed.start.utcoffset() == tz.utcoffset(
                            placed.start.replace(tzinfo=None)
                        )

            assert from_api == from_feed == from_page
            assert layout.event_count == len(from_page)

    def build(
        self,
        user_zone: str,
        input_zone: str,
        month: date,
        schedule: list[tuple[int, int, int, int]],
        planned: bool,
        due_days: list[int],
    ) -> User:
        owner = make_user("formatrice@example.test", Role.INSTRUCTOR, timezone="Asia/Tokyo")
        course = build_course(
            owner,
            course_start_date=month - timedelta(days=3),
            course_end_date=month + timedelta(days=20),
        )
        student = make_user("etudiant@example.test", timezone=user_zone)
        enroll(student, course)
        for day, hour, minute, minutes in schedule:
            start = start_in(input_zone, month + timedelta(days=day), hour, minute)
            end = (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)
            live_services.session_create(
                actor=owner,
                course=course,
                title="Séance",
                scheduled_start_at=start,
                scheduled_end_at=end,
            )
        for quiz, day in zip(
            Quiz.objects.filter(course=course).order_by("id"), due_days, strict=False
        ):
            due = start_in(input_zone, month + timedelta(days=day), 23, 59)
            course_services.quiz_update(actor=owner, quiz=quiz, due_at=due)
        if planned:
            generate(student, course, now=NOW)
        return student


def instant_span_window(span: Span, tz: ZoneInfo) -> Span:
    """A feed span as instants (all-day dates are the user's local midnights)."""
    if isinstance(span.start, datetime):
        return span
    return Span(
        datetime.combine(span.start, time(0), tzinfo=tz),
        datetime.combine(span.end, time(0), tzinfo=tz),
    )


# --- Revalidation ------------------------------------------------------------------------

changes = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(1, 60), st.integers(0, 23)),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(-48, 48)),
        st.tuples(st.just("rename"), st.integers(0, 9), st.just(0)),
        st.tuples(st.just("cancel"), st.integers(0, 9), st.just(0)),
        st.tuples(st.just("delete"), st.integers(0, 9), st.just(0)),
        st.tuples(st.just("due"), st.integers(0, 2), st.integers(1, 60)),
        st.tuples(st.just("delete_quiz"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("lesson_done"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("replan"), st.just(0), st.just(0)),
        st.tuples(st.just("wait"), st.sampled_from([0, 1, 2, 3600]), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)
HEADERS = {
    "etag": ("If-None-Match",),
    "since": ("If-Modified-Since",),
    "both": ("If-None-Match", "If-Modified-Since"),
}


class FeedRevalidation(TestCase):
    @PROPERTY
    @given(
        steps=changes, modes=st.lists(st.sampled_from(sorted(HEADERS)), min_size=12, max_size=12)
    )
    def test_a_304_means_the_copy_is_current(
        self, steps: list[tuple[str, int, int]], modes: list[str]
    ) -> None:
        with time_machine.travel(NOW, tick=False) as clock:
            owner = make_user("formatrice@example.test", Role.INSTRUCTOR)
            course = build_course(owner, course_start_date=date(2027, 2, 22))
            student = make_user("etudiant@example.test", timezone="America/New_York")
            enroll(student, course)
            generate(student, course, now=NOW)
            path = feed_path(student)
            client = Client()
            first = client.get(path)
            copy = (first["ETag"], first["Last-Modified"], first.content)
            for (action, a, b), mode in zip(steps, modes, strict=False):
                self.change(clock, owner, student, course, action, a, b)
                answer = client.get(path, headers=self.sent(copy, mode))
                current = client.get(path).content
                if answer.status_code == 304:  # never keeps a stale copy
                    assert current == copy[2], (action, mode)
                    continue
                # A new file (possibly the same bytes: a change the file does not show,
                # such as a plan item marked done, still makes a new version).
                assert answer.status_code == 200, (action, mode)
                assert answer.content == current
                copy = (answer["ETag"], answer["Last-Modified"], answer.content)
                # Nothing changed since: the copy just received is current.
                again = client.get(path, headers=self.sent(copy, mode))
                assert again.status_code == 304, (action, mode)

    @staticmethod
    def sent(copy: tuple[str, str, bytes], mode: str) -> dict[str, str]:
        """The validators of `copy` that `mode` sends, as request headers."""
        validators = {"If-None-Match": copy[0], "If-Modified-Since": copy[1]}
        return {name: validators[name] for name in HEADERS[mode]}

    def change(
        self, clock: Any, owner: User, student: User, course: Course, action: str, a: int, b: int
    ) -> None:
        now = datetime.now(UTC)
        scheduled = list(
            LiveSession.objects.filter(course=course, status=LiveSessionStatus.SCHEDULED).order_by(
                "id"
            )
        )
        session = scheduled[a % len(scheduled)] if scheduled else None
        quizzes = list(Quiz.objects.filter(course=course).order_by("id"))
        if action == "add":
            start = now + timedelta(days=a, hours=b)
            live_services.session_create(
                actor=owner,
                course=course,
                title="Séance",
                scheduled_start_at=start,
                scheduled_end_at=start + timedelta(hours=1),
            )
        elif action == "move" and session is not None:
            start = max(session.scheduled_start_at + timedelta(hours=b), now + timedelta(hours=1))
            live_services.session_update(
                actor=owner,
                session=session,
                scheduled_start_at=start,
                scheduled_end_at=start + timedelta(hours=1),
            )
        elif action == "rename" and session is not None:
            live_services.session_update(actor=owner, session=session, title=f"Séance {now:%S%f}")
        elif action == "cancel" and session is not None:
            live_services.session_cancel(actor=owner, session=session)
        elif action == "delete" and session is not None:
            live_services.session_delete(actor=owner, session=session)
        elif action == "due" and quizzes:
            quiz = quizzes[a % len(quizzes)]
            course_services.quiz_update(actor=owner, quiz=quiz, due_at=now + timedelta(days=b))
        elif action == "delete_quiz" and quizzes:
            course_services.quiz_delete(actor=owner, quiz=quizzes[a % len(quizzes)])
        elif action == "lesson_done":
            lessons = list(Lesson.objects.filter(course=course).order_by("id"))
            course_services.lesson_complete(actor=student, lesson=lessons[a % len(lessons)])
        elif action == "replan":
            enrollment = student.enrollments.get(course=course)
            services.plan_replan(actor=student, enrollment=enrollment, now=now)
        elif action == "wait":
            clock.shift(timedelta(seconds=a))
