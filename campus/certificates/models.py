"""Certificates of completion: one per user and course, verifiable by anyone with the
code (a public page shows name, course, date and status, nothing else)."""

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from campus.courses.models import Course, Enrollment

CODE_MAX = 64
REVOKE_REASON_MAX = 500


class Certificate(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.PROTECT, related_name="certificates"
    )
    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    # Unguessable (for the verification URL) and readable (for a human: CAMPUS-2026-000042).
    code = models.CharField(_("code de vérification"), max_length=CODE_MAX, unique=True)
    number = models.CharField(_("numéro"), max_length=32, unique=True)
    # What the certificate says, frozen at issue time (a later rename changes nothing).
    holder_name = models.CharField(_("titulaire"), max_length=300)
    course_title = models.CharField(_("cours"), max_length=200)
    instructor_name = models.CharField(_("responsable du cours"), max_length=300)
    issued_at = models.DateTimeField(_("délivré le"), default=dj_timezone.now)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("motif de révocation"), max_length=REVOKE_REASON_MAX, blank=True
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("révoqué par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificat")
        verbose_name_plural = _("certificats")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="certificate_one_per_course"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RatingPrompt(models.Model):
    """When the "rate this course, then get your certificate" dialog opened by itself
    for a completed enrollment: it does so once, then only on demand."""

    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("inscription"),
        on_delete=models.CASCADE,
        related_name="rating_prompt",
    )
    shown_at = models.DateTimeField(_("proposé le"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("invitation à noter")
        verbose_name_plural = _("invitations à noter")

    def __str__(self) -> str:
        return f"{self.enrollment_id} @ {self.shown_at:%Y-%m-%d}"
