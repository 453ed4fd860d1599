"""Notification: the in-app inbox and the email outbox in one row.

A notice is written in the same transaction as the change that causes it, under a
per-user unique `dedupe_key`, so whatever retries or runs twice (a sweep, a task) cannot
create it twice. Its email leaves later through the delivery task, which records the
outcome on the row (pending → sent, or failed after the last attempt; skipped when the
user turned email off or the notice became moot, e.g. a reminder of a cancelled session).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
BODY_MAX = 4000
URL_MAX = 500
DEDUPE_KEY_MAX = 190  # fits a unique index on MariaDB's utf8mb4 with the user id
ERROR_MAX = 500


class Kind(models.TextChoices):
    SESSION_SCHEDULED = "session_scheduled", _("Nouvelle session programmée")
    SESSION_REMINDER_24H = "session_reminder_24h", _("Rappel la veille d'une session")
    SESSION_REMINDER_1H = "session_reminder_1h", _("Rappel une heure avant une session")
    SESSION_STARTED = "session_started", _("Session en direct")
    SESSION_CANCELLED = "session_cancelled", _("Session annulée")
    SESSION_RESCHEDULED = "session_rescheduled", _("Session reportée")
    SESSION_MESSAGE = "session_message", _("Message au sujet d'une session")
    RATING_MODERATED = "rating_moderated", _("Votre avis a été modéré")
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificat délivré")
    FORUM_REPLY = "forum_reply", _("Réponse à votre message du forum")
    FORUM_SOLUTION = "forum_solution", _("Votre réponse acceptée comme solution")
    FORUM_ACTIVITY = "forum_activity", _("Activité dans un sujet suivi")
    # What waits for a course's moderators (its owner, the admins): issue 13.
    FORUM_TOPIC_NEW = "forum_topic_new", _("Nouveau sujet dans le forum de votre cours")
    FORUM_REPORT = "forum_report", _("Message signalé dans votre cours")
    RATING_PENDING = "rating_pending", _("Avis à modérer")
    LIVE_QUESTION = "live_question", _("Question pendant une classe en direct")
    # A weekly series changed or cancelled as a whole: one notice, not one per session.
    SERIES_RESCHEDULED = "series_rescheduled", _("Série de sessions modifiée")
    SERIES_CANCELLED = "series_cancelled", _("Série de sessions annulée")


class EmailState(models.TextChoices):
    PENDING = "pending", _("à envoyer")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("échec")
    SKIPPED = "skipped", _("non envoyé")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    body = models.TextField(_("texte"), max_length=BODY_MAX, blank=True)
    url = models.CharField(_("lien"), max_length=URL_MAX, blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)
    # What the notice is about, to stop its pending emails when it becomes moot.
    subject_type = models.CharField(_("type d'objet"), max_length=40, blank=True)
    subject_id = models.BigIntegerField(_("identifiant d'objet"), null=True, blank=True)
    dedupe_key = models.CharField(_("clé de dédoublonnage"), max_length=DEDUPE_KEY_MAX)
    # Shown in the inbox (the user's in-app preference for the kind at creation time).
    in_app = models.BooleanField(_("dans l'application"), default=True)
    created_at = models.DateTimeField(_("créée le"), default=dj_timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    # Email delivery (the outbox)
    email_state = models.CharField(
        _("e-mail"), max_length=10, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    email_next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=dj_timezone.now)
    email_sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    email_last_error = models.CharField(_("dernière erreur"), max_length=ERROR_MAX, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_dedupe"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind"),
            models.CheckConstraint(
                condition=Q(email_state__in=EmailState.values), name="notification_email_state"
            ),
        ]
        indexes = [
            # The inbox, newest first, and the unread badge.
            models.Index(fields=["user", "in_app", "-created_at", "-id"], name="notif_inbox_idx"),
            models.Index(fields=["user", "in_app", "read_at"], name="notif_unread_idx"),
            # The delivery task: pending rows whose time has come.
            models.Index(fields=["email_state", "email_next_attempt_at"], name="notif_outbox_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notif_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """One row per (user, kind) the user changed; no row means the kind's defaults
    (campus.notifications.kinds)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    in_app = models.BooleanField(_("dans l'application"), default=True)
    email = models.BooleanField(_("par e-mail"), default=True)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"
