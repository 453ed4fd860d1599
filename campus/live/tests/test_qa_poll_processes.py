"""The live class's Q&A poll across processes: no cache serves a stale answer after a
write, even when the write and the read happen in different processes.

Two gunicorn servers (A and B, as two machines) share one SQLite file, one cache and one
SECRET_KEY; a third process writes through campus.live.services. A student polls the
list (`?part=list&v=…&pass=…`) on either server: an unchanged poll is the empty 204 of
campus.core.polls.PollShortcutMiddleware, and every write, wherever it happens (a
question posted on A, a question hidden on B, the session ended by another process),
makes the next poll on the other server a 200 with the new list, its students' items
(cached per state, `_student_items_html`) included. Run for each shared cache: the
embedded default (DatabaseCache in the SQLite file) and Redis (CACHE_URL).

Like test_run_command.py (helpers shared in campus.core.tests.processes): a temporary
CAMPUS_VAR_DIR, `campus migrate`, `campus demo`, plain HTTP with cookies and CSRF; every
server in its own process group, stopped at the end. It runs with the real-process tests
(`make test-worker`, CI's worker step).
"""

import copy
import html
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from campus.core.tests.processes import (
    Browser,
    Server,
    csrf_token,
    flush_redis,
    migrated_demo,
    run_python,
    shared_env,
    two_servers,
)

pytestmark = pytest.mark.worker

REDIS_CACHE_URL = os.environ.get("CAMPUS_TEST_CACHE_URL", "redis://127.0.0.1:6379/13")
POLLED_LIST = re.compile(r'<div class="qa-list"[^>]*?hx-get="([^"]+)"')

# Run by `python -c` in the servers' environment (argv after the code: its arguments).
DJANGO = "import json, sys, django; django.setup()\n"
PREPARE = (
    DJANGO
    + """
from datetime import timedelta
from django.utils import timezone
from campus.courses.models import Enrollment
from campus.live import services

enrollment = (
    Enrollment.objects.filter(
        is_active=True, user__role="student", course__status="published",
        course__instructor__isnull=False,
    )
    .select_related("user", "course__instructor")
    .order_by("course_id", "user_id")
    .first()
)
course, owner = enrollment.course, enrollment.course.instructor
now = timezone.now()
session = services.session_create(
    actor=owner, course=course, title=sys.argv[1],
    scheduled_start_at=now + timedelta(minutes=5),
    scheduled_end_at=now + timedelta(minutes=65),
)
session = services.session_start(actor=owner, session=session)
print(json.dumps({
    "session_id": session.pk, "slug": course.slug, "owner_id": owner.pk,
    "owner": owner.email, "student": enrollment.user.email, "status": session.status,
}))
"""
)
END = (
    DJANGO
    + """
from campus.accounts.models import User
from campus.live import services
from campus.live.models import LiveSession

session = LiveSession.objects.select_related("course").get(pk=int(sys.argv[1]))
owner = User.objects.get(pk=int(sys.argv[2]))
ended, _stats = services.session_end(actor=owner, session=session)
print(json.dumps({"status": ended.status}))
"""
)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated demo database for the module: each cache's test makes its own live
    session in it."""
    return migrated_demo(tmp_path_factory.mktemp("qa-poll-var"))


# --- Servers ----------------------------------------------------------------------------


@dataclass
class Campus:
    env: dict[str, str]
    a: Server
    b: Server
    session_id: int
    slug: str
    owner_id: int
    owner: str
    student: str

    def logs(self) -> str:
        return self.a.tail() + "\n" + self.b.tail()


@contextmanager
def live_on_two_servers(
    cache: str, var_dir: Path, script: str, label: str
) -> Iterator[tuple[dict[str, str], dict[str, object], Server, Server]]:
    """`script` run once (a live session to poll), then two servers on its data, sharing
    the cache `cache` names ("database-cache" or "redis-cache", flushed first)."""
    cache_url = REDIS_CACHE_URL if cache == "redis-cache" else ""
    if cache_url:
        flush_redis(cache_url)
    env = shared_env(var_dir, cache_url, secret_key=secrets.token_urlsafe(40))
    prepared = run_python(env, script, f"{label} ({cache})")
    assert prepared["status"] == "live", prepared
    with two_servers(env, var_dir) as (a, b):
        yield env, prepared, a, b


@pytest.fixture(params=["database-cache", "redis-cache"])
def campus(request: pytest.FixtureRequest, var_dir: Path) -> Iterator[Campus]:
    label = "Q&A between servers"
    with live_on_two_servers(request.param, var_dir, PREPARE, label) as (env, prepared, a, b):
        yield Campus(
            env=env,
            a=a,
            b=b,
            session_id=int(str(prepared["session_id"])),
            slug=str(prepared["slug"]),
            owner_id=int(str(prepared["owner_id"])),
            owner=str(prepared["owner"]),
            student=str(prepared["student"]),
        )


def _polled_url(fragment: str) -> str:
    found = POLLED_LIST.search(fragment)
    assert found, "no polled list in:\n" + fragment[:2000]
    return html.unescape(found.group(1))


# --- The proof ----------------------------------------------------------------------------


def test_no_cache_serves_a_stale_qa_list_across_processes(campus: Campus) -> None:
    a, b = campus.a, campus.b
    room = f"/courses/{campus.slug}/live-sessions/{campus.session_id}"
    student = Browser()
    student.login(campus.student, a.base)
    page = student.request(a.base + room + "/join")
    assert page.status == 200, page.body[:1000]
    first_poll = _polled_url(page.body)
    assert first_poll.startswith(room + "/questions?part=list&v="), first_poll

    # Nothing changed: B answers A's pass with the empty 204 (same cookies, same key).
    unchanged = student.request(b.base + first_poll)
    assert (unchanged.status, unchanged.body) == (204, ""), campus.logs()

    # A question posted on A: B's very next poll of the old version is the new list.
    text = f"Question entre serveurs {secrets.token_hex(6)}"
    posted = student.request(
        a.base + room + "/questions",
        form={"csrfmiddlewaretoken": csrf_token(page.body), "text": text},
        htmx=True,
    )
    assert posted.status == 200 and text in posted.body, posted.body[:2000]
    after_post = student.request(b.base + first_poll)
    assert after_post.status == 200, (
        f"stale: B answered {after_post.status} to the old version right after A's POST "
        f"({after_post.ms:.0f} ms)\n{campus.logs()}"
    )
    assert text in after_post.body, after_post.body[:2000]
    second_poll = _polled_url(after_post.body)
    assert second_poll != first_poll
    for server in (b, a):
        again = student.request(server.base + second_poll)
        assert (again.status, again.body) == (204, ""), f"{server.name}: {again}\n{campus.logs()}"

    # The owner, on B, hides it: the student's next poll on A no longer shows it (the
    # students' items drawn for the previous state, on A and on B, are not reused).
    instructor = Browser()
    instructor.login(campus.owner, b.base)
    owner_page = instructor.request(b.base + room + "/join")
    assert owner_page.status == 200, owner_page.body[:1000]
    hide = re.search(r'action="([^"]*/questions/(\d+)/hide)"', owner_page.body)
    question_ids = set(re.findall(r'id="qa-q-(\d+)"', owner_page.body))
    assert hide and question_ids == {hide.group(2)}, owner_page.body[:3000]
    hidden = instructor.request(
        b.base + html.unescape(hide.group(1)),
        form={"csrfmiddlewaretoken": csrf_token(owner_page.body)},
        htmx=True,
    )
    assert hidden.status == 200 and "qa-hidden" in hidden.body, hidden.body[:2000]
    after_hide = student.request(a.base + second_poll)
    assert after_hide.status == 200, (
        f"stale: A answered {after_hide.status} to the version before B's hide "
        f"({after_hide.ms:.0f} ms)\n{campus.logs()}"
    )
    assert text not in after_hide.body, "A served the hidden question:\n" + after_hide.body
    third_poll = _polled_url(after_hide.body)
    for server in (b, a):
        again = student.request(server.base + third_poll)
        assert (again.status, again.body) == (204, ""), f"{server.name}: {again}\n{campus.logs()}"

    # A third process ends the session: B's next poll is the closed list, which no
    # longer polls; so is A's.
    ended = run_python(campus.env, END, str(campus.session_id), str(campus.owner_id))
    assert ended["status"] == "ended", ended
    for server in (b, a):
        closed = student.request(server.base + third_poll)
        assert closed.status == 200, (
            f"stale: {server.name} answered {closed.status} after the session ended "
            f"elsewhere\n{campus.logs()}"
        )
        assert 'class="qa-list"' in closed.body and "hx-get" not in closed.body, closed.body
        assert text not in closed.body


# --- Grants: changed polls served by the shortcut, and only while access holds -----------
#
# With Redis (CACHE_URL) page sessions sit in the shared cache (`cached_db`), so a
# student's changed poll may be served by PollShortcutMiddleware from the list drawn
# for the new state (a *shell*), when the student's pass carries a grant (4 parts:
# key.expires.grant.sig) whose access stamps are all still current. The embedded
# default (database sessions) gives no grant. Two new students of one course, so that
# unenrolling one touches nothing the other tests use.

CLASS = (
    DJANGO
    + """
import secrets
from datetime import timedelta
from django.db.models import Count, Q
from django.utils import timezone
from campus.accounts.models import User
from campus.core.tests.processes import DEMO_PASSWORD
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services

now = timezone.now()
courses = (
    Course.objects.filter(status="published", instructor__isnull=False)
    .filter(Q(enrollment_deadline__isnull=True) | Q(enrollment_deadline__gt=now))
    .annotate(taken=Count("enrollments", filter=Q(enrollments__is_active=True)))
    .select_related("instructor")
    .order_by("-pk")
)
course = next(c for c in courses if c.max_students is None or c.taken + 2 <= c.max_students)
owner = course.instructor
tag = secrets.token_hex(4)
students = []
for name in ("student", "classmate"):
    # The same language and time zone (the defaults): one shell serves both.
    user = User.objects.create_user(email=f"{name}-{tag}@grants.test", password=DEMO_PASSWORD)
    course_services.enrollment_create(actor=user, course=course)
    students.append(user)
session = services.session_create(
    actor=owner, course=course, title=sys.argv[1],
    scheduled_start_at=now + timedelta(minutes=5),
    scheduled_end_at=now + timedelta(minutes=65),
)
session = services.session_start(actor=owner, session=session)
print(json.dumps({
    "session_id": session.pk, "slug": course.slug, "course_id": course.pk,
    "owner_id": owner.pk, "status": session.status,
    "student_id": students[0].pk, "student": students[0].email, "classmate": students[1].email,
}))
"""
)
ASK = (
    DJANGO
    + """
from campus.accounts.models import User
from campus.live import services
from campus.live.models import ChatKind, LiveSession

session = LiveSession.objects.select_related("course").get(pk=int(sys.argv[1]))
owner = User.objects.get(pk=int(sys.argv[2]))
message = services.chat_post(actor=owner, session=session, text=sys.argv[3], kind=ChatKind.QUESTION)
print(json.dumps({"id": message.pk}))
"""
)
UNENROLL = (
    DJANGO
    + """
from campus.accounts.models import User
from campus.courses import services
from campus.courses.models import Course

student = User.objects.get(pk=int(sys.argv[1]))
course = Course.objects.get(pk=int(sys.argv[2]))
enrollment = services.enrollment_deactivate(actor=student, course=course)
print(json.dumps({"is_active": enrollment.is_active}))
"""
)


@dataclass
class Class:
    cache: str
    env: dict[str, str]
    a: Server
    b: Server
    session_id: int
    slug: str
    course_id: int
    owner_id: int
    student_id: int
    student: str
    classmate: str

    @property
    def room(self) -> str:
        return f"/courses/{self.slug}/live-sessions/{self.session_id}"

    def logs(self) -> str:
        return self.a.tail() + "\n" + self.b.tail()

    def ask(self, label: str) -> str:
        """A question posted by a third process (as the course's owner); its text."""
        text = f"{label} {secrets.token_hex(6)}"
        run_python(self.env, ASK, str(self.session_id), str(self.owner_id), text)
        return text


@pytest.fixture(params=["database-cache", "redis-cache"])
def live_class(request: pytest.FixtureRequest, var_dir: Path) -> Iterator[Class]:
    label = "Q&A with grants"
    with live_on_two_servers(request.param, var_dir, CLASS, label) as (env, prepared, a, b):
        yield Class(
            cache=request.param,
            env=env,
            a=a,
            b=b,
            **{
                name: int(str(prepared[name]))
                for name in ("session_id", "course_id", "owner_id", "student_id")
            },
            slug=str(prepared["slug"]),
            student=str(prepared["student"]),
            classmate=str(prepared["classmate"]),
        )


def _grant_of(url: str) -> str:
    """The grant id in a poll URL's pass ("" when the pass has none: 3 parts)."""
    parts = parse_qs(urlsplit(url).query)["pass"][0].split(".")
    assert len(parts) in (3, 4), url
    return parts[2] if len(parts) == 4 else ""


def _draw_for_the_class(live: Class, classmate: Browser, text: str) -> None:
    """The classmate polls the list on A after the change: the full path draws the list
    (and, with grants, its shell) for the new state."""
    drawn = classmate.request(live.a.base + live.room + "/questions?part=list", htmx=True)
    assert drawn.status == 200 and text in drawn.body, f"{drawn}\n{live.logs()}"


def _copy_of(browser: Browser) -> Browser:
    """Another browser holding the same cookies (a copy kept by whoever had them)."""
    replay = Browser(browser.base)
    for cookie in browser.jar:
        replay.jar.set_cookie(copy.copy(cookie))
    return replay


def test_a_granted_poll_follows_access_across_processes(live_class: Class) -> None:
    live = live_class
    a, b, room = live.a, live.b, live.room
    student, elsewhere, classmate = Browser(), Browser(), Browser()
    # Every login first: a login writes the user's row (last_login), which replaces the
    # user's access stamp and so ends the grants given before it.
    for browser, email in ((student, live.student), (elsewhere, live.student)):
        browser.login(email, a.base)
    classmate.login(live.classmate, a.base)

    page = student.request(a.base + room + "/join")
    assert page.status == 200, page.body[:1000]
    first_poll = _polled_url(page.body)
    assert _grant_of(first_poll) == "", first_poll  # the page's own pass: no grant

    # 1. A change (a third process), then the student's poll on B: the new list, with a
    # pass that carries a grant (only where page sessions are in the shared cache).
    first = live.ask("Première question")
    changed = student.request(b.base + first_poll, htmx=True)
    assert changed.status == 200 and first in changed.body, f"{changed}\n{live.logs()}"
    granted_poll = _polled_url(changed.body)
    grant = _grant_of(granted_poll)
    if live.cache == "database-cache":
        # Database sessions: a logout could not be seen in one cache round trip.
        assert grant == "", f"a grant without sessions in the shared cache: {granted_poll}"
        return
    assert len(grant) == 16, f"no grant in the pass of B's changed list: {granted_poll}"

    # 2. Another change by a third process, drawn once for the class (the classmate, on
    # A): the student's poll on B gets the new list. The pass keeps the same grant id:
    # only the shortcut does that (the full path would give a new grant).
    second = live.ask("Deuxième question")
    _draw_for_the_class(live, classmate, second)
    served = student.request(b.base + granted_poll, htmx=True)
    assert served.status == 200, f"{served}\n{live.logs()}"
    assert second in served.body and first in served.body, served.body[:2000]
    granted_poll = _polled_url(served.body)
    assert _grant_of(granted_poll) == grant, "not served by the shortcut: a new grant"
    for server in (a, b):
        again = student.request(server.base + granted_poll, htmx=True)
        assert (again.status, again.body) == (204, ""), f"{server.name}: {again}\n{live.logs()}"

    # 3. The student logs out on A in another browser, whose cookies were copied first.
    # After a change, that browser's granted poll on B (old cookies or new) returns no
    # list, while the student's other browser is still served the same change.
    page_elsewhere = elsewhere.request(a.base + room + "/join")
    assert page_elsewhere.status == 200, page_elsewhere.body[:1000]
    polled = elsewhere.request(b.base + room + "/questions?part=list", htmx=True)
    assert polled.status == 200 and second in polled.body, polled.body[:2000]
    elsewhere_poll = _polled_url(polled.body)
    assert _grant_of(elsewhere_poll), elsewhere_poll
    kept = _copy_of(elsewhere)
    logged_out = elsewhere.request(
        a.base + "/accounts/logout/",
        form={"csrfmiddlewaretoken": csrf_token(page_elsewhere.body)},
    )
    assert logged_out.status == 200 and "/accounts/logout" not in logged_out.url, logged_out
    third = live.ask("Après la déconnexion")
    _draw_for_the_class(live, classmate, third)
    for name, browser in (("old cookies", kept), ("logged out", elsewhere)):
        refused = browser.request(b.base + elsewhere_poll, htmx=True)
        assert third not in refused.body and 'class="qa-list"' not in refused.body, (
            f"B served the list after the logout ({name}): {refused}\n{live.logs()}"
        )
        assert refused.status in (200, 302, 403) and refused.status != 204, refused
    served = student.request(b.base + granted_poll, htmx=True)
    assert served.status == 200 and third in served.body, f"{served}\n{live.logs()}"
    granted_poll = _polled_url(served.body)
    assert _grant_of(granted_poll) == grant, "the grant should still hold"

    # 4. A third process unenrolls the student (the course's access stamp is replaced
    # when it commits) and another posts a question, which the classmate's poll on A
    # draws: the student's granted poll on B is refused, without the new question.
    unenrolled = run_python(live.env, UNENROLL, str(live.student_id), str(live.course_id))
    assert unenrolled["is_active"] is False, unenrolled
    fourth = live.ask("Après la désinscription")
    _draw_for_the_class(live, classmate, fourth)
    refused = student.request(b.base + granted_poll, htmx=True)
    assert fourth not in refused.body, (
        f"B served the list to an unenrolled student ({refused.status}, {refused.ms:.0f} ms)"
        f"\n{live.logs()}"
    )
    assert refused.status == 403, f"{refused}\n{live.logs()}"
