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

import html
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


@pytest.fixture(params=["database-cache", "redis-cache"])
def campus(request: pytest.FixtureRequest, var_dir: Path) -> Iterator[Campus]:
    cache_url = REDIS_CACHE_URL if request.param == "redis-cache" else ""
    if cache_url:
        flush_redis(cache_url)
    env = shared_env(var_dir, cache_url, secret_key=secrets.token_urlsafe(40))
    prepared = run_python(env, PREPARE, f"Q&A between servers ({request.param})")
    assert prepared["status"] == "live", prepared
    with two_servers(env, var_dir) as (a, b):
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
