"""Student live pages: the student dashboard, a course's sessions and a session's detail.

Thin like campus/courses/views.py: access fetches and authorizes, selectors read (each
list a fixed number of queries), campus.core.views maps domain errors to pages.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from campus.core.views import current_user, page, page_query, pager
from campus.courses import access as course_access
from campus.live import access, selectors
from campus.live.models import LiveSessionStatus

# Each dashboard section shows at most this many sessions (one bounded query each).
DASHBOARD_LIMIT = 20
COURSE_PAGE_SIZE = 10


@page
def my_sessions(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    # One more row than shown tells the page a section was cut.
    groups = selectors.sessions_for_student(
        user=user, now=timezone.now(), limit=DASHBOARD_LIMIT + 1
    )
    sections = {name: rows[:DASHBOARD_LIMIT] for name, rows in groups.items()}
    truncated = {name: len(rows) > DASHBOARD_LIMIT for name, rows in groups.items()}
    context = {
        "live": sections["live"],
        "upcoming": sections["upcoming"],
        "past": sections["past"],
        "truncated": truncated,
        "limit": DASHBOARD_LIMIT,
        "has_any": any(sections.values()),
    }
    return render(request, "live/student/my_sessions.html", context)


@page
def course_sessions(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_access.get_course_by_slug_for(request.user, slug, action="content")
    status = request.GET.get("status", "")
    if status not in LiveSessionStatus.values:
        status = ""
    result = selectors.course_sessions_for_students_page(
        course=course,
        status=status or None,
        now=timezone.now(),
        query=page_query(request, limit=COURSE_PAGE_SIZE),
    )
    context = {
        "course": course,
        "sessions": result.items,
        "pager": pager(request, result),
        "status": status,
        "statuses": LiveSessionStatus.choices,
        "can_manage": course_access.is_owner_or_admin(request.user, course),
    }
    return render(request, "live/student/course_sessions.html", context)


@page
def session_detail(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = access.get_course_session_for(request.user, session_id, action="view", slug=slug)
    context = {
        "session": selectors.session_with_counts(session=session),
        "course": session.course,
        "can_manage": course_access.is_owner_or_admin(request.user, session.course),
    }
    return render(request, "live/student/session_detail.html", context)
