"""Every write about certificates: issue (idempotent, one per user and course, even under
concurrent requests) and revoke (admins, with a reason).

Issuing is asked for by the student ("Obtenir mon certificat", or the API), not done
behind their back on completion: CERTIFICATE_REQUIRES_RATING decides whether a review
comes first (`issue_step` says what the pages offer; `certificate_issue` enforces it).
"""

import base64
import secrets
from collections.abc import Sequence
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.certificates.models import REVOKE_REASON_MAX, Certificate, RatingPrompt
from campus.core.errors import Conflict, Forbidden
from campus.core.validation import check_max_length, field_error
from campus.courses.models import Enrollment, EnrollmentStatus
from campus.notifications.models import Kind
from campus.notifications.services import Notice, notify
from campus.ratings import selectors as rating_selectors
from campus.ratings import services as rating_services
from campus.ratings.models import CourseRating

# Verification codes: 25 random bytes in base 32 (RFC 4648: A-Z and 2-7, no padding), 40
# characters, 200 bits. No lowercase letters, so a code typed or sent in any case is
# still the same code (selectors.certificate_by_code upper-cases for these). Codes
# issued before (secrets.token_urlsafe(24): 32 characters, mixed case, 192 bits) keep
# matching exactly, letter for letter.
CODE_BYTES = 25


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


IssueStep = Literal["certificate", "rate_required", "rate_prompt", "issue"]


def rating_mode() -> str:
    return str(settings.CERTIFICATE_REQUIRES_RATING)


def issue_step(*, has_certificate: bool, has_rating: bool) -> IssueStep:
    """What a completed student is offered next, per CERTIFICATE_REQUIRES_RATING:
    their certificate; the review they must write first (required); the review
    proposed first, skippable with "Plus tard" (prompt); or the button directly."""
    if has_certificate:
        return "certificate"
    if has_rating:
        return "issue"
    mode = rating_mode()
    if mode == "required":
        return "rate_required"
    if mode == "prompt":
        return "rate_prompt"
    return "issue"


def _number(certificate: Certificate) -> str:
    return f"CAMPUS-{certificate.issued_at.year}-{certificate.pk:06d}"


def _notify_issued(certificate: Certificate) -> None:
    title = certificate.course_title

    def render() -> tuple[str, str]:
        return (
            str(_("Votre certificat est prêt")),
            str(
                _("Cours : %(title)s. Téléchargez-le depuis « Mes certificats ».")
                % {"title": title}
            ),
        )

    notify(
        recipients=User.objects.filter(pk=certificate.user_id),
        notice=Notice(
            kind=Kind.CERTIFICATE_ISSUED,
            dedupe_key=f"certificate_issued:{certificate.pk}",
            render=render,
            url=reverse("certificates:mine"),
            subject_type="certificate",
            subject_id=certificate.pk,
        ),
    )


@transaction.atomic
def certificate_get_or_issue(*, actor: User, enrollment: Enrollment) -> tuple[Certificate, bool]:
    """The enrollment's certificate, issued on the first call: (certificate, created).

    The enrollment row is locked first (a locking read, so what follows sees the latest
    committed rows on every database); concurrent requests queue there and find the
    certificate the first one made. The unique (user, course) constraint is the last
    guard: a lost race becomes "return the existing one", never a 500.
    """
    if not actor.is_authenticated or enrollment.user_id != actor.pk:
        raise Forbidden(_("Seule la personne inscrite peut obtenir ce certificat."))
    locked = (
        Enrollment.objects.select_for_update()
        .select_related("course", "course__instructor", "user")
        .get(pk=enrollment.pk)
    )
    existing = Certificate.objects.filter(user_id=locked.user_id, course_id=locked.course_id)
    found = existing.first()
    if found is not None:
        return found, False
    if locked.status != EnrollmentStatus.COMPLETED:
        raise Conflict(_("Terminez le cours pour obtenir votre certificat."), code="not_completed")
    if rating_mode() == "required" and rating_selectors.rating_of(enrollment=locked) is None:
        # "noter" in the message and `requires_rating` in the details: what the MdSC
        # frontend looks for to open its rating dialog.
        raise Conflict(
            _("Donnez votre avis sur ce cours : il faut le noter pour obtenir votre certificat."),
            code="rating_required",
            details={"requires_rating": True, "course_id": locked.course_id},
        )
    course = locked.course
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                user_id=locked.user_id,
                course=course,
                enrollment=locked,
                code=new_code(),
                # Unique placeholder; the readable number comes from the primary key.
                number=f"tmp-{secrets.token_hex(8)}",
                holder_name=locked.user.display_name[:300],
                course_title=course.title[:200],
                instructor_name=course.instructor.display_name[:300],
                issued_at=timezone.now(),
            )
            certificate.number = _number(certificate)
            certificate.save(update_fields=["number"])
    except IntegrityError:
        found = existing.first()
        if found is None:
            raise
        return found, False
    _notify_issued(certificate)
    return certificate, True


def certificate_issue(*, actor: User, enrollment: Enrollment) -> Certificate:
    """Issue (or return) the certificate of a completed enrollment. Idempotent."""
    certificate, _created = certificate_get_or_issue(actor=actor, enrollment=enrollment)
    return certificate


@transaction.atomic
def certificate_rate_and_issue(
    *, actor: User, enrollment: Enrollment, **review: Any
) -> tuple[Certificate, CourseRating | None]:
    """Rate the course, then issue its certificate: one flow, one transaction
    ((certificate, the review created or None)).

    The review goes through the ratings service (its checks, its moderation: a pending
    review counts as given) and the certificate through `certificate_get_or_issue`. The
    enrollment row is locked first, so a double submit waits for the first one and finds
    its certificate: one review, one certificate. A review refused (bad stars, too long
    a text) issues nothing. A review already given (on the course page) is kept as is.
    """
    if not actor.is_authenticated or enrollment.user_id != actor.pk:
        raise Forbidden(_("Seule la personne inscrite peut obtenir ce certificat."))
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    found = Certificate.objects.filter(user_id=locked.user_id, course_id=locked.course_id).first()
    if found is not None:
        return found, None
    created = None
    if rating_selectors.rating_of(enrollment=locked) is None:
        created = rating_services.rating_create(actor=actor, enrollment=locked, **review)
    certificate, _created = certificate_get_or_issue(actor=actor, enrollment=locked)
    return certificate, created


def rating_prompt_shown(*, actor: User, enrollments: Sequence[Enrollment]) -> None:
    """Record that the rating dialog was offered by itself for these completed
    enrollments (the one it opened for, and on "Mes certificats" the others listed there
    with their "Donner mon avis" button): it does so once, then only when asked for.
    One INSERT; a second record (two tabs at once) is ignored by the unique enrollment."""
    if not actor.is_authenticated or any(e.user_id != actor.pk for e in enrollments):
        raise Forbidden(_("Seule la personne inscrite peut obtenir ce certificat."))
    now = timezone.now()
    RatingPrompt.objects.bulk_create(
        [RatingPrompt(enrollment_id=e.pk, shown_at=now) for e in enrollments],
        ignore_conflicts=True,
    )


@transaction.atomic
def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Admins only, with a reason. A revoked certificate still verifies (as revoked) and
    is no longer downloadable."""
    if not actor.is_authenticated or not actor.is_admin:
        raise Forbidden(_("Seul un administrateur peut révoquer un certificat."))
    cleaned = (reason or "").strip()
    if not cleaned:
        raise field_error("reason", _("Indiquez le motif de la révocation."), "required")
    check_max_length("reason", cleaned, REVOKE_REASON_MAX)
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise Conflict(_("Ce certificat est déjà révoqué."), code="already_revoked")
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.revoke_reason = cleaned
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return locked


def ensure_downloadable(*, certificate: Certificate) -> None:
    """A revoked certificate is no longer handed out as a document (it still verifies,
    as revoked, on the public page)."""
    if certificate.is_revoked:
        raise Conflict(
            _("Ce certificat a été révoqué : il n'est plus téléchargeable."),
            code="certificate_revoked",
        )
