"""Certificate pages: "Mes certificats", the course page's certificate block (an htmx
fragment), the PDF download and the public verification page.

Thin like campus/courses/views.py: access fetches and authorizes, services write,
selectors and presenters read, campus.core.views maps domain errors to pages.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from campus.certificates import access, presenters, selectors, services
from campus.certificates.api import pdf_response
from campus.certificates.models import Certificate
from campus.certificates.pdf import render_certificate
from campus.core.errors import Conflict
from campus.core.ratelimit import client_address
from campus.core.views import (
    FRAGMENT_HEADER,
    action_outcome,
    current_user,
    form_call,
    form_status,
    page,
    page_query,
    pager,
    safe_next,
)
from campus.courses import access as course_access
from campus.courses.access import get_course_by_slug_for
from campus.ratings import services as rating_services
from campus.ratings.forms import RatingForm

LIST_PAGE_SIZE = 20


def _auto_dialog(user: Any, offers: list[dict[str, Any]]) -> Any:
    """The rating dialog that opens by itself, once: for the first completed course not
    offered yet. Every course listed with it is recorded as offered (one INSERT), so the
    next visit only offers the review on demand ("Donner mon avis")."""
    offer = presenters.first_to_prompt(offers)
    if offer is None:
        return None
    pending = [o["enrollment"] for o in offers if o["asks_review"] and not o["prompt_shown"]]
    services.rating_prompt_shown(actor=user, enrollments=pending)
    return presenters.dialog(offer, form=_new_form(), auto=True)


def _new_form() -> RatingForm:
    return RatingForm(initial={"would_recommend": True})


def _issued_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("issued", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@require_GET
@page
def mine(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    result = selectors.certificates_page(user=user, query=page_query(request, limit=LIST_PAGE_SIZE))
    offers = [presenters.offer(e) for e in selectors.completed_without_certificate(user=user)]
    context = {
        "certificates": [presenters.certificate_row(c) for c in result.items],
        "issued": _issued_id(request),
        "offers": offers,
        # Not over the certificate just issued: the next course's dialog can wait.
        "dialog": None if "issued" in request.GET else _auto_dialog(user, offers),
        "pager": pager(request, result),
        "next": reverse("certificates:mine"),
    }
    return render(request, "certificates/mine.html", context)


@require_GET
@page
def course_block(request: HttpRequest, slug: str) -> HttpResponse:
    """The certificate block of a course page, for a member whose enrollment is
    completed (loaded by htmx); empty for anyone else."""
    user = current_user(request)
    course = get_course_by_slug_for(user, slug, action="view")
    enrollment = selectors.completed_enrollment_in(user=user, course=course)
    if enrollment is None:
        return HttpResponse("")
    offer = presenters.offer(enrollment, certificate=presenters.certificate_of(enrollment))
    context = {
        "offer": offer,
        "dialog": _auto_dialog(user, [offer]),
        "next": reverse("courses:detail", kwargs={"slug": course.slug}),
    }
    return render(request, "certificates/_course_block.html", context)


def _landing(certificate: Certificate) -> str:
    """Where a student lands once their certificate is issued: "Mes certificats" with
    that certificate first, its download and share link in view on a phone (and no
    other course's dialog over it)."""
    return f"{reverse('certificates:mine')}?issued={certificate.pk}"


def _go(request: HttpRequest, target: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(target)
    return redirect(target)


@require_POST
@page
def issue(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """ "Obtenir mon certificat", and "Plus tard" in the rating dialog (prompt mode): the
    certificate without a review. Lands where the student asked from."""
    user = current_user(request)
    enrollment = course_access.get_own_active_enrollment_for(user, enrollment_id)
    done, certificate = action_outcome(
        request, services.certificate_issue, actor=user, enrollment=enrollment
    )
    if done and certificate is not None:
        messages.success(request, _("Félicitations ! Votre certificat est prêt."))
        # From a course page the student stays there (its block now shows the
        # certificate); from "Mes certificats", the list opens on the new one.
        back = safe_next(request, "")
        if not back or back.split("?")[0] == reverse("certificates:mine"):
            back = _landing(certificate)
        return redirect(back)
    return redirect(safe_next(request, "certificates:mine"))


@require_http_methods(["GET", "POST"])
@page
def rate(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Rate the course, then get the certificate, in one step: GET the form (the dialog
    for htmx, a page otherwise), POST the review: the certificate is issued in the same
    request and the student lands on it. A refused review re-renders the form (400,
    what was typed kept) and issues nothing."""
    user = current_user(request)
    course_access.get_own_active_enrollment_for(user, enrollment_id)  # 404 for others'
    enrollment = selectors.completed_enrollment_of(user=user, enrollment_id=enrollment_id)
    if enrollment is None:
        raise Conflict(_("Terminez le cours pour obtenir votre certificat."), code="not_completed")
    offer = presenters.offer(enrollment, certificate=presenters.certificate_of(enrollment))
    if offer["certificate"] is not None:
        return _go(request, _landing(offer["certificate"]))
    if request.method != "POST" and getattr(enrollment, "has_rating", False):
        # Already reviewed (on the course page): the certificate is one button away.
        return _go(request, safe_next(request, "certificates:mine"))
    form = RatingForm(request.POST) if request.method == "POST" else _new_form()
    if form.is_bound and form.is_valid():
        outcome = form_call(
            form,
            services.certificate_rate_and_issue,
            actor=user,
            enrollment=enrollment,
            **form.cleaned_data,
        )
        if outcome is not None:
            certificate, review = outcome
            if review is not None and rating_services.moderation_mode() == "pre":
                messages.success(
                    request,
                    _(
                        "Merci pour votre avis, publié après vérification. "
                        "Votre certificat est prêt !"
                    ),
                )
            else:
                messages.success(request, _("Merci pour votre avis ! Votre certificat est prêt."))
            return _go(request, _landing(certificate))
    context = {
        "dialog": presenters.dialog(offer, form=form, auto=False),
        "next": safe_next(request, ""),
    }
    status = form_status(form) if form.is_bound else 200
    if not request.htmx:  # type: ignore[attr-defined]
        return render(request, "certificates/rate.html", context, status=status)
    if not form.is_bound:
        return render(request, "certificates/_rating_dialog.html", context)
    # The refused form, errors and text kept, swapped in place inside the dialog.
    response = render(request, "certificates/_rate_form.html", context, status=status)
    response[FRAGMENT_HEADER] = "1"
    return response


@require_GET
@page
def download(request: HttpRequest, certificate_id: int) -> HttpResponse:
    user = current_user(request)
    certificate = access.get_certificate_for(user, certificate_id, action="download")
    services.ensure_downloadable(certificate=certificate)
    return pdf_response(render_certificate(certificate), certificate.number)


@require_GET
@page
def verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = access.get_certificate_by_code(code, client=client_address(request))
    context = {"certificate": presenters.verification(certificate)}
    return render(request, "certificates/verify.html", context)
