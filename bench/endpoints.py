"""The benchmarked endpoints: a registry. A new feature adds one function:

    @endpoint("forum_topics", "GET /api/forums/{id}/topics as a member")
    def forum_topics(ctx: Context) -> CallSource:
        pairs = ...  # read what the calls need, in-process (Django is set up)
        return lambda: Call("GET", f"/api/forums/{ctx.rng.choice(pairs)}/topics", token)

`prepare` runs in the runner's process before the server starts; the source it returns
is then called once per request (None: nothing left to send, e.g. no free pair).
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from bench.data import bench_courses, bench_users
from campus.accounts.models import ApiToken, Role, User
from campus.accounts.tokens import token_issue
from campus.courses.models import CourseStatus, Enrollment

POOL_SIZE = 200  # students whose tokens the read endpoints share


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    token: str
    json: dict[str, Any] | None = None


CallSource = Callable[[], Call | None]


@dataclass
class Context:
    """What endpoints share: a seeded generator, tokens, and clean-up hooks."""

    rng: random.Random
    max_writes: int  # upper bound on rows a mutating endpoint may create
    started_at: datetime = field(default_factory=timezone.now)
    tokens: dict[int, str] = field(default_factory=dict)
    token_ids: list[int] = field(default_factory=list)
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    _pool: list[int] = field(default_factory=list)

    def token_for(self, user_id: int) -> str:
        if user_id not in self.tokens:
            raw, token = token_issue(user=User(pk=user_id))
            self.tokens[user_id] = raw
            self.token_ids.append(token.pk)
        return self.tokens[user_id]

    def pool(self) -> list[int]:
        """A fixed sample of bench students (ids) shared by the read endpoints."""
        if not self._pool:
            ids = list(
                bench_users().filter(role=Role.STUDENT).order_by("id").values_list("id", flat=True)
            )
            self._pool = sorted(self.rng.sample(ids, min(POOL_SIZE, len(ids))))
        return self._pool

    def pool_tokens(self) -> list[str]:
        return [self.token_for(user_id) for user_id in self.pool()]

    def clean_up(self) -> None:
        for cleanup in self.cleanups:
            cleanup()
        ApiToken.objects.filter(pk__in=self.token_ids).delete()


@dataclass(frozen=True)
class Endpoint:
    name: str
    description: str
    prepare: Callable[[Context], CallSource]
    mutates: bool = False


ENDPOINTS: dict[str, Endpoint] = {}
FLOOR = "floor"


def endpoint(
    name: str, description: str, *, mutates: bool = False
) -> Callable[[Callable[[Context], CallSource]], Callable[[Context], CallSource]]:
    def register(prepare: Callable[[Context], CallSource]) -> Callable[[Context], CallSource]:
        ENDPOINTS[name] = Endpoint(name, description, prepare, mutates)
        return prepare

    return register


# --- Endpoints ------------------------------------------------------------------------


@endpoint(FLOOR, "GET /api/ping: trivial authenticated JSON, the floor")
def floor(ctx: Context) -> CallSource:
    tokens = ctx.pool_tokens()
    return lambda: Call("GET", "/api/ping", ctx.rng.choice(tokens))


@endpoint("catalogue", "GET /api/courses?page=N (random page, default limit)")
def catalogue(ctx: Context) -> CallSource:
    tokens = ctx.pool_tokens()
    published = bench_courses().filter(status=CourseStatus.PUBLISHED).count()
    pages = max(1, math.ceil(published / settings.API_PAGE_DEFAULT_LIMIT))
    return lambda: Call(
        "GET", f"/api/courses?page={ctx.rng.randint(1, pages)}", ctx.rng.choice(tokens)
    )


@endpoint("course_detail", "GET /api/courses/{id} as a member (outline + progress)")
def course_detail(ctx: Context) -> CallSource:
    memberships = list(
        Enrollment.objects.filter(
            user_id__in=ctx.pool(), is_active=True, course__status=CourseStatus.PUBLISHED
        ).values_list("user_id", "course_id")
    )
    pairs = [(ctx.token_for(user_id), course_id) for user_id, course_id in memberships]
    if not pairs:
        raise RuntimeError("no active membership among the pool's students")

    def next_call() -> Call:
        token, course_id = ctx.rng.choice(pairs)
        return Call("GET", f"/api/courses/{course_id}", token)

    return next_call


@endpoint("my_enrollments", "GET /api/enrollments/me (first page)")
def my_enrollments(ctx: Context) -> CallSource:
    tokens = ctx.pool_tokens()
    return lambda: Call("GET", "/api/enrollments/me", ctx.rng.choice(tokens))


def _free_pairs(ctx: Context, limit: int) -> list[tuple[int, int]]:
    """(student, published course) pairs with no enrollment at all, students shuffled."""
    courses = list(
        bench_courses().filter(status=CourseStatus.PUBLISHED).values_list("id", flat=True)
    )
    students = list(bench_users().filter(role=Role.STUDENT).values_list("id", flat=True))
    ctx.rng.shuffle(students)
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(students), 500):
        chunk = students[start : start + 500]
        taken = set(
            Enrollment.objects.filter(user_id__in=chunk).values_list("user_id", "course_id")
        )
        for user_id in chunk:
            free = [c for c in courses if (user_id, c) not in taken]
            pairs += [(user_id, c) for c in ctx.rng.sample(free, min(len(free), 5))]
        if len(pairs) >= limit:
            break
    return pairs[:limit]


@endpoint("enroll", "POST /api/enrollments, each a new (student, course) pair", mutates=True)
def enroll(ctx: Context) -> CallSource:
    pairs = _free_pairs(ctx, ctx.max_writes)
    calls = iter(
        [Call("POST", "/api/enrollments", ctx.token_for(u), {"course_id": c}) for u, c in pairs]
    )

    def remove_created() -> None:
        """What the run created goes away, so runs can be repeated on the same data."""
        Enrollment.objects.filter(user__in=bench_users(), enrolled_at__gte=ctx.started_at).delete()

    ctx.cleanups.append(remove_created)
    return lambda: next(calls, None)
