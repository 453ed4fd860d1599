"""Page weight: what each page costs to download, per role, in production mode.

Production mode: static files collected by WhiteNoise's CompressedManifestStaticFilesStorage
into a temporary folder (hashed names, precompressed, cached for ten years), served by the
WhiteNoise middleware, and pages compressed by GZipMiddleware. The data is the demo
(`campus demo`), the test client sends `Accept-Encoding: gzip, deflate, br` like a browser.

For every page and role:
- first visit = the page's HTML + every same-origin stylesheet, script and icon it
  references + the fragments it loads at once (`hx-trigger="load"`), each counted as
  transferred (compressed body + response headers) ≤ FIRST_VISIT_BUDGET;
- repeat visit = the same without the static files (cached: far-future, immutable,
  which the test checks) ≤ REPEAT_VISIT_BUDGET.
Other origins (Jitsi's external_api.js) are not counted.

A new page: add a `Page(...)` to PAGES (URL name, who sees it, how to build its URL from
the demo). `test_every_page_is_weighed` fails for a GET page that is neither in PAGES nor
in NOT_PAGES. The table: `DEBUG=1 .venv/bin/pytest -q -s campus/core/tests/test_page_weight.py`
(figures in docs/performance.md, "Page weight").
"""

import gzip
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campus.accounts.models import Role, User
from campus.certificates.models import Certificate
from campus.courses.models import Course, Enrollment, Lesson, Quiz
from campus.forum.models import Topic
from campus.live.models import LiveSession, LiveSessionStatus, SessionSeries

KB = 1000
FIRST_VISIT_BUDGET = 60 * KB
REPEAT_VISIT_BUDGET = 15 * KB
GZIP_MIDDLEWARE = "campus.core.middleware.GZipMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
BROWSER_HEADERS: dict[str, Any] = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
ROLES = ("anonymous", "student", "instructor", "admin")
STAFF = ("instructor", "admin")
EVERYONE = ROLES
MEMBERS = ("student", "instructor", "admin")


class Demo:
    """The demo's people and objects the pages are built from (found, not hard-coded:
    the course that has a live session now, a student enrolled in it, its owner)."""

    @cached_property
    def live(self) -> LiveSession:
        return LiveSession.objects.select_related("course").get(status=LiveSessionStatus.LIVE)

    @cached_property
    def course(self) -> Course:
        return self.live.course

    @cached_property
    def scheduled(self) -> LiveSession:
        return LiveSession.objects.filter(
            course=self.course, status=LiveSessionStatus.SCHEDULED
        ).earliest("scheduled_start_at")

    @cached_property
    def series(self) -> SessionSeries:
        """A weekly series of the course, with a class held (the demo has none: made here
        through the services, from next week)."""
        from datetime import time, timedelta

        from django.utils import timezone

        from campus.live import services as live_services

        existing = SessionSeries.objects.filter(course=self.course).order_by("pk").first()
        if existing is not None:
            return existing
        record, _ = live_services.series_create(
            actor=self.instructor,
            course=self.course,
            title="Atelier hebdomadaire",
            days_of_week=[1, 3],
            start_time=time(18, 0),
            starts_on=(timezone.now() + timedelta(days=7)).date(),
            duration_minutes=90,
            count=10,
        )
        return record

    @cached_property
    def student(self) -> User:
        return User.objects.filter(role=Role.STUDENT, enrollments__course=self.course).earliest(
            "pk"
        )

    @cached_property
    def instructor(self) -> User:
        return self.course.instructor

    @cached_property
    def admin(self) -> User:
        return User.objects.filter(role=Role.ADMIN).earliest("pk")

    @cached_property
    def lesson(self) -> Lesson:
        return Lesson.objects.filter(module__course=self.course).order_by(
            "module__position", "position"
        )[0]

    @cached_property
    def quiz(self) -> Quiz:
        return Quiz.objects.filter(course=self.course).order_by("pk")[0]

    @cached_property
    def topic(self) -> Topic:
        """The course forum's busiest topic."""
        return (
            Topic.objects.filter(forum__course=self.course)
            .annotate(n=Count("replies"))
            .order_by("-n", "pk")[0]
        )

    @cached_property
    def certificate(self) -> Certificate:
        return Certificate.objects.order_by("pk")[0]

    @cached_property
    def enrollment(self) -> Enrollment:
        return Enrollment.objects.get(user=self.student, course=self.course)

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


Kwargs = Callable[[Demo], dict[str, Any]]


def _slug(d: Demo) -> dict[str, Any]:
    return {"slug": d.course.slug}


def _course_id(d: Demo) -> dict[str, Any]:
    return {"course_id": d.course.pk}


def _room(session: Callable[[Demo], LiveSession]) -> Kwargs:
    return lambda d: {"slug": d.course.slug, "session_id": session(d).pk}


def _manage_session(d: Demo) -> dict[str, Any]:
    return {"course_id": d.course.pk, "session_id": d.scheduled.pk}


def _manage_series(d: Demo) -> dict[str, Any]:
    return {"course_id": d.course.pk, "series_id": d.series.pk}


@dataclass(frozen=True)
class Page:
    name: str  # URL name, "namespace:name"
    roles: tuple[str, ...]  # who is measured on it (each gets a 200)
    kwargs: Kwargs | None = None
    label: str = ""  # when one URL name is measured twice (a live and a scheduled room)

    def url(self, demo: Demo) -> str:
        return reverse(self.name, kwargs=self.kwargs(demo) if self.kwargs else None)

    @property
    def title(self) -> str:
        return f"{self.name} ({self.label})" if self.label else self.name


PAGES: list[Page] = [
    # Public
    Page("courses:catalogue", EVERYONE),
    Page("courses:detail", EVERYONE, _slug),
    Page("ratings:course_reviews", EVERYONE, _slug),
    Page("certificates:verify", ("anonymous",), lambda d: {"code": d.certificate.code}),
    Page("accounts:login", ("anonymous",)),
    Page("accounts:register", ("anonymous",)),
    Page("accounts:password_reset", ("anonymous",)),
    Page("accounts:password_reset_done", ("anonymous",)),
    Page("accounts:password_reset_complete", ("anonymous",)),
    # Learning
    Page("courses:my_courses", ("student",)),
    Page("courses:lesson", MEMBERS, lambda d: {"slug": d.course.slug, "lesson_id": d.lesson.pk}),
    Page("courses:quiz", MEMBERS, lambda d: {"slug": d.course.slug, "quiz_id": d.quiz.pk}),
    # Live classes
    Page("live:student_sessions", ("student",)),
    Page("live:course_sessions", MEMBERS, _slug),
    Page("live:session_detail", MEMBERS, _room(lambda d: d.live), label="live"),
    Page("live:session_detail", ("student",), _room(lambda d: d.scheduled), label="scheduled"),
    Page("live:join", MEMBERS, _room(lambda d: d.live), label="live"),
    Page("live:join", ("student",), _room(lambda d: d.scheduled), label="waiting room"),
    Page("live:instructor_upcoming", STAFF),
    Page("live:manager", STAFF, _course_id),
    Page("live:session_create", STAFF, _course_id),
    Page("live:series_create", STAFF, _course_id),
    Page("live:session_manage", STAFF, _manage_session),
    Page("live:session_edit", STAFF, _manage_session),
    Page("live:series_manage", STAFF, _manage_series),
    Page("live:series_edit", STAFF, _manage_series),
    Page("live:series_cancel", STAFF, _manage_series),
    # Calendar and plan
    Page("agenda:calendar", MEMBERS),
    Page("agenda:subscribe", MEMBERS),
    Page("agenda:plan", ("student",), _slug),
    # Ratings and certificates
    Page("ratings:rate", ("student",), _slug),
    Page("ratings:moderation", STAFF),
    Page("certificates:mine", ("student",)),
    # Forum
    Page("forum:index", MEMBERS),
    Page("forum:topics", MEMBERS, _slug),
    Page("forum:topic", MEMBERS, lambda d: {"slug": d.course.slug, "topic_id": d.topic.pk}),
    Page("forum:reports_queue", STAFF),
    Page("forum:course_reports", STAFF, _slug),
    # Notifications and account
    Page("notifications:inbox", MEMBERS),
    Page("notifications:preferences", MEMBERS),
    Page("accounts:profile", MEMBERS),
    # Teaching
    Page("courses:teaching", ("instructor",)),
    Page("courses:admin_overview", ("admin",)),
    Page("courses:instructor_courses", STAFF),
    Page("courses:course_create", STAFF),
    Page("courses:manage", STAFF, _slug),
    Page("courses:content", STAFF, _slug),
    Page("courses:students", STAFF, _slug),
    Page("courses:course_edit", STAFF, _slug),
    Page(
        "courses:module_edit",
        ("instructor",),
        lambda d: {"slug": d.course.slug, "module_id": d.lesson.module_id},
    ),
    Page(
        "courses:lesson_edit",
        ("instructor",),
        lambda d: {"slug": d.course.slug, "lesson_id": d.lesson.pk},
    ),
    Page(
        "courses:lesson_create",
        ("instructor",),
        lambda d: {"slug": d.course.slug, "module_id": d.lesson.module_id},
    ),
    Page(
        "courses:quiz_edit",
        ("instructor",),
        lambda d: {"slug": d.course.slug, "quiz_id": d.quiz.pk},
    ),
    Page("courses:quiz_create", ("instructor",), _slug),
]

# GET-able URL names that are not pages a person visits: redirects, fragments, files,
# feeds, POST-only actions. Anything else must be in PAGES.
NOT_PAGES = {
    "set_language",
    "favicon",
    "preview",  # the editors' Markdown preview (a POST fragment)
    "accounts:logout",
    "accounts:password_reset_confirm",  # a one-time link from an email
    "courses:home",  # redirects to the role's home
    "courses:enroll",
    "courses:unenroll",
    "courses:course_publish",
    "courses:module_create",  # POST (the content page holds the form)
    "courses:module_delete",
    "courses:lesson_delete",
    "courses:quiz_delete",
    "courses:question_create",
    "courses:question_delete",
    "courses:lesson_complete",
    "live:session_start",
    "live:session_end",
    "live:session_cancel",
    "live:session_delete",
    "live:attendance_csv",
    "live:series_attendance_csv",
    "live:waiting_status",
    "live:leave_beacon",
    "live:data_saver",
    "live:questions",
    "live:question_answer",
    "live:question_moderate",
    "live:recording",  # the recording's file itself (streamed, byte ranges)
    "live:recording_hide",  # POST actions of the session's management page
    "live:recording_show",
    "live:recording_delete",
    "agenda:replan",
    "agenda:regenerate_token",
    "agenda:feed",
    "agenda:course_feed",
    "agenda:event_ics",
    "notifications:read_all",
    "notifications:open",
    "notifications:delete",
    "ratings:delete",
    "ratings:moderate",
    "certificates:issue",
    "certificates:rate",
    "certificates:download",
    "certificates:course_block",  # a fragment of the course page
    "forum:reply_form",
    "forum:topic_edit",
    "forum:topic_delete",
    "forum:topic_moderate",
    "forum:topic_follow",
    "forum:topic_report",
    "forum:reply_vote",
    "forum:reply_solution",
    "forum:reply_edit",
    "forum:reply_delete",
    "forum:reply_moderate",
    "forum:reply_report",
    "forum:report_handle",  # POST: a decision on a reported post
}
SKIPPED_NAMESPACES = ("admin", "api")  # Django's admin, the JSON API and its docs


def _url_names(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _url_names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_page_is_weighed() -> None:
    names = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if not name.startswith(tuple(f"{ns}:" for ns in SKIPPED_NAMESPACES))
        and not name.startswith(SKIPPED_NAMESPACES)
    }
    listed = {page.name for page in PAGES}
    missing = sorted(names - listed - NOT_PAGES)
    assert not missing, (
        f"Pages without a weight budget: {missing}. Add each to PAGES in {Path(__file__).name} "
        "(or to NOT_PAGES when it is an action, a fragment or a file)."
    )
    stale = sorted((listed | NOT_PAGES) - names)
    assert not stale, f"URL names that no longer exist: {stale}"


# --- Measuring ---------------------------------------------------------------------------


class _References(HTMLParser):
    """Same-origin stylesheets, scripts, icons and images a browser fetches with the page,
    and the htmx fragments it loads at once."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.fragments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = set(a.get("rel", "").lower().split())
        if tag == "link" and rel & {"stylesheet", "icon", "preload", "modulepreload"}:
            self._asset(a.get("href", ""))
        elif tag in ("script", "img") and a.get("src"):
            self._asset(a["src"])
        if a.get("hx-get") and re.search(r"(^|[\s,])load\b", a.get("hx-trigger", "")):
            self.fragments.append(a["hx-get"])

    def _asset(self, url: str) -> None:
        if url.startswith("/") and not url.startswith("//") and url not in self.assets:
            self.assets.append(url)


def _body(response: Any) -> bytes:
    if response.streaming:
        # The test client closes the response once its content is read.
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _transferred(response: Any, body: bytes) -> int:
    """Status line + headers + body as sent (the test client adds no Date/Server)."""
    status_line = f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n"
    return len(status_line) + len(response.serialize_headers()) + 4 + len(body)


@dataclass
class Weight:
    page: str
    role: str
    html: int
    static: int
    fragments: int
    html_raw: int

    @property
    def first(self) -> int:
        return self.html + self.static + self.fragments

    @property
    def repeat(self) -> int:
        return self.html + self.fragments


def _table(weights: list[Weight]) -> str:
    head = (
        f"{'page':<38} {'role':<10} {'html raw':>9} {'html gz':>8} {'static':>7} {'htmx':>6} "
        f"{'first':>7} {'repeat':>7}"
    )
    lines = [head, "-" * len(head)]
    for w in weights:
        over = " <- over" if w.first > FIRST_VISIT_BUDGET or w.repeat > REPEAT_VISIT_BUDGET else ""
        lines.append(
            f"{w.page:<38} {w.role:<10} {w.html_raw:>9,} {w.html:>8,} {w.static:>7,} "
            f"{w.fragments:>6,} {w.first:>7,} {w.repeat:>7,}{over}"
        )
    firsts = [w.first for w in weights]
    repeats = [w.repeat for w in weights]
    lines.append(
        f"{len(weights)} page visits; first visit max {max(firsts):,} B, median "
        f"{sorted(firsts)[len(firsts) // 2]:,} B; repeat visit max {max(repeats):,} B "
        f"(budgets {FIRST_VISIT_BUDGET:,} / {REPEAT_VISIT_BUDGET:,} B)"
    )
    return "\n".join(lines)


@pytest.fixture
def production_static(settings: Any, tmp_path: Path) -> Path:
    """collectstatic as a release does (hashed, gzip-compressed), into a temporary folder;
    Django's admin and the API docs' assets are left out (not budgeted, and the slowest
    to compress)."""
    root = tmp_path / "static"
    settings.DEBUG = False
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    # The production order (settings.py puts GZip in front of WhiteNoise under DEBUG).
    middleware = [m for m in settings.MIDDLEWARE if m != GZIP_MIDDLEWARE]
    middleware.insert(middleware.index(WHITENOISE_MIDDLEWARE) + 1, GZIP_MIDDLEWARE)
    settings.MIDDLEWARE = middleware
    call_command(
        "collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin/*", "ninja/*"]
    )
    return root


@pytest.mark.django_db
def test_every_page_fits_the_budget_in_production_mode(production_static: Path) -> None:
    call_command("demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = Demo()
    clients: dict[str, Client] = {}
    for role in ROLES:
        client = Client(**BROWSER_HEADERS)
        user = demo.user(role)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    static_cost: dict[str, int] = {}
    problems: list[str] = []
    weights: list[Weight] = []

    def fetch_static(client: Client, url: str) -> int:
        if url not in static_cost:
            response = client.get(url)
            body = _body(response)
            if response.status_code != 200:
                problems.append(f"{url}: {response.status_code}")
            elif "immutable" not in response.get("Cache-Control", ""):
                problems.append(f"{url}: not cached for good ({response.get('Cache-Control')})")
            elif len(body) > 1000 and response.get("Content-Encoding") != "gzip":
                problems.append(f"{url}: served uncompressed ({len(body)} B)")
            static_cost[url] = _transferred(response, body)
        return static_cost[url]

    for page in PAGES:
        for role in page.roles:
            client = clients[role]
            url = page.url(demo)
            response = client.get(url)
            body = _body(response)
            if response.status_code != 200:
                problems.append(f"{page.title} as {role}: {response.status_code} at {url}")
                continue
            compressed = response.get("Content-Encoding") == "gzip"
            html = gzip.decompress(body) if compressed else body
            if not compressed:
                problems.append(f"{page.title} as {role}: HTML not compressed")
            refs = _References()
            refs.feed(html.decode())
            static = sum(fetch_static(client, asset) for asset in refs.assets)
            fragments = 0
            for fragment_url in refs.fragments:
                fragment = client.get(fragment_url, HTTP_HX_REQUEST="true")
                fragments += _transferred(fragment, _body(fragment))
            weights.append(
                Weight(
                    page=page.title,
                    role=role,
                    html=_transferred(response, body),
                    static=static,
                    fragments=fragments,
                    html_raw=len(html),
                )
            )

    table = _table(weights)
    print("\n" + table)
    over = [
        f"{w.page} as {w.role}: first {w.first:,} B, repeat {w.repeat:,} B"
        for w in weights
        if w.first > FIRST_VISIT_BUDGET or w.repeat > REPEAT_VISIT_BUDGET
    ]
    assert not problems, "\n".join(problems) + "\n\n" + table
    assert not over, "Over the page budget:\n" + "\n".join(over) + "\n\n" + table
