"""Agenda pages: the student calendar (month, week, day, list), a course's study plan
("Mon planning") and the calendar subscription panel.

Thin like campus/courses/views.py: access fetches and authorizes, services write,
selectors read (a fixed number of queries whatever the number of events), the pure
calendar_grid lays the events out in the user's zone, campus.core.views maps domain
errors to pages, messages and statuses.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campus.agenda import access, calendar_grid, links, selectors, services
from campus.agenda.events import TYPES
from campus.agenda.forms import WEEKDAY_NAMES, CalendarQueryForm, PlanSettingsForm
from campus.agenda.models import StudyPlan
from campus.core.views import action_call, current_user, form_call, form_status, page

# --- The calendar ---------------------------------------------------------------------


def _calendar_url(*, view: str, anchor: date, types: set[str] | None) -> str:
    params = [f"view={view}", f"date={anchor.isoformat()}"]
    params += [f"type={t}" for t in TYPES if types and t in types]
    return f"{reverse('agenda:calendar')}?{'&'.join(params)}"


@page
def calendar(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    query = CalendarQueryForm(request.GET)
    view, anchor, types = query.query(today=today)
    window = calendar_grid.window(view, anchor, tz)
    events = selectors.calendar_events(
        user=user, start=window.start, end=window.end, types=types, now=timezone.now()
    )
    layout = calendar_grid.layout(view, anchor, events, tz=tz, today=today)
    context = {
        "layout": layout,
        "view": view,
        "anchor": anchor,
        "types": types or set(),
        "type_choices": [
            (t, calendar_grid.TYPE_LABELS[t], calendar_grid.type_legend(t)) for t in TYPES
        ],
        "legend": calendar_grid.LEGEND,
        "views": [
            (name, label, _calendar_url(view=name, anchor=anchor, types=types))
            for name, label in calendar_grid.VIEW_LABELS.items()
        ],
        "previous_url": _calendar_url(view=view, anchor=window.previous, types=types),
        "next_url": _calendar_url(view=view, anchor=window.next, types=types),
        "today_url": _calendar_url(view=view, anchor=today, types=types),
        # Kept by the links to a day ("?view=day&date=…" + this).
        "type_query": "".join(f"&type={t}" for t in TYPES if types and t in types),
        # The day view offers each event to the student's own calendar app.
        "day_events": [
            (placed, links.event_links(placed.event)) for placed in layout.days[0].events
        ]
        if view == calendar_grid.DAY
        else [],
    }
    return render(request, "agenda/calendar.html", context)


# --- Mon planning ---------------------------------------------------------------------


def _settings_initial(plan: StudyPlan | None) -> dict[str, Any]:
    if plan is None:
        return {}
    return {
        "study_days": [str(day) for day in plan.study_days],
        "start_time": plan.start_time,
        "minutes_per_day": plan.minutes_per_day,
    }


@page
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    enrollment = access.get_own_enrollment_by_slug_for(user, slug)
    now = timezone.now()
    study_plan = selectors.plan_with_items(enrollment=enrollment, now=now)
    form = PlanSettingsForm(request.POST or None, initial=_settings_initial(study_plan))
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form,
            services.plan_update_settings,
            actor=user,
            enrollment=enrollment,
            study_days=form.cleaned_data["study_days"],
            start_time=form.cleaned_data["start_time"],
            minutes_per_day=form.cleaned_data["minutes_per_day"],
            now=now,
        )
        if saved is not None:
            messages.success(request, _("Réglages enregistrés : votre planning est recalculé."))
            return redirect("agenda:plan", slug=slug)
    tz = timezone.get_current_timezone()
    items = list(study_plan.items.all()) if study_plan is not None else []
    context = {
        "course": enrollment.course,
        "enrollment": enrollment,
        "plan": study_plan,
        "days": calendar_grid.plan_days(items, tz),
        "progress": selectors.plan_progress(enrollment=enrollment)
        if study_plan is not None
        else None,
        "study_day_names": [WEEKDAY_NAMES[d] for d in sorted(study_plan.study_days)]
        if study_plan is not None
        else [],
        "form": form,
        "today": timezone.localdate(),
    }
    status = form_status(form) if form.is_bound else 200
    return render(request, "agenda/plan.html", context, status=status)


@require_POST
@page
def replan(request: HttpRequest, slug: str) -> HttpResponse:
    """Re-plan from today (keeping what is done), or create the plan when there is none."""
    user = current_user(request)
    enrollment = access.get_own_enrollment_by_slug_for(user, slug)
    if request.POST.get("action") == "generate":
        if action_call(request, services.plan_generate, actor=user, enrollment=enrollment):
            messages.success(request, _("Votre planning est prêt."))
    elif action_call(request, services.plan_replan, actor=user, enrollment=enrollment):
        messages.success(request, _("Planning recalculé à partir d'aujourd'hui."))
    return redirect("agenda:plan", slug=slug)


# --- Subscription ---------------------------------------------------------------------


@page
def subscribe(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    token = services.calendar_token(actor=user)
    context = {"urls": links.feed_urls(token.token)}
    return render(request, "agenda/subscribe.html", context)


@require_POST
@page
def regenerate_token(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if action_call(request, services.calendar_token_regenerate, actor=user):
        messages.success(
            request,
            _("Nouveau lien créé. L'ancien ne fonctionne plus : abonnez vos agendas au nouveau."),
        )
    return redirect("agenda:subscribe")
