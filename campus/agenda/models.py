"""Study plans (one per enrollment), their items, and the secret calendar-feed tokens.

The calendar itself is not stored: it is merged at read time (selectors.calendar_events)
from live sessions, plan items, quiz deadlines and course dates, so it can never drift
from them.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from campus.courses.models import Enrollment, Lesson, Quiz

TITLE_MAX = 200
MIN_MINUTES_PER_DAY = 15
MAX_MINUTES_PER_DAY = 480
DEFAULT_STUDY_DAYS = [0, 1, 2, 3, 4]  # Monday to Friday (Monday = 0)
DEFAULT_START_TIME = time(18, 0)
DEFAULT_MINUTES_PER_DAY = 60


def default_study_days() -> list[int]:
    return list(DEFAULT_STUDY_DAYS)


class StudyPlan(models.Model):
    enrollment = models.OneToOneField(
        Enrollment,
        verbose_name=_("inscription"),
        on_delete=models.CASCADE,
        related_name="study_plan",
    )
    # The student's choices (editable): which weekdays, from what local time, how long.
    study_days = models.JSONField(_("jours d'étude"), default=default_study_days)
    start_time = models.TimeField(_("heure de début"), default=DEFAULT_START_TIME)
    minutes_per_day = models.PositiveSmallIntegerField(
        _("minutes par jour"), default=DEFAULT_MINUTES_PER_DAY
    )
    # The zone the plan was computed in (the student's at the time).
    timezone = models.CharField(_("fuseau horaire"), max_length=64)
    # The outcome of the last (re)plan.
    starts_on = models.DateField(_("à partir du"))
    finishes_on = models.DateField(_("fin prévue"), null=True, blank=True)
    fits = models.BooleanField(_("tient dans les dates du cours"), default=True)
    needed_minutes_per_day = models.PositiveSmallIntegerField(
        _("minutes par jour nécessaires"), null=True, blank=True
    )
    generated_at = models.DateTimeField(_("date de génération"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = _("planning d'étude")
        verbose_name_plural = _("plannings d'étude")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_per_day__gte=MIN_MINUTES_PER_DAY)
                & Q(minutes_per_day__lte=MAX_MINUTES_PER_DAY),
                name="studyplan_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.enrollment_id}"


class PlanItemKind(models.TextChoices):
    LESSON = "lesson", _("Leçon")
    QUIZ = "quiz", _("Quiz")
    MILESTONE = "milestone", _("Étape")


class PlanItemStatus(models.TextChoices):
    """Stored states. "En retard" (late) is derived when read: pending and past its end."""

    PENDING = "pending", _("À faire")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Fait")
    SKIPPED = "skipped", _("Ignoré")


class PlanItem(models.Model):
    plan = models.ForeignKey(
        StudyPlan, verbose_name=_("planning"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("type"), max_length=16, choices=PlanItemKind.choices)
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("leçon"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    quiz = models.ForeignKey(
        Quiz,
        verbose_name=_("quiz"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    milestone_percent = models.PositiveSmallIntegerField(_("étape (%)"), null=True, blank=True)
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    # A lesson longer than a study slot continues on the next study day: part 2 of 3.
    segment = models.PositiveSmallIntegerField(_("segment"), default=1)
    segments = models.PositiveSmallIntegerField(_("nombre de segments"), default=1)
    position = models.PositiveIntegerField(_("position"), default=0)
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=PlanItemStatus.choices,
        default=PlanItemStatus.PENDING,
    )
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = _("élément du planning")
        verbose_name_plural = _("éléments du planning")
        indexes = [
            models.Index(fields=["plan", "position"], name="planitem_plan_position_idx"),
            models.Index(fields=["plan", "starts_at"], name="planitem_plan_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="planitem_order"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PlanItemKind.values), name="planitem_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanItemStatus.values), name="planitem_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind=PlanItemKind.LESSON) & Q(lesson__isnull=False))
                | (Q(kind=PlanItemKind.QUIZ) & Q(quiz__isnull=False))
                | (Q(kind=PlanItemKind.MILESTONE) & Q(milestone_percent__isnull=False)),
                name="planitem_kind_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarToken(models.Model):
    """The secret in a user's calendar-feed URL. It grants nothing but reading that
    calendar; regenerating replaces it (the old URL then 404s)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("jeton de calendrier")
        verbose_name_plural = _("jetons de calendrier")

    def __str__(self) -> str:
        return f"calendar token of {self.user_id}"


class FeedVersion(models.Model):
    """The version of one subscription feed a client was last served, and since when.

    A feed's Last-Modified must move forward on every change, deletions included: the
    newest update among the remaining events goes back in time when an event is deleted,
    and a client revalidating with If-Modified-Since would keep the deleted event. Events
    come from four sources (sessions, plan items, quizzes, courses) changed by many
    services, so the change is recorded where it shows: when a request finds a feed whose
    fingerprint (its ETag) differs from the stored one, the feed changed now."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    scope = models.CharField(_("flux"), max_length=32)  # "all" or "course-<id>"
    fingerprint = models.CharField(_("empreinte"), max_length=64)
    changed_at = models.DateTimeField(_("date de modification"))

    class Meta:
        verbose_name = _("version de flux de calendrier")
        verbose_name_plural = _("versions de flux de calendrier")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope"], name="feedversion_user_scope_unique")
        ]

    def __str__(self) -> str:
        return f"feed {self.scope} of {self.user_id}"
