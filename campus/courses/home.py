"""Each role's home: `home` sends students to their courses, instructors to their
teaching dashboard and admins to the platform overview (LOGIN_REDIRECT_URL is `home`).

Thin like views.py: every figure comes from a selector of the app that owns it, one
query per kind whatever the number of courses, so these pages cost a constant number of
queries.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.accounts import selectors as account_selectors
from campus.accounts.models import User
from campus.core.errors import Forbidden
from campus.core.views import current_user, page
from campus.courses import access, selectors
from campus.courses.models import Course
from campus.forum import selectors as forum_selectors
from campus.live import selectors as live_selectors
from campus.live import services as live_services
from campus.ratings import selectors as ratings_selectors

DASHBOARD_SESSIONS = 6
DASHBOARD_COURSES = 8


@page
def home(request: HttpRequest) -> HttpResponse:
    """Where login and the brand link lead: each role's own home."""
    user = current_user(request)
    if user.is_admin:
        return redirect("courses:admin_overview")
    if user.is_instructor:
        return redirect("courses:teaching")
    return redirect("courses:my_courses")


def _local_day(user: User, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the user's today, in their time zone."""
    try:
        zone = zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class Waiting:
    """One kind of pending work: its total and, per course, the count and the link to
    the place where it is handled."""

    kind: str
    total: int
    courses: list[dict[str, Any]]


def _per_course(
    counts: dict[int, int], courses: dict[int, Course], link: Any
) -> list[dict[str, Any]]:
    rows = [
        {"course": courses[course_id], "count": n, "url": link(courses[course_id])}
        for course_id, n in counts.items()
        if n and course_id in courses
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["course"].title))


def _waiting(user: User) -> tuple[list[Waiting], dict[int, dict[str, int]]]:
    """What waits for `user` (admins: on every course), and the counts per course id for
    the course list's badges. Four queries whatever the number of courses."""
    forum = forum_selectors.pending_counts_for_instructor(user=user)
    reviews = ratings_selectors.pending_counts_for_instructor(user=user)
    ids = set(forum.unanswered) | set(forum.reports) | set(reviews)
    courses = selectors.courses_by_ids(ids=ids)

    def forum_link(course: Course) -> str:
        return reverse("forum:topics", kwargs={"slug": course.slug}) + "?sort=unanswered"

    def reviews_link(course: Course) -> str:
        return reverse("ratings:moderation") + f"?course={course.pk}"

    def reports_link(course: Course) -> str:
        return reverse("forum:course_reports", kwargs={"slug": course.slug})

    waiting = [
        Waiting(
            "questions",
            forum.unanswered_total,
            _per_course(forum.unanswered, courses, forum_link),
        ),
        Waiting("reviews", sum(reviews.values()), _per_course(reviews, courses, reviews_link)),
        Waiting("reports", forum.reports_total, _per_course(forum.reports, courses, reports_link)),
    ]
    badges: dict[int, dict[str, int]] = {}
    for kind, counts in (
        ("questions", forum.unanswered),
        ("reviews", reviews),
        ("reports", forum.reports),
    ):
        for course_id, n in counts.items():
            badges.setdefault(course_id, {})[kind] = n
    return waiting, badges


@page
def teaching(request: HttpRequest) -> HttpResponse:
    """The teaching dashboard (instructors; admins see every course): today's and the
    next live classes, what waits (questions, reviews, reports), the courses."""
    user = access.require_instructor(request.user)
    now = timezone.now()
    _start, day_end = _local_day(user, now)
    sessions = live_selectors.sessions_ahead(user=user, now=now, limit=DASHBOARD_SESSIONS + 1)
    rows = [
        {
            "session": s,
            "can_start": live_services.can_start_now(s, now=now),
            "today": s.status == "live" or s.scheduled_start_at < day_end,
        }
        for s in sessions[:DASHBOARD_SESSIONS]
    ]
    waiting, badges = _waiting(user)
    courses = selectors.courses_taught_by_list(user=user, limit=DASHBOARD_COURSES + 1)
    context = {
        "today_sessions": [row for row in rows if row["today"]],
        "later_sessions": [row for row in rows if not row["today"]],
        "more_sessions": len(sessions) > DASHBOARD_SESSIONS,
        "waiting": waiting,
        "waiting_total": sum(item.total for item in waiting),
        "courses": [
            {"course": course, "badges": badges.get(course.pk, {})}
            for course in courses[:DASHBOARD_COURSES]
        ],
        "more_courses": len(courses) > DASHBOARD_COURSES,
        "next_url": reverse("courses:teaching"),
    }
    return render(request, "courses/dashboard/teaching.html", context)


@page
def admin_overview(request: HttpRequest) -> HttpResponse:
    """The platform at a glance (admins): accounts, courses, enrollments, live classes,
    what waits for moderation, and the links to act on each."""
    user = current_user(request)
    if not user.is_admin:
        raise Forbidden(_("Cette page est réservée à l'administration."), code="not_admin")
    now = timezone.now()
    day_start, day_end = _local_day(user, now)
    forum = forum_selectors.pending_counts_for_instructor(user=user)
    context = {
        "users": account_selectors.active_users_by_role(),
        "platform": selectors.platform_course_figures(),
        "live": live_selectors.platform_live_figures(now=now, day_start=day_start, day_end=day_end),
        "pending_reviews": sum(ratings_selectors.pending_counts_for_instructor(user=user).values()),
        "unanswered": forum.unanswered_total,
        "open_reports": forum.reports_total,
    }
    return render(request, "courses/dashboard/admin.html", context)
