"""Live classes: sessions on Jitsi, weekly series, participants, attendance, Q&A chat.

Rows only: every rule (state machine, capacity, who may join) lives in services.py. The
constraints below are the database's last word, so a bug or a race upstream can never
store an impossible row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from campus.courses.models import TITLE_MAX, Course, Enrollment

MAX_PARTICIPANTS_LIMIT = 10_000
SERIES_MAX_DURATION_MINUTES = 12 * 60
SERIES_MAX_OCCURRENCES = 200
CHAT_TEXT_MAX = 2000
ROOM_NAME_MAX = 255
SESSION_DESCRIPTION_MAX = 5000
CANCEL_REASON_MAX = 500


class LiveSessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Programmée")
    LIVE = "live", _("En direct")
    ENDED = "ended", _("Terminée")
    CANCELLED = "cancelled", _("Annulée")


class SessionSeries(models.Model):
    """A weekly series: its occurrences are LiveSession rows pointing back here.

    The start time is local to `timezone` (an IANA name, the instructor's by default), so
    18:00 stays 18:00 on the wall clock across a DST change; see live/series.py.
    """

    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="live_series"
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        on_delete=models.PROTECT,
        related_name="live_series",
    )
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    # Weekdays as ints, 0 = Monday … 6 = Sunday (Python's and dateutil's convention).
    days_of_week = models.JSONField(_("jours de la semaine"), default=list)
    start_time = models.TimeField(_("heure de début (locale)"))
    timezone = models.CharField(_("fuseau horaire"), max_length=64)
    starts_on = models.DateField(_("à partir du"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    count = models.PositiveSmallIntegerField(_("nombre de séances"), null=True, blank=True)
    until = models.DateField(_("jusqu'au"), null=True, blank=True)
    max_participants = models.PositiveIntegerField(_("participants max."), default=50)
    is_recording_enabled = models.BooleanField(_("enregistrement"), default=False)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("série de sessions")
        verbose_name_plural = _("séries de sessions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(count__isnull=False) & Q(until__isnull=True))
                | (Q(count__isnull=True) & Q(until__isnull=False)),
                name="series_count_xor_until",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True)
                | (Q(count__gte=1) & Q(count__lte=SERIES_MAX_OCCURRENCES)),
                name="series_count_bounded",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1)
                & Q(duration_minutes__lte=SERIES_MAX_DURATION_MINUTES),
                name="series_duration_bounded",
            ),
            models.CheckConstraint(
                condition=Q(max_participants__gte=1)
                & Q(max_participants__lte=MAX_PARTICIPANTS_LIMIT),
                name="series_max_participants_range",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("starts_on")),
                name="series_until_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LiveSession(models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="live_sessions"
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        on_delete=models.PROTECT,
        related_name="taught_live_sessions",
    )
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    # Bounded by services (DESCRIPTION_MAX), like a course's description.
    description = models.TextField(_("description"), blank=True)
    scheduled_start_at = models.DateTimeField(_("début prévu"))
    scheduled_end_at = models.DateTimeField(_("fin prévue"))
    actual_start_at = models.DateTimeField(_("début réel"), null=True, blank=True)
    actual_end_at = models.DateTimeField(_("fin réelle"), null=True, blank=True)
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=LiveSessionStatus.choices,
        default=LiveSessionStatus.SCHEDULED,
    )
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=500, blank=True)
    jitsi_room_name = models.CharField(_("salle Jitsi"), max_length=ROOM_NAME_MAX, unique=True)
    jitsi_server_url = models.URLField(_("serveur Jitsi"), max_length=255)
    # A secret: only join/token responses carry it, never list or detail.
    jitsi_room_password = models.CharField(_("mot de passe de la salle"), max_length=64, blank=True)
    max_participants = models.PositiveIntegerField(_("participants max."), default=50)
    is_recording_enabled = models.BooleanField(_("enregistrement"), default=False)
    recording_url = models.URLField(_("lien de l'enregistrement"), max_length=500, blank=True)
    series = models.ForeignKey(
        SessionSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("série"),
    )
    # iCalendar SEQUENCE: bumped on every reschedule or cancel so calendars update.
    sequence = models.PositiveIntegerField(_("version (iCalendar)"), default=0)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = _("session en direct")
        verbose_name_plural = _("sessions en direct")
        indexes = [
            # A course's sessions by status, in time order.
            models.Index(
                fields=["course", "status", "scheduled_start_at"], name="live_course_status_idx"
            ),
            # Sweeps: live sessions long past their end, scheduled ones never started.
            models.Index(fields=["status", "scheduled_end_at"], name="live_status_end_idx"),
            # Calendar ranges (overlap: start < range end and end > range start).
            models.Index(fields=["scheduled_start_at"], name="live_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_end_at__gt=F("scheduled_start_at")),
                name="live_session_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(max_participants__gte=1)
                & Q(max_participants__lte=MAX_PARTICIPANTS_LIMIT),
                name="live_session_max_participants_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=LiveSessionStatus.values),
                name="live_session_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(actual_start_at__isnull=True)
                | Q(actual_end_at__isnull=True)
                | Q(actual_end_at__gte=F("actual_start_at")),
                name="live_session_actual_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ParticipantRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    MODERATOR = "moderator", _("Modération")
    INSTRUCTOR = "instructor", _("Responsable du cours")


class AttendanceSource(models.TextChoices):
    HEARTBEAT = "heartbeat", _("Signal de présence")
    WEBHOOK = "webhook", _("Serveur Jitsi")


class Participant(models.Model):
    session = models.ForeignKey(
        LiveSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="live_participations",
    )
    # Students join through their enrollment; the owner and admins have none.
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("inscription"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="live_participations",
    )
    role = models.CharField(
        _("rôle"),
        max_length=16,
        choices=ParticipantRole.choices,
        default=ParticipantRole.PARTICIPANT,
    )
    # Set when a seat is granted (capacity counts admitted participants); null otherwise.
    admitted_at = models.DateTimeField(_("admis le"), null=True, blank=True)
    is_present = models.BooleanField(_("présent"), default=False)
    # Cache of attendance.attended_seconds over the intervals, recomputed by services.
    attendance_seconds = models.PositiveIntegerField(_("présence (secondes)"), default=0)
    # Which intervals that figure counts: the conference server's once it spoke of this
    # participant, else the browser's heartbeats.
    attendance_source = models.CharField(
        _("source de la présence"),
        max_length=16,
        choices=AttendanceSource.choices,
        default=AttendanceSource.HEARTBEAT,
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="participant_unique_user"),
            models.CheckConstraint(
                condition=Q(role__in=ParticipantRole.values), name="participant_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.session}"

    @property
    def attendance_minutes(self) -> int:
        return self.attendance_seconds // 60


class AttendanceInterval(models.Model):
    """One stretch of presence; open while left_at is null. A sweep closes intervals
    whose last heartbeat is stale, at their last_seen_at."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="intervals",
    )
    joined_at = models.DateTimeField(_("arrivée"))
    left_at = models.DateTimeField(_("départ"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("dernier signal"))
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=AttendanceSource.choices,
        default=AttendanceSource.HEARTBEAT,
    )

    class Meta:
        verbose_name = _("intervalle de présence")
        verbose_name_plural = _("intervalles de présence")
        indexes = [
            # The stale sweep: open intervals (left_at null) by last heartbeat.
            models.Index(fields=["left_at", "last_seen_at"], name="attendance_open_seen_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("joined_at")),
                name="attendance_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.joined_at:%Y-%m-%d %H:%M} → {self.left_at or '…'}"


class ChatKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Réponse")


class ChatMessage(models.Model):
    session = models.ForeignKey(
        LiveSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="chat"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("écrit par"),
        on_delete=models.CASCADE,
        related_name="live_chat_messages",
    )
    kind = models.CharField(
        _("type"), max_length=16, choices=ChatKind.choices, default=ChatKind.MESSAGE
    )
    text = models.CharField(_("texte"), max_length=CHAT_TEXT_MAX)
    answer_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("en réponse à"),
    )
    is_pinned = models.BooleanField(_("épinglé"), default=False)
    is_hidden = models.BooleanField(_("masqué"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("masqué par"),
    )
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    # Moved by moderation (pin, hide) too, so the Q&A panel's ETag sees every change.
    updated_at = models.DateTimeField(_("dernière modification"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("message du chat")
        verbose_name_plural = _("messages du chat")
        indexes = [
            # Polling with a since-cursor: WHERE session = ? AND id > ? ORDER BY id.
            models.Index(fields=["session", "id"], name="chat_session_cursor_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ChatKind.values), name="chat_kind_valid"),
            # Only an answer points at a question.
            models.CheckConstraint(
                condition=Q(answer_to__isnull=True) | Q(kind=ChatKind.ANSWER),
                name="chat_answer_to_only_answers",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


# --- Events from the conference server (JaaS webhooks, Prosody event_sync) -----------------

IDEMPOTENCY_KEY_MAX = 128
OCCUPANT_KEY_MAX = 255
EXTERNAL_LINK_MAX = 2000


class ConferenceSource(models.TextChoices):
    JAAS = "jaas", _("JaaS (8x8)")
    PROSODY = "prosody", _("Jitsi auto-hébergé (Prosody)")


class ConferenceEventKind(models.TextChoices):
    ROOM_CREATED = "room_created", _("Salle ouverte")
    ROOM_DESTROYED = "room_destroyed", _("Salle fermée")
    PARTICIPANT_JOINED = "participant_joined", _("Arrivée")
    PARTICIPANT_LEFT = "participant_left", _("Départ")
    RECORDING_UPLOADED = "recording_uploaded", _("Enregistrement disponible")
    CHAT_UPLOADED = "chat_uploaded", _("Chat disponible")
    TRANSCRIPTION_UPLOADED = "transcription_uploaded", _("Transcription disponible")


class ConferenceEvent(models.Model):
    """One event the conference server reported about a session's room, stored once:
    the source's idempotency key is unique, so a retried delivery changes nothing. What
    it means (attendance, start and end, recordings) is derived by services from the
    stored events ordered by `occurred_at` (the server's clock), never by arrival."""

    session = models.ForeignKey(
        LiveSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="conference_events",
    )
    source = models.CharField(_("source"), max_length=16, choices=ConferenceSource.choices)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=IDEMPOTENCY_KEY_MAX)
    kind = models.CharField(_("type"), max_length=32, choices=ConferenceEventKind.choices)
    occurred_at = models.DateTimeField(_("survenu le"))
    # The Campus user the server named (the `context.user.id` of the JWT Campus issued);
    # null for a room event or a guest the server could not name.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The server's name for one presence (JaaS participantId, Prosody occupant_jid): a
    # departure closes the arrival with the same name.
    occupant = models.CharField(_("présence"), max_length=OCCUPANT_KEY_MAX, blank=True)
    payload = models.JSONField(_("contenu reçu"))
    received_at = models.DateTimeField(_("reçu le"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("événement de la visioconférence")
        verbose_name_plural = _("événements de la visioconférence")
        indexes = [
            models.Index(fields=["session", "occurred_at"], name="conference_event_session_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "idempotency_key"], name="conference_event_once"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ConferenceSource.values),
                name="conference_event_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ConferenceEventKind.values),
                name="conference_event_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.session_id} ({self.occurred_at:%Y-%m-%d %H:%M:%S})"


class RecordingKind(models.TextChoices):
    VIDEO = "video", _("Vidéo")
    CHAT = "chat", _("Chat")
    TRANSCRIPTION = "transcription", _("Transcription")


class RecordingState(models.TextChoices):
    PENDING = "pending", _("En cours de récupération")
    STORED = "stored", _("Disponible")
    FAILED = "failed", _("Échec de la récupération")


class SessionRecording(models.Model):
    """A file the conference server made of a session (a recording, the chat, a
    transcription), fetched from its short-lived link and kept in Campus's storage.
    One per upload event: a retried webhook never fetches twice."""

    session = models.ForeignKey(
        LiveSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="recordings",
    )
    event = models.OneToOneField(
        ConferenceEvent,
        verbose_name=_("événement"),
        on_delete=models.CASCADE,
        related_name="recording",
    )
    kind = models.CharField(_("type"), max_length=16, choices=RecordingKind.choices)
    state = models.CharField(
        _("état"), max_length=16, choices=RecordingState.choices, default=RecordingState.PENDING
    )
    # The server's pre-authenticated link (JaaS keeps the file 24 hours): a secret,
    # never shown; the worker fetches from it.
    source_url = models.URLField(_("lien de téléchargement"), max_length=EXTERNAL_LINK_MAX)
    file = models.FileField(_("fichier"), upload_to="recordings/%Y/%m/", blank=True)
    content_type = models.CharField(_("type de contenu"), max_length=100, blank=True)
    size_bytes = models.BigIntegerField(_("taille (octets)"), null=True, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    is_hidden = models.BooleanField(_("masqué"), default=False)
    duration_seconds = models.PositiveIntegerField(_("durée (secondes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    stored_at = models.DateTimeField(_("enregistré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("enregistrement de session")
        verbose_name_plural = _("enregistrements de session")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RecordingKind.values), name="recording_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=RecordingState.values), name="recording_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.session_id}"
