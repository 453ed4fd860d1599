"""Course reviews (seed 004 §3.2.1): one per enrollment, by a student who completed the
course, moderated before (or after) they are shown."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campus.courses.models import Course, Enrollment

COMMENT_MAX = 2000
PROS_CONS_MAX = 1000
MODERATION_NOTE_MAX = 500


class RatingStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Approuvé")
    REJECTED = "rejected", _("Refusé")


class CourseRating(models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="ratings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="course_ratings",
    )
    enrollment = models.OneToOneField(
        Enrollment, verbose_name=_("inscription"), on_delete=models.CASCADE, related_name="rating"
    )
    rating = models.PositiveSmallIntegerField(_("note"))
    comment = models.TextField(_("commentaire"), max_length=COMMENT_MAX, blank=True)
    pros = models.TextField(_("ce que vous avez aimé"), max_length=PROS_CONS_MAX, blank=True)
    cons = models.TextField(
        _("ce qui pourrait être amélioré"), max_length=PROS_CONS_MAX, blank=True
    )
    would_recommend = models.BooleanField(_("je recommande ce cours"), default=True)
    is_anonymous = models.BooleanField(_("publier de manière anonyme"), default=False)
    status = models.CharField(
        _("statut"), max_length=16, choices=RatingStatus.choices, default=RatingStatus.PENDING
    )
    moderation_note = models.CharField(
        _("note de modération"), max_length=MODERATION_NOTE_MAX, blank=True
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modéré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("date de modération"), null=True, blank=True)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = pgettext_lazy("pluriel", "avis")
        indexes = [
            # The public list: a course's approved reviews, newest first or by rating.
            models.Index(
                fields=["course", "status", "-created_at"], name="rating_course_recent_idx"
            ),
            models.Index(fields=["course", "status", "-rating"], name="rating_course_stars_idx"),
            # The moderation queue.
            models.Index(fields=["status", "created_at"], name="rating_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="rating_stars_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RatingStatus.values), name="rating_status_valid"
            ),
            models.UniqueConstraint(fields=["course", "user"], name="rating_one_per_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 — {self.course_id}"
