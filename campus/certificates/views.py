"""Certificate pages: "Mes certificats", the course page's certificate block (an htmx
fragment), the PDF download and the public verification page.

Thin like campus/courses/views.py: access fetches and authorizes, services write,
selectors and presenters read, campus.core.views maps domain errors to pages.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campus.accounts.services import client_ip
from campus.certificates import access, presenters, selectors, services
from campus.certificates.api import pdf_response
from campus.certificates.pdf import render_certificate
from campus.core.views import action_call, current_user, page, page_query, pager, safe_next
from campus.courses import access as course_access
from campus.courses.access import get_course_by_slug_for

LIST_PAGE_SIZE = 20


@require_GET
@page
def mine(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    result = selectors.certificates_page(user=user, query=page_query(request, limit=LIST_PAGE_SIZE))
    offers = [presenters.offer(e) for e in selectors.completed_without_certificate(user=user)]
    context = {
        "certificates": [presenters.certificate_row(c) for c in result.items],
        "offers": offers,
        "dialog_offer": presenters.first_to_rate(offers),
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
        "dialog_offer": presenters.first_to_rate([offer]),
        "next": reverse("courses:detail", kwargs={"slug": course.slug}),
    }
    return render(request, "certificates/_course_block.html", context)


@require_POST
@page
def issue(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    user = current_user(request)
    enrollment = course_access.get_own_active_enrollment_for(user, enrollment_id)
    if action_call(request, services.certificate_issue, actor=user, enrollment=enrollment):
        messages.success(request, _("Félicitations ! Votre certificat est prêt."))
    return redirect(safe_next(request, "certificates:mine"))


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
    certificate = access.get_certificate_by_code(code, client=client_ip(request))
    context = {"certificate": presenters.verification(certificate)}
    return render(request, "certificates/verify.html", context)
