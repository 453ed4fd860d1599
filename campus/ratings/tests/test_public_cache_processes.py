"""The public list of a course's reviews across processes: no cache serves a stale
answer after a write, even when the write and the read happen in different processes.

Two gunicorn servers (A and B, as two machines) share one SQLite file, one cache and one
SECRET_KEY; a third process writes through campus.ratings.services and
campus.accounts.services. Anonymous readers ask either server for
`GET /api/courses/{id}/ratings`, which answers from a copy in the shared cache
(campus.ratings.public.approved_rows), kept under the course's version (renewed by
every write of a review) and the stamp of users' names. After each write (the review
edited, then approved; its author renamed; the review deleted), both servers answer
with the new list at once, and the statistics agree with it. Run for each shared
cache: the embedded default (DatabaseCache in the SQLite file) and Redis (CACHE_URL).

Like campus/live/tests/test_qa_poll_processes.py (helpers shared in
campus.core.tests.processes): a temporary CAMPUS_VAR_DIR, `campus migrate`,
`campus demo`, plain HTTP; every server in its own process group, stopped at the end. It
runs with the real-process tests (`make test-worker`, CI's worker step).
"""

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from campus.core.tests.processes import (
    Browser,
    Server,
    flush_redis,
    migrated_demo,
    run_python,
    shared_env,
    two_servers,
)

pytestmark = pytest.mark.worker

# Not the Q&A test's database (13): the two may run side by side.
REDIS_CACHE_URL = os.environ.get("CAMPUS_TEST_CACHE_URL", "redis://127.0.0.1:6379/12")

# Run by `python -c` in the servers' environment (argv after the code: its arguments).
DJANGO = "import json, sys, django; django.setup()\n"
# A published course's approved review with its author's name shown, written by the
# demo through the rating services; the first one not used yet (each run deletes its).
PREPARE = (
    DJANGO
    + """
from campus.ratings.models import CourseRating, RatingStatus

review = (
    CourseRating.objects.filter(
        status=RatingStatus.APPROVED, is_anonymous=False, course__status="published",
        course__instructor__isnull=False,
    )
    .select_related("user", "course")
    .order_by("course_id", "pk")
    .first()
)
assert review is not None, "the demo has no approved named review left"
print(json.dumps({
    "course_id": review.course_id, "review_id": review.pk, "author_id": review.user_id,
    "owner_id": review.course.instructor_id, "comment": review.comment,
    "first_name": review.user.first_name,
}))
"""
)
# The author edits the comment (argv: review id, new comment).
EDIT = (
    DJANGO
    + """
from campus.ratings import services
from campus.ratings.models import CourseRating

review = CourseRating.objects.select_related("user", "course").get(pk=int(sys.argv[1]))
edited = services.rating_update(actor=review.user, review=review, comment=sys.argv[2])
print(json.dumps({"status": edited.status, "mode": services.moderation_mode()}))
"""
)
# The course's owner approves it (argv: review id).
APPROVE = (
    DJANGO
    + """
from campus.ratings import services
from campus.ratings.models import CourseRating

review = CourseRating.objects.select_related("course__instructor").get(pk=int(sys.argv[1]))
approved = services.rating_moderate(
    actor=review.course.instructor, review=review, approve=True
)
print(json.dumps({"status": approved.status}))
"""
)
# The author changes their first name on their profile (argv: user id, new first name).
RENAME = (
    DJANGO
    + """
from campus.accounts import services
from campus.accounts.models import User

user = services.profile_update(
    actor=User.objects.get(pk=int(sys.argv[1])), first_name=sys.argv[2]
)
print(json.dumps({"first_name": user.first_name, "display_name": user.display_name}))
"""
)
# The author deletes the review (argv: review id).
DELETE = (
    DJANGO
    + """
from campus.ratings import services
from campus.ratings.models import CourseRating

review = CourseRating.objects.select_related("user").get(pk=int(sys.argv[1]))
services.rating_delete(actor=review.user, review=review)
print(json.dumps({"left": CourseRating.objects.filter(pk=review.pk).count()}))
"""
)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated demo database for the module: each cache's test takes its own
    review in it."""
    return migrated_demo(tmp_path_factory.mktemp("ratings-cache-var"))


# --- Servers ----------------------------------------------------------------------------


@dataclass
class Campus:
    env: dict[str, str]
    a: Server
    b: Server
    course_id: int
    review_id: int
    author_id: int
    comment: str
    first_name: str

    def logs(self) -> str:
        return self.a.tail() + "\n" + self.b.tail()


@pytest.fixture(params=["database-cache", "redis-cache"])
def campus(request: pytest.FixtureRequest, var_dir: Path) -> Iterator[Campus]:
    cache_url = REDIS_CACHE_URL if request.param == "redis-cache" else ""
    if cache_url:
        flush_redis(cache_url)
    env = shared_env(var_dir, cache_url, secret_key=secrets.token_urlsafe(40))
    prepared = run_python(env, PREPARE)
    with two_servers(env, var_dir) as (a, b):
        yield Campus(
            env=env,
            a=a,
            b=b,
            course_id=int(prepared["course_id"]),
            review_id=int(prepared["review_id"]),
            author_id=int(prepared["author_id"]),
            comment=str(prepared["comment"]),
            first_name=str(prepared["first_name"]),
        )


# --- Reading as an anonymous visitor ------------------------------------------------------


@dataclass
class Listing:
    body: str
    rows: list[dict[str, Any]]
    total: int

    def review(self, review_id: int) -> dict[str, Any] | None:
        return next((row for row in self.rows if row["id"] == review_id), None)

    def comments(self) -> list[str]:
        return [row["comment"] for row in self.rows]


def _get_json(server: Server, path: str, campus: Campus) -> tuple[str, dict[str, Any]]:
    answer = Browser(server.base).request(path)
    assert answer.status == 200, (
        f"{server.name} answered {answer.status} to {path}: {answer.body[:1000]}\n" + campus.logs()
    )
    data = json.loads(answer.body)
    assert data["success"] is True, answer.body[:1000]
    return answer.body, data


def _listing(server: Server, campus: Campus) -> Listing:
    """The course's approved reviews on `server`, all on one page (the demo's courses
    have a few)."""
    body, data = _get_json(server, f"/api/courses/{campus.course_id}/ratings?limit=100", campus)
    total = int(data["pagination"]["total"])
    assert len(data["data"]) == total, f"more than one page on {server.name}: {body[:500]}"
    return Listing(body=body, rows=list(data["data"]), total=total)


def _rating_count(server: Server, campus: Campus) -> int:
    _body, data = _get_json(server, f"/api/courses/{campus.course_id}/ratings/stats", campus)
    return int(data["data"]["rating_count"])


def _stale(server: Server, after: str, listing: Listing, campus: Campus) -> str:
    return (
        f"stale: {server.name} served an old list right after {after} in another process\n"
        f"{listing.body[:3000]}\n{campus.logs()}"
    )


# --- The proof ----------------------------------------------------------------------------


def test_no_cache_serves_a_stale_public_review_list_across_processes(campus: Campus) -> None:
    a, b = campus.a, campus.b

    # A fills the shared copy; B answers the same.
    on_a = _listing(a, campus)
    shown = on_a.review(campus.review_id)
    assert shown is not None, f"review {campus.review_id} not listed on A:\n{on_a.body[:3000]}"
    assert shown["comment"] == campus.comment, shown
    assert shown["first_name"] == campus.first_name, shown
    on_b = _listing(b, campus)
    assert on_b.body == on_a.body, f"A and B differ:\nA: {on_a.body}\nB: {on_b.body}"
    count = on_a.total
    assert _rating_count(a, campus) == _rating_count(b, campus) == count

    # The author edits the comment in a third process: neither server shows the old one.
    # Under pre-moderation the review waits (gone from the list) until its owner approves
    # it, in yet another process; under post-moderation it stays, edited.
    comment = f"Avis modifié ailleurs {secrets.token_hex(6)}"
    edited = run_python(campus.env, EDIT, str(campus.review_id), comment)
    assert edited["status"] == ("pending" if edited["mode"] == "pre" else "approved"), edited
    if edited["status"] == "pending":
        for server in (b, a):
            listing = _listing(server, campus)
            assert listing.review(campus.review_id) is None, _stale(
                server, "the edit (now pending)", listing, campus
            )
            assert listing.total == count - 1, _stale(server, "the edit", listing, campus)
        approved = run_python(campus.env, APPROVE, str(campus.review_id))
        assert approved["status"] == "approved", approved
    for server in (b, a):
        listing = _listing(server, campus)
        row = listing.review(campus.review_id)
        assert row is not None and row["comment"] == comment, _stale(
            server, "the edit", listing, campus
        )
        assert campus.comment not in listing.comments(), _stale(server, "the edit", listing, campus)
        assert listing.total == count

    # The author changes their first name in a third process: both servers show it.
    first_name = f"Prénom{secrets.token_hex(4)}"
    renamed = run_python(campus.env, RENAME, str(campus.author_id), first_name)
    assert renamed["first_name"] == first_name, renamed
    for server in (b, a):
        listing = _listing(server, campus)
        row = listing.review(campus.review_id)
        assert row is not None, _stale(server, "the rename", listing, campus)
        assert row["first_name"] == first_name, _stale(server, "the rename", listing, campus)
        assert row["author"] == {"display_name": renamed["display_name"]}, row

    # The author deletes the review in a third process: gone on both, and the statistics
    # (read from the course row) count what the list shows.
    deleted = run_python(campus.env, DELETE, str(campus.review_id))
    assert deleted["left"] == 0, deleted
    for server in (b, a):
        listing = _listing(server, campus)
        assert listing.review(campus.review_id) is None, _stale(
            server, "the delete", listing, campus
        )
        assert comment not in listing.comments(), _stale(server, "the delete", listing, campus)
        assert listing.total == count - 1, _stale(server, "the delete", listing, campus)
        assert _rating_count(server, campus) == listing.total, campus.logs()
