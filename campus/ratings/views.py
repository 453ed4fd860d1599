"""Rating pages: the rating form (also an htmx fragment for the certificate dialog),
deleting one's review, a course's reviews and the moderation queue.

Thin like api.py: access fetches and authorizes, services write, selectors and
presenters read, campus.core.views maps domain errors to pages and statuses.
"""

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from campus.core.errors import NotFound
from campus.core.views import (
    action_call,
    current_user,
    form_call,
    form_status,
    page,
    page_query,
    pager,
    safe_next,
)
from campus.courses import access as course_access
from campus.ratings import access, presenters, selectors, services
from campus.ratings.forms import ModerationForm, RatingForm
from campus.ratings.models import CourseRating

REVIEWS_PAGE_SIZE = 10
QUEUE_PAGE_SIZE = 20


def _initial(review: CourseRating | None) -> dict[str, Any]:
    if review is None:
        return {"would_recommend": True}
    fields = ("rating", "comment", "pros", "cons", "would_recommend", "is_anonymous")
    return {name: getattr(review, name) for name in fields}


def _done(request: HttpRequest, target: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(target)
    return redirect(target)


@page
def rate(request: HttpRequest, slug: str) -> HttpResponse:
    """GET the form; POST creates the review, or edits it when there is one."""
    user = current_user(request)
    course, enrollment = access.get_rate_target_by_slug(user, slug)
    existing = selectors.rating_of(enrollment=enrollment)
    blocked = None
    if existing is None:
        allowed, reason = selectors.can_rate(user=user, enrollment=enrollment)
        if not allowed:
            error, message = services.CAN_RATE_ERRORS[reason]
            blocked = (error.status, str(message))
    form = RatingForm(request.POST or None, initial=_initial(existing))
    if blocked is None and request.method == "POST" and form.is_valid():
        if existing is None:
            saved = form_call(
                form, services.rating_create, actor=user, enrollment=enrollment, **form.cleaned_data
            )
        else:
            saved = form_call(
                form, services.rating_update, actor=user, review=existing, **form.cleaned_data
            )
        if saved is not None:
            if services.moderation_mode() == "pre":
                messages.success(
                    request, _("Merci pour votre avis ! Il sera publié après modération.")
                )
            else:
                messages.success(request, _("Merci pour votre avis ! Il est publié."))
            default = reverse("courses:detail", kwargs={"slug": course.slug})
            return _done(request, safe_next(request, default))
    status = blocked[0] if blocked else (form_status(form) if form.is_bound else 200)
    context = {
        "course": course,
        "form": form,
        "existing": existing,
        "blocked": blocked[1] if blocked else None,
        "next": safe_next(request, ""),
        "moderation": services.moderation_mode(),
    }
    template = "ratings/_rating_form.html" if request.htmx else "ratings/rate.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@require_POST
@page
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    course, enrollment = access.get_rate_target_by_slug(user, slug)
    review = selectors.rating_of(enrollment=enrollment)
    if review is not None and action_call(
        request, services.rating_delete, actor=user, review=review
    ):
        messages.success(request, _("Votre avis a été supprimé."))
    return redirect("courses:detail", slug=course.slug)


@page
def course_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    """Every approved review of a course, newest first (or by rating), paginated. For
    htmx ("Voir plus"), the list items of the page plus the next "Voir plus" button."""
    course = course_access.get_course_by_slug_for(request.user, slug, action="view")
    sort: selectors.Sort = "rating" if request.GET.get("sort") == "rating" else "recent"
    result = selectors.approved_page(
        course=course, sort=sort, query=page_query(request, limit=REVIEWS_PAGE_SIZE)
    )
    context = {
        "course": course,
        "reviews": result.items,
        "pager": pager(request, result),
        "sort": sort,
        "histogram": presenters.histogram(course),
        "stats": presenters.course_stats(course),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "ratings/_review_page.html", context)
    return render(request, "ratings/course_reviews.html", context)


def _queue(
    request: HttpRequest, user: Any, *, failed: Any = None, form: Any = None, status: int = 200
) -> HttpResponse:
    # ?course=<id>: one course's queue (its hub links here); the owner's or an admin's.
    course = None
    course_param = request.GET.get("course", "")
    if course_param:
        if not re.fullmatch(r"[1-9][0-9]{0,17}", course_param):
            raise NotFound(_("Cours introuvable."), code="course_not_found")
        course = course_access.get_course_for(user, int(course_param), action="manage")
    result = selectors.moderation_page(
        user=user,
        query=page_query(request, limit=QUEUE_PAGE_SIZE),
        course_id=course.pk if course is not None else None,
    )
    context = {
        "course": course,
        # Back to this queue after a decision (built from checked values, not echoed).
        "next_url": reverse("ratings:moderation")
        + (f"?course={course.pk}" if course is not None else ""),
        "reviews": result.items,
        "pager": pager(request, result),
        "failed_id": failed.pk if failed is not None else None,
        "failed_form": form,
    }
    return render(request, "ratings/moderation.html", context, status=status)


@page
def moderation(request: HttpRequest) -> HttpResponse:
    user = course_access.require_instructor(request.user)
    return _queue(request, user)


@require_POST
@page
def moderate(request: HttpRequest, rating_id: int) -> HttpResponse:
    """Approve or reject one review; a bad note re-renders the queue (400), the note kept."""
    user = current_user(request)
    review = access.get_rating_to_moderate(user, rating_id)
    form = ModerationForm(request.POST)
    done = None
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        done = form_call(
            form,
            services.rating_moderate,
            actor=user,
            review=review,
            approve=approve,
            note=form.cleaned_data["note"],
        )
    if done is None:
        return _queue(request, user, failed=review, form=form, status=form_status(form))
    messages.success(request, _("Avis publié.") if approve else _("Avis refusé."))
    return redirect(safe_next(request, reverse("ratings:moderation")))
