"""The course forum (seed 004 §4.2.1): one forum per course, topics, nested replies,
votes, an accepted solution, followers and reports.

Counters (a topic's reply count, a reply's up/down votes) are denormalised for cheap
lists and kept equal to the rows they count by the services, under row locks.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campus.courses.models import Course

TITLE_MAX = 200
CONTENT_MAX = 20_000
REPORT_REASON_MAX = 500


class Forum(models.Model):
    course = models.OneToOneField(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="forum"
    )
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    is_locked = models.BooleanField(_("verrouillé"), default=False)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="topics"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("écrit par"),
        on_delete=models.CASCADE,
        related_name="forum_topics",
    )
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    content = models.TextField(_("contenu"), max_length=CONTENT_MAX)
    is_pinned = models.BooleanField(_("épinglé"), default=False)
    is_locked = models.BooleanField(_("verrouillé"), default=False)
    is_hidden = models.BooleanField(_("masqué"), default=False)
    view_count = models.PositiveIntegerField(_("vues"), default=0)
    reply_count = models.PositiveIntegerField(_("réponses"), default=0)
    last_reply_at = models.DateTimeField(_("date de la dernière réponse"), null=True, blank=True)
    last_reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dernière réponse par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The accepted answer (one per topic; changeable). Set by the services only.
    solution = models.OneToOneField(
        "Reply",
        verbose_name=_("solution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solution_of",
    )
    # For "recent" sorting: the last activity (creation or last reply).
    activity_at = models.DateTimeField(_("dernière activité"), default=dj_timezone.now)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("forum", "sujet")
        verbose_name_plural = _("sujets")
        indexes = [
            # Keyset lists: pinned first, then by activity / popularity / creation.
            models.Index(
                fields=["forum", "-is_pinned", "-activity_at", "-id"], name="topic_recent_idx"
            ),
            models.Index(
                fields=["forum", "-is_pinned", "-reply_count", "-id"], name="topic_popular_idx"
            ),
            models.Index(fields=["author"], name="topic_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Reply(models.Model):
    topic = models.ForeignKey(
        Topic,
        verbose_name=pgettext_lazy("forum", "sujet"),
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("écrit par"),
        on_delete=models.CASCADE,
        related_name="forum_replies",
    )
    # Any depth is stored; the parent is always in the same topic (services check it).
    parent = models.ForeignKey(
        "self",
        verbose_name=_("en réponse à"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    # The thread's top-level reply (its parent's root, or its parent when that is
    # top-level); null for a top-level reply. Set once by the services: a page of the
    # tree loads its top-level replies, then their threads in one indexed query.
    root = models.ForeignKey(
        "self",
        verbose_name=_("réponse de premier niveau"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="descendants",
    )
    content = models.TextField(_("contenu"), max_length=CONTENT_MAX)
    # Deleted by its author: the row stays ("message supprimé") so the thread stays whole.
    is_deleted = models.BooleanField(_("supprimée"), default=False)
    is_hidden = models.BooleanField(_("masqué"), default=False)
    upvotes = models.PositiveIntegerField(_("votes pour"), default=0)
    downvotes = models.PositiveIntegerField(_("votes contre"), default=0)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("forum", "réponse")
        verbose_name_plural = _("réponses")
        indexes = [
            # A topic's replies in order (the whole tree, the latest visible reply).
            models.Index(fields=["topic", "created_at", "id"], name="reply_topic_order_idx"),
            # A page of top-level replies (root IS NULL) and the threads of a page.
            models.Index(fields=["topic", "root", "created_at", "id"], name="reply_topic_root_idx"),
            models.Index(fields=["author"], name="reply_author_idx"),
        ]

    def __str__(self) -> str:
        return self.content[:60]


class VoteValue(models.IntegerChoices):
    UP = 1, _("Pour")
    DOWN = -1, _("Contre")


class Vote(models.Model):
    """One per user per reply: up or down. Voting the same again removes it."""

    reply = models.ForeignKey(
        Reply,
        verbose_name=pgettext_lazy("forum", "réponse"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="forum_votes",
    )
    value = models.SmallIntegerField(_("valeur"), choices=VoteValue.choices)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="vote_one_per_user"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d}"


class TopicView(models.Model):
    """A view counts once per user per topic."""

    topic = models.ForeignKey(
        Topic,
        verbose_name=pgettext_lazy("forum", "sujet"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("lecture d'un sujet")
        verbose_name_plural = _("lectures des sujets")
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="topic_view_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.topic_id}"


class Follow(models.Model):
    """Activity notifications for a topic (its author follows it; others may)."""

    topic = models.ForeignKey(
        Topic,
        verbose_name=pgettext_lazy("forum", "sujet"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="forum_follows",
    )
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("abonnement à un sujet")
        verbose_name_plural = _("abonnements aux sujets")
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.topic_id}"


class CourseFollow(models.Model):
    """The owner (or anyone allowed) following every topic of a course's forum."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)

    class Meta:
        verbose_name = _("abonnement à un forum")
        verbose_name_plural = _("abonnements aux forums")
        constraints = [
            models.UniqueConstraint(fields=["forum", "user"], name="forum_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.forum_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    RESOLVED = "resolved", _("Traité")


class ReportResolution(models.TextChoices):
    """What the moderator did about a report (recorded with who and when)."""

    HIDDEN = "hidden", _("Message masqué")
    DISMISSED = "dismissed", _("Signalement rejeté")
    LOCKED = "locked", _("Sujet verrouillé")
    DELETED = "deleted", _("Message supprimé")
    RESOLVED = "resolved", _("Traité")


class Report(models.Model):
    """A member flags a topic or a reply for the moderators."""

    topic = models.ForeignKey(
        Topic,
        verbose_name=pgettext_lazy("forum", "sujet"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    reply = models.ForeignKey(
        Reply,
        verbose_name=pgettext_lazy("forum", "réponse"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.CASCADE,
        related_name="forum_reports",
    )
    reason = models.CharField(_("motif"), max_length=REPORT_REASON_MAX)
    status = models.CharField(
        _("statut"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    resolution = models.CharField(
        _("décision"), max_length=16, choices=ReportResolution.choices, blank=True, default=""
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traité par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [
            models.CheckConstraint(
                condition=(Q(topic__isnull=False) & Q(reply__isnull=True))
                | (Q(topic__isnull=True) & Q(reply__isnull=False)),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "topic"],
                name="report_topic_once",
                condition=Q(topic__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["reporter", "reply"],
                name="report_reply_once",
                condition=Q(reply__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reason[:60]
