"""Instructor pages for live sessions (owner of the course, admins): the course's session
manager, the session and series forms, the lifecycle buttons, one session's page with
attendance and Q&A moderation, and the instructor's upcoming sessions across courses.

Thin like campus/courses/views.py: access fetches and authorizes, services write (every
rule lives there), selectors read, campus.core.views maps domain errors to pages.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from campus.accounts.models import User
from campus.core.errors import Conflict
from campus.core.formatting import format_duration
from campus.core.views import (
    action_call,
    action_outcome,
    current_user,
    error_response,
    form_call,
    form_status,
    page,
    page_query,
    pager,
    safe_next,
)
from campus.courses.access import get_course_for, require_instructor
from campus.courses.models import Course
from campus.live import access, presenters, selectors, services
from campus.live.forms import (
    SERIES_EDIT_FIELDS,
    SERIES_FIELDS,
    SESSION_FIELDS,
    CancelForm,
    RecordingForm,
    SeriesEditForm,
    SeriesForm,
    SessionForm,
    zone_of,
)
from campus.live.models import LiveSession, LiveSessionStatus, SessionSeries

LIST_PAGE_SIZE = 20

STATUS_FILTERS = [
    ("", gettext_lazy("Toutes")),
    (LiveSessionStatus.SCHEDULED, gettext_lazy("Programmées")),
    (LiveSessionStatus.LIVE, gettext_lazy("En direct")),
    (LiveSessionStatus.ENDED, gettext_lazy("Terminées")),
    (LiveSessionStatus.CANCELLED, gettext_lazy("Annulées")),
]


def _course(user: User, course_id: int) -> Course:
    return get_course_for(user, course_id, action="manage")


def _session(user: User, course_id: int, session_id: int) -> LiveSession:
    return access.get_course_session_for(user, session_id, action="manage", course_id=course_id)


def _manager_url(course_id: int) -> str:
    return reverse("live:manager", kwargs={"course_id": course_id})


def _manage_url(session: LiveSession) -> str:
    return reverse(
        "live:session_manage", kwargs={"course_id": session.course_id, "session_id": session.pk}
    )


def _series(user: User, course_id: int, series_id: int) -> SessionSeries:
    return access.get_series_for(user, series_id, action="manage", course_id=course_id)


def _series_url(record: SessionSeries) -> str:
    return reverse(
        "live:series_manage", kwargs={"course_id": record.course_id, "series_id": record.pk}
    )


def _series_groups(course: Course, *, status: str) -> list[dict[str, Any]]:
    """The manager's series groups: each with its rule in words and the occurrences the
    status filter keeps (a group the filter empties is not shown)."""
    groups = []
    for group in selectors.series_groups_of_course(course=course, now=timezone.now()):
        for number, session in enumerate(group.sessions, start=1):
            session.series_number = number  # type: ignore[attr-defined]
        shown = [s for s in group.sessions if not status or s.status == status]
        if status and not shown:
            continue
        groups.append(
            {
                "group": group,
                "rule": presenters.series_rule(group),
                "shown": shown,
                "url": _series_url(group.series),
            }
        )
    return groups


def _zone_context(user: User) -> dict[str, Any]:
    return {"zone_name": zone_of(user.timezone).key}


# --- Lists ----------------------------------------------------------------------------


@page
def manager(request: HttpRequest, course_id: int) -> HttpResponse:
    user = current_user(request)
    course = _course(user, course_id)
    status = request.GET.get("status", "")
    if status not in LiveSessionStatus.values:
        status = ""
    result = selectors.sessions_of_course_page(
        course=course,
        status=status or None,
        query=page_query(request, limit=LIST_PAGE_SIZE),
        single_only=True,
    )
    groups = _series_groups(course, status=status)
    base = _manager_url(course.pk)
    filters = [
        {"label": label, "url": f"{base}?status={value}" if value else base, "on": value == status}
        for value, label in STATUS_FILTERS
    ]
    context = {
        "course": course,
        "sessions": result.items,
        "pager": pager(request, result),
        "groups": groups,
        "filters": filters,
        "status": status,
        "next_url": request.get_full_path(),
    }
    return render(request, "live/instructor/manager.html", context)


@page
def upcoming(request: HttpRequest) -> HttpResponse:
    user = require_instructor(request.user)
    result = selectors.instructor_upcoming_page(
        user=user, now=timezone.now(), query=page_query(request, limit=LIST_PAGE_SIZE)
    )
    context = {
        "sessions": result.items,
        "pager": pager(request, result),
        "next_url": request.get_full_path(),
    }
    return render(request, "live/instructor/upcoming.html", context)


# --- Forms ----------------------------------------------------------------------------


@page
def session_create(request: HttpRequest, course_id: int) -> HttpResponse:
    user = current_user(request)
    course = _course(user, course_id)
    form = SessionForm(request.POST or None, tz=zone_of(user.timezone))
    if request.method == "POST" and form.is_valid():
        created = form_call(
            form,
            services.session_create,
            field_map=SESSION_FIELDS,
            actor=user,
            course=course,
            **form.session_changes(),
        )
        if created is not None:
            messages.success(request, _("Session programmée."))
            return redirect(_manager_url(course.pk))
    status = form_status(form) if form.is_bound else 200
    context = {"course": course, "form": form, "session": None, **_zone_context(user)}
    return render(request, "live/instructor/session_form.html", context, status=status)


@page
def session_edit(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = _session(user, course_id, session_id)
    if session.status != LiveSessionStatus.SCHEDULED:
        # The service refuses too; say it before the instructor types anything.
        return error_response(
            request,
            Conflict(
                _("Seule une session programmée peut être modifiée."), code="invalid_transition"
            ),
        )
    form = SessionForm(request.POST or None, tz=zone_of(user.timezone), session=session)
    if request.method == "POST" and form.is_valid():
        if form.following:
            changed = form_call(
                form,
                services.series_update_following,
                field_map={**SESSION_FIELDS, **SERIES_EDIT_FIELDS},
                actor=user,
                session=session,
                **form.series_changes(),
            )
            if changed is not None:
                messages.success(
                    request,
                    ngettext("%(n)s séance modifiée.", "%(n)s séances modifiées.", len(changed))
                    % {"n": len(changed)},
                )
                return redirect(_manage_url(session))
        else:
            updated = form_call(
                form,
                services.session_update,
                field_map=SESSION_FIELDS,
                actor=user,
                session=session,
                **form.session_changes(),
            )
            if updated is not None:
                messages.success(request, _("Session enregistrée."))
                return redirect(_manage_url(session))
    status = form_status(form) if form.is_bound else 200
    context = {"course": session.course, "form": form, "session": session, **_zone_context(user)}
    return render(request, "live/instructor/session_form.html", context, status=status)


@page
def series_create(request: HttpRequest, course_id: int) -> HttpResponse:
    user = current_user(request)
    course = _course(user, course_id)
    today = timezone.now().astimezone(zone_of(user.timezone)).date()
    form = SeriesForm(request.POST or None, initial={"starts_on": today})
    if request.method == "POST" and form.is_valid():
        result = form_call(
            form,
            services.series_create,
            field_map=SERIES_FIELDS,
            actor=user,
            course=course,
            timezone_name=zone_of(user.timezone).key,
            **form.series_kwargs(),
        )
        if result is not None:
            count = len(result[1])
            messages.success(
                request,
                ngettext("%(n)s séance programmée.", "%(n)s séances programmées.", count)
                % {"n": count},
            )
            return redirect(_manager_url(course.pk))
    status = form_status(form) if form.is_bound else 200
    context = {"course": course, "form": form, **_zone_context(user)}
    return render(request, "live/instructor/series_form.html", context, status=status)


# --- Lifecycle buttons ----------------------------------------------------------------


@require_POST
@page
def session_start(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = _session(user, course_id, session_id)
    if action_call(request, services.session_start, actor=user, session=session):
        messages.success(request, _("La session est en direct."))
        return redirect("live:join", slug=session.course.slug, session_id=session.pk)
    return redirect(safe_next(request, _manager_url(course_id)))


@require_POST
@page
def session_end(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = _session(user, course_id, session_id)
    ended, outcome = action_outcome(request, services.session_end, actor=user, session=session)
    if ended and outcome is not None:
        stats = outcome[1]
        messages.success(
            request,
            ngettext(
                "Session terminée : durée %(duration)s, %(participants)s participant, "
                "présence moyenne %(average)s.",
                "Session terminée : durée %(duration)s, %(participants)s participants, "
                "présence moyenne %(average)s.",
                stats.participants_count,
            )
            % {
                "duration": format_duration(timedelta(seconds=stats.actual_duration_seconds)),
                "participants": stats.participants_count,
                "average": format_duration(timedelta(seconds=stats.average_attendance_seconds)),
            },
        )
        return redirect(_manage_url(session))
    return redirect(safe_next(request, _manager_url(course_id)))


@page
def session_cancel(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = _session(user, course_id, session_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cancelled = form_call(
            form,
            services.session_cancel,
            actor=user,
            session=session,
            reason=form.cleaned_data["reason"],
        )
        if cancelled is not None:
            messages.success(request, _("Session annulée."))
            return redirect(safe_next(request, _manager_url(course_id)))
    status = form_status(form) if form.is_bound else 200
    context = {
        "course": session.course,
        "session": session,
        "form": form,
        "next_url": safe_next(request, _manager_url(course_id)),
    }
    return render(request, "live/instructor/cancel.html", context, status=status)


@require_POST
@page
def session_delete(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = _session(user, course_id, session_id)
    if action_call(request, services.session_delete, actor=user, session=session):
        messages.success(request, _("Session supprimée."))
        return redirect(safe_next(request, _manager_url(course_id)))
    return redirect(safe_next(request, _manager_url(course_id)))


# --- One session ----------------------------------------------------------------------


@page
def session_manage(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = _session(user, course_id, session_id)
    form = RecordingForm(request.POST or None, initial={"recording_url": session.recording_url})
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form,
            services.session_set_recording,
            actor=user,
            session=session,
            url=form.cleaned_data["recording_url"],
        )
        if saved is not None:
            messages.success(
                request,
                _("Lien de l'enregistrement enregistré.")
                if saved.recording_url
                else _("Lien de l'enregistrement retiré."),
            )
            return redirect(_manage_url(session))
    selectors.session_with_counts(session=session)
    context = {
        "course": session.course,
        "session": session,
        "attendance": selectors.session_attendance(session=session, now=timezone.now()),
        "recording_form": form,
        "next_url": request.get_full_path(),
        "manager_url": _manager_url(course_id),
    }
    status = form_status(form) if form.is_bound else 200
    return render(request, "live/instructor/session_manage.html", context, status=status)


@page
def attendance_csv(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    user = current_user(request)
    session = _session(user, course_id, session_id)
    return presenters.attendance_csv(
        selectors.session_attendance(session=session, now=timezone.now())
    )


@page
def series_attendance_csv(request: HttpRequest, course_id: int, series_id: int) -> HttpResponse:
    user = current_user(request)
    record = access.get_course_series_for(user, series_id, action="manage", course_id=course_id)
    return presenters.series_attendance_csv(
        selectors.series_attendance(series=record, now=timezone.now())
    )


# --- A weekly series as one thing ----------------------------------------------------------


@page
def series_manage(request: HttpRequest, course_id: int, series_id: int) -> HttpResponse:
    """The series page: its rule, its occurrences with what can be done to each now, the
    whole-series actions (only while it has future occurrences) and its attendance."""
    user = current_user(request)
    record = _series(user, course_id, series_id)
    now = timezone.now()
    group = selectors.series_group(record, selectors.series_occurrences(series=record), now=now)
    context = {
        "course": record.course,
        "series": record,
        "group": group,
        "rule": presenters.series_rule(group),
        "next_url": request.get_full_path(),
        "manager_url": _manager_url(course_id),
    }
    return render(request, "live/instructor/series_manage.html", context)


def _no_future(record: SessionSeries) -> Conflict:
    return Conflict(
        _("Cette série n'a plus de séance à venir."),
        code="series_no_future",
        details={"series_id": record.pk},
    )


@page
def series_edit(request: HttpRequest, course_id: int, series_id: int) -> HttpResponse:
    user = current_user(request)
    record = _series(user, course_id, series_id)
    group = selectors.series_group(
        record, selectors.series_occurrences(series=record), now=timezone.now()
    )
    if not group.future_count:
        # The service refuses too; say it before the instructor types anything.
        return error_response(request, _no_future(record))
    form = SeriesEditForm(request.POST or None, series=record)
    if request.method == "POST" and form.is_valid():
        changed = form_call(
            form,
            services.series_update,
            field_map={**SESSION_FIELDS, **SERIES_EDIT_FIELDS},
            actor=user,
            series=record,
            **form.changes(),
        )
        if changed is not None:
            messages.success(
                request,
                ngettext(
                    "Série enregistrée : %(n)s séance à venir modifiée.",
                    "Série enregistrée : %(n)s séances à venir modifiées.",
                    len(changed),
                )
                % {"n": len(changed)},
            )
            return redirect(_series_url(record))
    return _series_form_page(request, "live/instructor/series_edit.html", record, group, form)


def _series_form_page(
    request: HttpRequest,
    template: str,
    record: SessionSeries,
    group: selectors.SeriesGroup,
    form: forms.Form,
) -> HttpResponse:
    """A series form (edit, cancel) with the series' rule above it; 400 when refused."""
    context = {
        "course": record.course,
        "series": record,
        "group": group,
        "rule": presenters.series_rule(group),
        "form": form,
        "series_url": _series_url(record),
    }
    status = form_status(form) if form.is_bound else 200
    return render(request, template, context, status=status)


@page
def series_cancel(request: HttpRequest, course_id: int, series_id: int) -> HttpResponse:
    user = current_user(request)
    record = _series(user, course_id, series_id)
    group = selectors.series_group(
        record, selectors.series_occurrences(series=record), now=timezone.now()
    )
    if not group.future_count:
        return error_response(request, _no_future(record))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cancelled = form_call(
            form,
            services.series_cancel,
            actor=user,
            series=record,
            reason=form.cleaned_data["reason"],
        )
        if cancelled is not None:
            messages.success(
                request,
                ngettext(
                    "%(n)s séance à venir annulée.",
                    "%(n)s séances à venir annulées.",
                    len(cancelled),
                )
                % {"n": len(cancelled)},
            )
            return redirect(_series_url(record))
    return _series_form_page(request, "live/instructor/series_cancel.html", record, group, form)
