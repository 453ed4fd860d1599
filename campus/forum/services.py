"""Every write of the forum. Keyword-only, one transaction each, permission first.

Locks: a write that changes a topic's counters (reply_count, last_reply_at/by,
activity_at) or its solution locks the topic row first; a vote locks the reply row. The
counters are then recomputed from the rows they count inside the same transaction, so
they always equal those rows, whatever runs at the same time (SQLite's IMMEDIATE
transactions serialize writers; PostgreSQL and MariaDB take the row locks).

Decisions:
- reply_count counts the VISIBLE replies: neither deleted ("message supprimé") nor
  hidden by a moderator. It is what readers see as "réponses", and "unanswered" means
  nobody has (still) answered. last_reply_at/by follow the latest visible reply.
- A reply deleted (by its author or a moderator) stays as "message supprimé": its
  content is blanked, its place in the thread (and its children) kept.
- A topic deleted is really deleted (with its thread). Its author may delete it only
  while nobody else has answered (409 `topic_has_replies`): the others' answers are
  theirs. Moderators may delete any topic; to keep a thread but take it out of sight
  they hide it (reversible).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.core import ratelimit
from campus.core.content import excerpt as plain_excerpt
from campus.core.errors import Conflict, Forbidden
from campus.core.validation import check_max_length, clean_title, field_error
from campus.courses.access import authorize_course
from campus.courses.models import Course
from campus.forum import selectors
from campus.forum.access import is_moderator, require_moderator
from campus.forum.models import (
    CONTENT_MAX,
    REPORT_REASON_MAX,
    TITLE_MAX,
    CourseFollow,
    Follow,
    Forum,
    Reply,
    Report,
    ReportResolution,
    ReportStatus,
    Topic,
    TopicView,
    Vote,
    VoteValue,
)
from campus.notifications import moderation
from campus.notifications.models import Kind
from campus.notifications.services import Notice, notify

POST_LIMIT = 10  # new topics + replies per user ...
POST_WINDOW_SECONDS = 60  # ... per minute
POST_SCOPE = "forum_post"

TopicAction = Literal["pin", "unpin", "lock", "unlock", "hide", "unhide"]
ReplyAction = Literal["hide", "unhide"]
ReactionType = Literal["upvote", "downvote"]

TOPIC_MODERATION: dict[str, dict[str, bool]] = {
    "pin": {"is_pinned": True},
    "unpin": {"is_pinned": False},
    "lock": {"is_locked": True},
    "unlock": {"is_locked": False},
    "hide": {"is_hidden": True},
    "unhide": {"is_hidden": False},
}
REACTIONS = {"upvote": VoteValue.UP, "downvote": VoteValue.DOWN}


# --- Helpers ---------------------------------------------------------------------------


def _clean_content(content: str) -> str:
    cleaned = (content or "").strip()
    if not cleaned:
        raise field_error("content", _("Le message est vide."), "content_required")
    check_max_length("content", cleaned, CONTENT_MAX)
    return cleaned


def _lock_topic(topic: Topic) -> Topic:
    """Re-read the topic row under a lock (that row only: no join in the FOR UPDATE),
    keeping the relations already loaded."""
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    locked.forum = topic.forum
    locked.author = topic.author
    return locked


def _lock_reply(reply: Reply, topic: Topic | None = None) -> Reply:
    locked = Reply.objects.select_for_update().get(pk=reply.pk)
    locked.topic = topic or reply.topic
    locked.author = reply.author
    return locked


def _refresh_counters(topic: Topic) -> None:
    """Recompute the (locked) topic's counters from its visible replies."""
    count, latest = selectors.visible_reply_stats(topic=topic)
    topic.reply_count = count
    topic.last_reply_at = latest.created_at if latest else None
    topic.last_reply_by_id = latest.author_id if latest else None
    topic.activity_at = max(topic.created_at, topic.last_reply_at or topic.created_at)
    topic.save(update_fields=["reply_count", "last_reply_at", "last_reply_by", "activity_at"])


def _check_can_post(actor: User, topic: Topic | None, forum: Forum) -> None:
    """Locked topic or forum: only moderators post."""
    if is_moderator(actor, forum.course):
        return
    if forum.is_locked:
        raise Forbidden(_("Ce forum est verrouillé."), code="forum_locked")
    if topic is not None and topic.is_locked:
        raise Forbidden(_("Ce sujet est verrouillé."), code="topic_locked")


def _check_author(actor: User, author_id: int) -> None:
    if actor.pk != author_id:
        raise Forbidden(_("Vous ne pouvez modifier que vos propres messages."), code="not_author")


def _rate_limit(actor: User) -> None:
    ratelimit.limit_action(POST_SCOPE, str(actor.pk), limit=POST_LIMIT, window=POST_WINDOW_SECONDS)


def topic_url(topic: Topic) -> str:
    """The topic's page (/courses/<slug>/forum/<topic_id>)."""
    return f"/courses/{topic.forum.course.slug}/forum/{topic.pk}"


# --- Forum -----------------------------------------------------------------------------


def forum_ensure(*, course: Course) -> Forum:
    """The course's forum, created if missing (called when a course is created). No
    permission check: internal, idempotent (the unique constraint settles races)."""
    forum = Forum.objects.filter(course=course).first()
    if forum is not None:
        return forum
    try:
        with transaction.atomic():
            return Forum.objects.create(course=course, title=course.title[:255])
    except IntegrityError:
        return Forum.objects.get(course=course)


@transaction.atomic
def forum_create(*, actor: User, course: Course, title: str = "", description: str = "") -> Forum:
    """Create the course's forum (owner, admin). It normally exists already (made with
    the course): a second one is a 409 `forum_exists`."""
    authorize_course(actor, course, "manage")
    cleaned_title = clean_title(title or course.title, max_length=255)
    check_max_length("description", description, 5000)
    try:
        with transaction.atomic():
            return Forum.objects.create(
                course=course, title=cleaned_title, description=description or ""
            )
    except IntegrityError as exc:
        raise Conflict(_("Ce cours a déjà son forum."), code="forum_exists") from exc


@transaction.atomic
def forum_follow(*, actor: User, forum: Forum) -> None:
    """Follow every topic of the forum (notices of all its activity). Idempotent."""
    authorize_course(actor, forum.course, "content")
    CourseFollow.objects.get_or_create(forum=forum, user=actor)


@transaction.atomic
def forum_unfollow(*, actor: User, forum: Forum) -> None:
    authorize_course(actor, forum.course, "content")
    CourseFollow.objects.filter(forum=forum, user=actor).delete()


# --- Topics ----------------------------------------------------------------------------


@transaction.atomic
def topic_create(
    *, actor: User, forum: Forum, title: str, content: str, now: datetime | None = None
) -> Topic:
    """A new topic (members, owner, admin; a locked forum: moderators only). Its author
    follows it; the course's owner is told (forum_topic_new), unless they wrote it.
    Rate-limited with replies (POST_LIMIT a minute; 429)."""
    authorize_course(actor, forum.course, "content")
    cleaned_title = clean_title(title, max_length=TITLE_MAX)
    cleaned = _clean_content(content)
    _check_can_post(actor, None, forum)
    _rate_limit(actor)
    now = now or timezone.now()
    topic = Topic.objects.create(
        forum=forum,
        author=actor,
        title=cleaned_title,
        content=cleaned,
        activity_at=now,
        created_at=now,
    )
    Follow.objects.create(topic=topic, user=actor)
    moderation.topic_created(
        actor=actor,
        course=forum.course,
        topic_id=topic.pk,
        title=topic.title,
        content=topic.content,
        url=topic_url(topic),
    )
    return topic


@transaction.atomic
def topic_update(
    *, actor: User, topic: Topic, title: str | None = None, content: str | None = None
) -> Topic:
    """Edit one's own topic (only the fields given). Moderators do not edit others'
    posts: they hide or delete them. A locked topic: its author cannot edit it."""
    authorize_course(actor, topic.forum.course, "content")
    _check_author(actor, topic.author_id)
    locked = _lock_topic(topic)
    _check_can_post(actor, locked, topic.forum)
    fields = []
    if title is not None:
        locked.title = clean_title(title, max_length=TITLE_MAX)
        fields.append("title")
    if content is not None:
        locked.content = _clean_content(content)
        fields.append("content")
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
    return locked


@transaction.atomic
def topic_delete(*, actor: User, topic: Topic) -> None:
    """Delete a topic and its thread: moderators any; its author only while nobody else
    answered (409 `topic_has_replies`) and it is not locked."""
    authorize_course(actor, topic.forum.course, "content")
    locked = _lock_topic(topic)
    if not is_moderator(actor, topic.forum.course):
        _check_author(actor, topic.author_id)
        _check_can_post(actor, locked, topic.forum)
        if Reply.objects.filter(topic=locked).exclude(author=actor).exists():
            raise Conflict(
                _("D'autres ont répondu à ce sujet : demandez à un modérateur de le retirer."),
                code="topic_has_replies",
            )
    locked.delete()


@transaction.atomic
def topic_moderate(*, actor: User, topic: Topic, action: str) -> Topic:
    """pin/unpin, lock/unlock, hide/unhide (owner, admin). Repeating is a no-op."""
    authorize_course(actor, topic.forum.course, "manage")
    if action not in TOPIC_MODERATION:
        raise field_error("action", _("Action inconnue."), "invalid_action")
    locked = _lock_topic(topic)
    changes = TOPIC_MODERATION[action]
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*changes, "updated_at"])
    if action == "hide":  # acting on a reported post settles its reports
        _close_reports(actor=actor, topic=locked, resolution=ReportResolution.HIDDEN)
    return locked


def topic_view(*, user: User, topic: Topic) -> bool:
    """Count the user's view of the topic, once per user ever (TopicView is unique per
    user and topic; concurrent first views of one user count once). True if counted."""
    if not user.is_authenticated:
        return False
    if TopicView.objects.filter(topic=topic, user=user).exists():
        return False
    try:
        with transaction.atomic():
            # The topic row first, then the view: concurrent first views queue on the
            # topic's row lock (inserting first would let InnoDB deadlock: each insert's
            # foreign-key check share-locks the topic row the winner must then update).
            Topic.objects.filter(pk=topic.pk).update(view_count=F("view_count") + 1)
            TopicView.objects.create(topic=topic, user=user)
    except IntegrityError:
        return False  # a concurrent request of the same user counted it
    topic.view_count += 1
    return True


@transaction.atomic
def topic_follow(*, actor: User, topic: Topic) -> None:
    authorize_course(actor, topic.forum.course, "content")
    Follow.objects.get_or_create(topic=topic, user=actor)


@transaction.atomic
def topic_unfollow(*, actor: User, topic: Topic) -> None:
    authorize_course(actor, topic.forum.course, "content")
    Follow.objects.filter(topic=topic, user=actor).delete()


# --- Replies ---------------------------------------------------------------------------


@transaction.atomic
def reply_create(
    *,
    actor: User,
    topic: Topic,
    content: str,
    parent_id: int | None = None,
    now: datetime | None = None,
) -> Reply:
    """Answer a topic, or a reply of the SAME topic (400 `parent_not_in_topic`), at any
    depth. A locked topic or forum: moderators only (403 `topic_locked`). Rate-limited
    (429). Notifies the topic's author and the parent's author (forum_reply), then the
    followers (forum_activity), each recipient once, never the actor."""
    course = topic.forum.course
    authorize_course(actor, course, "content")
    cleaned = _clean_content(content)
    parent = None
    if parent_id is not None:
        parent = Reply.objects.select_related("author").filter(pk=parent_id).first()
        if parent is None or parent.topic_id != topic.pk:
            raise field_error(
                "parent_reply_id",
                _("La réponse citée n'appartient pas à ce sujet."),
                "parent_not_in_topic",
                headline=True,
            )
    locked = _lock_topic(topic)
    _check_can_post(actor, locked, topic.forum)
    _rate_limit(actor)
    now = now or timezone.now()
    reply = Reply.objects.create(
        topic=locked,
        author=actor,
        parent=parent,
        root_id=thread_root_id(parent),
        content=cleaned,
        created_at=now,
    )
    _refresh_counters(locked)
    topic.reply_count = locked.reply_count
    topic.last_reply_at = locked.last_reply_at
    topic.activity_at = locked.activity_at
    _notify_reply(actor=actor, topic=locked, reply=reply, parent=parent)
    return reply


def thread_root_id(parent: Reply | None) -> int | None:
    """The `root` of a reply answering `parent`: the top-level reply of its thread (None
    for a reply to the topic). The one rule; bulk writers (bench data) call it too."""
    if parent is None:
        return None
    return parent.root_id or parent.pk


def _notify_reply(*, actor: User, topic: Topic, reply: Reply, parent: Reply | None) -> None:
    if topic.is_hidden:
        return  # only moderators can open it: nobody is sent a link to a 404
    readers = selectors.readers_of(topic.forum.course).exclude(pk=actor.pk)
    direct = {topic.author_id}
    if parent is not None and not parent.is_deleted:
        direct.add(parent.author_id)
    name = actor.full_name
    title = topic.title
    excerpt = plain_excerpt(reply.content, 200)  # plain text: a notice body
    url = f"{topic_url(topic)}#reply-{reply.pk}"
    key = f"forum:reply:{reply.pk}"  # one key for both kinds: one notice per recipient
    data = {"topic_id": topic.pk, "reply_id": reply.pk, "course_id": topic.forum.course_id}
    notify(
        recipients=readers.filter(pk__in=direct),
        notice=Notice(
            kind=Kind.FORUM_REPLY,
            dedupe_key=key,
            render=lambda: (
                gettext("%(name)s vous a répondu : %(title)s")
                % {"name": name or gettext("Un membre"), "title": title},
                excerpt,
            ),
            url=url,
            subject_type="forum_topic",
            subject_id=topic.pk,
            data=data,
        ),
    )
    notify(
        recipients=selectors.topic_followers(topic=topic).exclude(pk=actor.pk),
        notice=Notice(
            kind=Kind.FORUM_ACTIVITY,
            dedupe_key=key,
            render=lambda: (
                gettext("Nouvelle réponse dans « %(title)s »") % {"title": title},
                excerpt,
            ),
            url=url,
            subject_type="forum_topic",
            subject_id=topic.pk,
            data=data,
        ),
    )


@transaction.atomic
def reply_update(*, actor: User, reply: Reply, content: str) -> Reply:
    """Edit one's own reply (not a deleted one; not in a locked topic unless moderator)."""
    authorize_course(actor, reply.topic.forum.course, "content")
    _check_author(actor, reply.author_id)
    cleaned = _clean_content(content)
    locked = _lock_reply(reply)
    if locked.is_deleted:
        raise Conflict(_("Ce message a été supprimé."), code="reply_deleted")
    _check_can_post(actor, reply.topic, reply.topic.forum)
    locked.content = cleaned
    locked.save(update_fields=["content", "updated_at"])
    return locked


@transaction.atomic
def reply_delete(*, actor: User, reply: Reply) -> Reply:
    """Its author or a moderator deletes a reply: it stays as "message supprimé" (content
    blanked, children kept). It stops being the solution. Repeating is a no-op."""
    course = reply.topic.forum.course
    authorize_course(actor, course, "content")
    moderator = is_moderator(actor, course)
    if not moderator:
        _check_author(actor, reply.author_id)
    topic = _lock_topic(reply.topic)
    if not moderator:
        _check_can_post(actor, topic, reply.topic.forum)
    locked = _lock_reply(reply, topic)
    if locked.is_deleted:
        return locked
    locked.is_deleted = True
    locked.content = ""
    locked.save(update_fields=["is_deleted", "content", "updated_at"])
    if topic.solution_id == locked.pk:
        topic.solution = None
        topic.save(update_fields=["solution"])
    _refresh_counters(topic)
    if moderator:  # a moderator's deletion settles the reply's reports
        _close_reports(actor=actor, reply=locked, resolution=ReportResolution.DELETED)
    return locked


@transaction.atomic
def reply_moderate(*, actor: User, reply: Reply, action: str) -> Reply:
    """hide/unhide a reply (owner, admin); the topic's counters follow. Idempotent."""
    authorize_course(actor, reply.topic.forum.course, "manage")
    if action not in ("hide", "unhide"):
        raise field_error("action", _("Action inconnue."), "invalid_action")
    topic = _lock_topic(reply.topic)
    locked = _lock_reply(reply, topic)
    locked.is_hidden = action == "hide"
    locked.save(update_fields=["is_hidden", "updated_at"])
    _refresh_counters(topic)
    if action == "hide":  # acting on a reported post settles its reports
        _close_reports(actor=actor, reply=locked, resolution=ReportResolution.HIDDEN)
    return locked


# --- Solution --------------------------------------------------------------------------


def _check_can_mark(actor: User, topic: Topic) -> None:
    if actor.pk != topic.author_id and not is_moderator(actor, topic.forum.course):
        raise Forbidden(
            _(
                "La solution est choisie par la personne qui a ouvert le sujet, la personne "
                "responsable du cours ou l'administration."
            ),
            code="forbidden",
        )


@transaction.atomic
def solution_mark(*, actor: User, reply: Reply) -> Topic:
    """Accept this reply as its topic's solution (the topic's author, the course's owner,
    an admin): one per topic, replacing any previous one. Notifies the reply's author."""
    authorize_course(actor, reply.topic.forum.course, "content")
    _check_can_mark(actor, reply.topic)
    topic = _lock_topic(reply.topic)
    locked = _lock_reply(reply, topic)
    if locked.is_deleted:
        raise Conflict(_("Ce message a été supprimé."), code="reply_deleted")
    if locked.is_hidden:
        raise Conflict(_("Ce message est masqué."), code="reply_hidden")
    if topic.solution_id == locked.pk:
        return topic
    topic.solution = locked
    topic.save(update_fields=["solution", "updated_at"])
    if locked.author_id != actor.pk:
        title = topic.title
        notify(
            recipients=selectors.readers_of(topic.forum.course).filter(pk=locked.author_id),
            notice=Notice(
                kind=Kind.FORUM_SOLUTION,
                dedupe_key=f"forum:solution:{locked.pk}",
                render=lambda: (
                    gettext("Votre réponse est la solution de « %(title)s »") % {"title": title},
                    "",
                ),
                url=f"{topic_url(topic)}#reply-{locked.pk}",
                subject_type="forum_topic",
                subject_id=topic.pk,
                data={"topic_id": topic.pk, "reply_id": locked.pk},
            ),
        )
    return topic


@transaction.atomic
def solution_unmark(*, actor: User, reply: Reply) -> Topic:
    """Withdraw the solution (same people as marking). 409 `not_solution` otherwise."""
    authorize_course(actor, reply.topic.forum.course, "content")
    _check_can_mark(actor, reply.topic)
    topic = _lock_topic(reply.topic)
    if topic.solution_id != reply.pk:
        raise Conflict(_("Cette réponse n'est pas la solution."), code="not_solution")
    topic.solution = None
    topic.save(update_fields=["solution", "updated_at"])
    return topic


# --- Votes -----------------------------------------------------------------------------


def _lock_for_vote(actor: User, reply: Reply) -> Reply:
    authorize_course(actor, reply.topic.forum.course, "content")
    locked = _lock_reply(reply)
    if locked.is_deleted:
        raise Conflict(_("Ce message a été supprimé."), code="reply_deleted")
    if locked.is_hidden:
        raise Conflict(_("Ce message est masqué."), code="reply_hidden")
    return locked


def _recount(reply: Reply) -> None:
    reply.upvotes, reply.downvotes = selectors.vote_counts(reply=reply)
    reply.save(update_fields=["upvotes", "downvotes"])


@transaction.atomic
def reaction_set(*, actor: User, reply: Reply, reaction: str) -> int | None:
    """Vote on a reply: the same vote again removes it, the other one switches it. One
    vote per user per reply; not on one's own reply (403 `own_reply`). The reply row is
    locked and its counters recounted from the votes. Returns the actor's vote now
    (1, -1 or None)."""
    if reaction not in REACTIONS:
        raise field_error("type", _("Réaction inconnue (upvote ou downvote)."), "invalid_reaction")
    locked = _lock_for_vote(actor, reply)
    if locked.author_id == actor.pk:
        raise Forbidden(_("Vous ne pouvez pas voter pour votre propre message."), code="own_reply")
    value = int(REACTIONS[reaction])
    vote = Vote.objects.filter(reply=locked, user=actor).first()
    result: int | None = value
    if vote is None:
        Vote.objects.create(reply=locked, user=actor, value=value)
    elif vote.value == value:
        vote.delete()
        result = None
    else:
        vote.value = value
        vote.save(update_fields=["value"])
    _recount(locked)
    reply.upvotes, reply.downvotes = locked.upvotes, locked.downvotes
    return result


@transaction.atomic
def reaction_remove(*, actor: User, reply: Reply) -> None:
    """Take back one's vote (whatever it was). Idempotent."""
    authorize_course(actor, reply.topic.forum.course, "content")
    locked = _lock_reply(reply)
    Vote.objects.filter(reply=locked, user=actor).delete()
    _recount(locked)
    reply.upvotes, reply.downvotes = locked.upvotes, locked.downvotes


# --- Reports ---------------------------------------------------------------------------
#
# A report is a reader's flag on a topic or a reply. The moderators (the course's owner,
# admins) settle every open report of a post with one decision (report_handle): hide the
# post, lock its topic, dismiss, or just close; each report records the decision, who
# took it and when. Hiding or deleting a post from the thread settles its reports too.
# Moderators do not report posts of the forums they moderate (they act on them), and
# nobody reports their own post. Students never learn who reported what.

ReportAction = Literal["hide", "dismiss", "lock", "resolve"]
REPORT_ACTIONS: dict[str, ReportResolution] = {
    "hide": ReportResolution.HIDDEN,
    "dismiss": ReportResolution.DISMISSED,
    "lock": ReportResolution.LOCKED,
    "resolve": ReportResolution.RESOLVED,
}


def report_refusal(*, actor: User, course: Course, author_id: int) -> Forbidden | None:
    """Why `actor` may not report a post of `author_id` in `course` (None: they may).
    The pages ask it before showing the form; report_create raises it."""
    if is_moderator(actor, course):
        return Forbidden(
            _(
                "Vous modérez ce forum : plutôt que de signaler ce message, masquez-le ou "
                "verrouillez le sujet."
            ),
            code="moderator_cannot_report",
        )
    if actor.pk == author_id:
        return Forbidden(_("Vous ne pouvez pas signaler votre propre message."), code="own_post")
    return None


def already_reported(
    *, actor: User, topic: Topic | None = None, reply: Reply | None = None
) -> bool:
    """Whether `actor` already reported this topic (or this reply)."""
    if reply is not None:
        return Report.objects.filter(reporter=actor, reply=reply).exists()
    return Report.objects.filter(reporter=actor, topic=topic).exists()


@transaction.atomic
def report_create(
    *, actor: User, reason: str, topic: Topic | None = None, reply: Reply | None = None
) -> Report:
    """A reader flags a topic or a reply for the moderators, once (409
    `already_reported`). Not one's own post (403 `own_post`), not in a forum one
    moderates (403 `moderator_cannot_report`), not a deleted or hidden reply (409)."""
    target_topic = topic or (reply.topic if reply is not None else None)
    assert target_topic is not None and (topic is None) != (reply is None)
    course = target_topic.forum.course
    authorize_course(actor, course, "content")
    refusal = report_refusal(
        actor=actor,
        course=course,
        author_id=reply.author_id if reply is not None else target_topic.author_id,
    )
    if refusal is not None:
        raise refusal
    cleaned = (reason or "").strip()
    if not cleaned:
        raise field_error("reason", _("Indiquez le motif du signalement."), "reason_required")
    check_max_length("reason", cleaned, REPORT_REASON_MAX)
    # Once per reporter and target: the partial unique constraints hold on PostgreSQL and
    # SQLite; MariaDB has no partial indexes, so the target row is locked and checked too.
    if reply is not None:
        current = Reply.objects.select_for_update().filter(pk=reply.pk).first()
        if current is None or current.is_deleted:
            raise Conflict(_("Ce message a été supprimé."), code="reply_deleted")
        if current.is_hidden:
            raise Conflict(_("Ce message est déjà masqué."), code="reply_hidden")
    else:
        Topic.objects.select_for_update().filter(pk=target_topic.pk).first()
    if already_reported(actor=actor, topic=topic, reply=reply):
        raise Conflict(_("Vous avez déjà signalé ce message."), code="already_reported")
    try:
        with transaction.atomic():
            report = Report.objects.create(topic=topic, reply=reply, reporter=actor, reason=cleaned)
    except IntegrityError as exc:
        raise Conflict(_("Vous avez déjà signalé ce message."), code="already_reported") from exc
    moderation.report_created(actor=actor, course=course, report_id=report.pk, reason=cleaned)
    return report


def _close_reports(
    *,
    actor: User,
    resolution: str,
    topic: Topic | None = None,
    reply: Reply | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Settle every open report of one post (the caller holds its locks), recording
    the decision, who took it and when. Returns the ids of the reports it closed."""
    target = Report.objects.filter(status=ReportStatus.OPEN)
    target = target.filter(reply=reply) if reply is not None else target.filter(topic=topic)
    ids = list(target.select_for_update().values_list("pk", flat=True))
    if ids:
        Report.objects.filter(pk__in=ids).update(
            status=ReportStatus.RESOLVED,
            resolution=resolution,
            resolved_by=actor,
            resolved_at=now or timezone.now(),
        )
    return ids


@dataclass(frozen=True)
class ReportDecision:
    """What report_handle did: the decision and every report it settled."""

    action: str
    resolution: str
    report_ids: list[int]


@transaction.atomic
def report_handle(*, actor: User, report: Report, action: str) -> ReportDecision:
    """One moderator's decision on a reported post (owner, admin of its course), settling
    ALL its open reports at once: `hide` the post (the topic, or the reply), `lock` the
    topic (of the post), `dismiss` the reports, or `resolve` (close them, nothing else).

    The post's topic, the reply, then the open reports are locked (the order every
    forum write takes), so two moderators deciding at once queue: the first settles
    the reports, the second gets 409 `already_resolved` ("déjà traité"). An unknown
    action is a 400 `invalid_action`; hiding a deleted reply a 409 `reply_deleted`."""
    require_moderator(actor, selectors.report_course(report))
    if action not in REPORT_ACTIONS:
        raise field_error(
            "action",
            _("Action inconnue : hide, dismiss, lock ou resolve."),
            "invalid_action",
            headline=True,
        )
    reply = report.reply
    topic = reply.topic if reply is not None else report.topic
    assert topic is not None
    locked_topic = _lock_topic(topic)
    locked_reply = _lock_reply(reply, locked_topic) if reply is not None else None
    post = Report.objects.filter(status=ReportStatus.OPEN)
    post = post.filter(reply=locked_reply) if locked_reply is not None else post.filter(topic=topic)
    open_ids = sorted(post.select_for_update().values_list("pk", flat=True))
    if report.pk not in open_ids:
        raise Conflict(
            _("Ce signalement est déjà traité."),
            code="already_resolved",
        )
    if action == "hide":
        if locked_reply is not None:
            if locked_reply.is_deleted:
                raise Conflict(_("Ce message a été supprimé."), code="reply_deleted")
            reply_moderate(actor=actor, reply=locked_reply, action="hide")
        else:
            topic_moderate(actor=actor, topic=locked_topic, action="hide")
    elif action == "lock":
        topic_moderate(actor=actor, topic=locked_topic, action="lock")
    resolution = REPORT_ACTIONS[action]
    # Hiding settled them already (same decision); the others are settled here.
    _close_reports(
        actor=actor,
        resolution=resolution,
        topic=None if locked_reply is not None else locked_topic,
        reply=locked_reply,
    )
    return ReportDecision(action=action, resolution=resolution, report_ids=open_ids)


def report_resolve(*, actor: User, report: Report) -> ReportDecision:
    """Close a report and the other open reports of its post, nothing else done
    (owner, admin of its course): resolution "resolved". 409 `already_resolved` twice."""
    return report_handle(actor=actor, report=report, action="resolve")
