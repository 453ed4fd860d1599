"""Every read of the forum. Lists cost a constant number of queries whatever their size
or depth: keyset pages for topics and reports; for the reply tree, a keyset page of
top-level replies, one query for their threads (by `Reply.root`, built in Python), one
for the viewer's votes in them.
"""

from dataclasses import dataclass, field
from typing import Literal

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import Role, User
from campus.core.errors import ValidationFailed
from campus.core.pagination import (
    CursorQuery,
    KeysetPage,
    Page,
    PageQuery,
    decode_cursor,
    encode_cursor,
    keyset_paginate,
)
from campus.courses.models import Course, CourseStatus, Enrollment
from campus.forum.models import (
    CourseFollow,
    Follow,
    Forum,
    Reply,
    Report,
    ReportStatus,
    Topic,
    Vote,
)

TopicSort = Literal["recent", "pinned", "popular", "unanswered", "solved"]
# The sorts the pages offer; the API also accepts "pinned" (below).
TOPIC_SORTS: tuple[str, ...] = ("recent", "popular", "unanswered", "solved")

# Pinned first in every sort; the last key is unique (keyset pagination). "pinned" (the
# MdSC frontend's "Épinglés": pinned first, then the most recent) is therefore "recent".
_TOPIC_ORDER: dict[str, list[str]] = {
    "recent": ["-is_pinned", "-activity_at", "-id"],
    "pinned": ["-is_pinned", "-activity_at", "-id"],
    "popular": ["-is_pinned", "-reply_count", "-id"],
    "unanswered": ["-is_pinned", "-activity_at", "-id"],
    "solved": ["-is_pinned", "-activity_at", "-id"],
}


# --- Bases (one row with what access and presenters need) -----------------------------


def forum_base() -> QuerySet[Forum]:
    return Forum.objects.select_related("course", "course__instructor")


def forum_of_course(*, course: Course) -> Forum | None:
    forum = Forum.objects.filter(course=course).first()
    if forum is not None:
        forum.course = course
    return forum


def topic_base() -> QuerySet[Topic]:
    return Topic.objects.select_related(
        "forum", "forum__course", "forum__course__instructor", "author", "last_reply_by"
    )


def reply_base() -> QuerySet[Reply]:
    return Reply.objects.select_related(
        "topic",
        "topic__forum",
        "topic__forum__course",
        "topic__forum__course__instructor",
        "author",
    )


def report_base() -> QuerySet[Report]:
    return Report.objects.select_related(
        "reporter",
        "resolved_by",
        "topic",
        "topic__author",
        "topic__forum__course__instructor",
        "reply",
        "reply__author",
        "reply__topic__forum__course__instructor",
    )


def report_detail(*, report_id: int) -> Report:
    """A report as it is now, with its post, reporter and decision (after a write)."""
    return report_base().get(pk=report_id)


def report_course(report: Report) -> Course:
    """The course a report (loaded by report_base) belongs to."""
    if report.topic is not None:
        return report.topic.forum.course
    assert report.reply is not None
    return report.reply.topic.forum.course


# --- Forums ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ForumStats:
    topic_count: int
    reply_count: int


def forum_stats(*, forum: Forum, include_hidden: bool = False) -> ForumStats:
    """Topics and replies of a forum, in one aggregate query."""
    topics = Topic.objects.filter(forum=forum)
    if not include_hidden:
        topics = topics.filter(is_hidden=False)
    row = topics.aggregate(topics=Count("id"), replies=Sum("reply_count"))
    return ForumStats(topic_count=row["topics"] or 0, reply_count=row["replies"] or 0)


def forums_for_user(*, user: User) -> list[Forum]:
    """The forums of the courses the user takes (active enrollment) or teaches, each with
    `topic_count` (visible topics) and `last_activity_at`: the student's forum index.
    One query."""
    enrolled = Enrollment.objects.filter(course=OuterRef("course"), user=user, is_active=True)
    visible = Q(topics__is_hidden=False)
    return list(
        Forum.objects.filter(
            (Q(Exists(enrolled)) & Q(course__status=CourseStatus.PUBLISHED))
            | Q(course__instructor=user)
        )
        .select_related("course")
        .annotate(
            topic_count=Count("topics", filter=visible),
            last_activity_at=Max("topics__activity_at", filter=visible),
        )
        .order_by("course__title", "id")
    )


# --- Topics ---------------------------------------------------------------------------


def topics_page(
    *, forum: Forum, sort: str = "recent", query: CursorQuery, include_hidden: bool = False
) -> KeysetPage:
    """One keyset page of a forum's topics, pinned first in every sort:
    recent (last activity; `pinned` says the same), popular (most replies), unanswered
    (no reply yet, recent first), solved (with an accepted solution, recent first).
    Page 1,000 costs what page 1 costs. Hidden topics only for moderators (`include_hidden`)."""
    if sort not in _TOPIC_ORDER:
        raise ValidationFailed(
            _("Tri inconnu. Valeurs possibles : %(v)s.") % {"v": ", ".join(_TOPIC_ORDER)},
            code="invalid_sort",
        )
    topics = Topic.objects.filter(forum=forum).select_related("author", "last_reply_by")
    if not include_hidden:
        topics = topics.filter(is_hidden=False)
    if sort == "unanswered":
        topics = topics.filter(reply_count=0)
    elif sort == "solved":
        topics = topics.filter(solution__isnull=False)
    return keyset_paginate(topics, order=_TOPIC_ORDER[sort], query=query)


def topics_by_ids(*, ids: list[int]) -> list[Topic]:
    """Topics (with authors) in the order of `ids` (search results), one query."""
    rows = Topic.objects.filter(pk__in=ids).select_related("author", "last_reply_by")
    by_id = {t.pk: t for t in rows}
    return [by_id[i] for i in ids if i in by_id]


def topic_detail(*, topic_id: int) -> Topic | None:
    """A topic with its forum, course, author, last replier and solution (with author)."""
    return topic_base().select_related("solution", "solution__author").filter(pk=topic_id).first()


@dataclass(frozen=True)
class FollowState:
    topic: bool
    forum: bool


def follow_state(*, user: User, topic: Topic) -> FollowState:
    """Whether the user follows this topic, and its whole forum."""
    return FollowState(
        topic=Follow.objects.filter(topic=topic, user=user).exists(),
        forum=CourseFollow.objects.filter(forum_id=topic.forum_id, user=user).exists(),
    )


# --- Replies: the tree ----------------------------------------------------------------


@dataclass
class ReplyNode:
    reply: Reply
    depth: int = 0
    my_vote: int | None = None
    children: list["ReplyNode"] = field(default_factory=list)


@dataclass(frozen=True)
class ReplyTree:
    roots: list[ReplyNode]
    limit: int
    next: str | None
    total: int

    def pagination(self) -> dict[str, object]:
        return {"limit": self.limit, "next": self.next}


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(_("Curseur de pagination invalide."), code="invalid_cursor")


# Up to this many replies (the topic's counter), a page of the tree reads the whole tree
# in one query: fewer queries, and fewer rows than the 20 threads of a page would bring.
WHOLE_TREE_MAX_REPLIES = 60


def reply_tree(*, topic: Topic, viewer: User | None, query: CursorQuery | None = None) -> ReplyTree:
    """The topic's replies as a tree, oldest first at every level, in a constant number
    of queries whatever the size or depth, then the viewer's votes in it.

    Without `query`: the whole tree, from one query. With `query`: a keyset page of
    top-level replies (cursor = the last top-level reply of the page), each with its
    whole thread: the page's top-level replies (with the topic's reply count), then the
    replies whose `root` is one of them. Other pages' replies are never read. A small
    topic (most of them) is cheaper read whole, in one query, and paged in memory: the
    same answer."""
    replies = (
        Reply.objects.filter(topic=topic).select_related("author").order_by("created_at", "id")
    )
    if query is None or topic.reply_count <= WHOLE_TREE_MAX_REPLIES:
        rows = list(replies)
        nodes = _reply_nodes(rows, _viewer_votes(viewer, Q(reply__topic=topic), bool(rows)))
        roots = [nodes[r.pk] for r in rows if r.parent_id is None or r.parent_id not in nodes]
        _link(rows, nodes)
        _set_depths(roots)
        if query is not None:
            return _page_in_memory(roots, query, total=len(rows))
        return ReplyTree(roots=roots, limit=len(roots), next=None, total=len(rows))
    top = replies.filter(root__isnull=True)  # the page's rows: the index on (topic, root, ...)
    last_id = None
    if query.cursor:
        [last_id] = decode_cursor(query.cursor, 1)
        if isinstance(last_id, bool) or not isinstance(last_id, int):
            raise _invalid_cursor()
        top = top.filter(_after_top_level(topic, last_id))
    page = list(top.annotate(topic_total=_reply_count(topic))[: query.limit + 1])
    has_more = len(page) > query.limit
    page = page[: query.limit]
    if not page:  # the end, or a cursor that is not a top-level reply of the topic
        if last_id is not None and not _top_level(topic).filter(pk=last_id).exists():
            raise _invalid_cursor()
        return ReplyTree(roots=[], limit=query.limit, next=None, total=replies.count())
    page_ids = [r.pk for r in page]
    threads = list(replies.filter(root_id__in=page_ids))
    in_page = Q(reply_id__in=page_ids) | Q(reply__root_id__in=page_ids)
    nodes = _reply_nodes(page + threads, _viewer_votes(viewer, in_page, True))
    _link(threads, nodes)
    roots = [nodes[pk] for pk in page_ids]
    _set_depths(roots)
    next_cursor = encode_cursor([page[-1].pk]) if has_more else None
    return ReplyTree(roots=roots, limit=query.limit, next=next_cursor, total=page[0].topic_total)


def _page_in_memory(roots: list[ReplyNode], query: CursorQuery, *, total: int) -> ReplyTree:
    """The keyset page of `roots` (a whole small tree) that the database path would give."""
    start = 0
    if query.cursor:
        [last_id] = decode_cursor(query.cursor, 1)
        positions = {node.reply.pk: i for i, node in enumerate(roots)}
        if isinstance(last_id, bool) or last_id not in positions:
            raise _invalid_cursor()
        start = positions[last_id] + 1
    page = roots[start : start + query.limit]
    has_more = start + query.limit < len(roots)
    next_cursor = encode_cursor([page[-1].reply.pk]) if has_more and page else None
    return ReplyTree(roots=page, limit=query.limit, next=next_cursor, total=total)


def _top_level(topic: Topic) -> QuerySet[Reply]:
    return Reply.objects.filter(topic=topic, root__isnull=True)


def _after_top_level(topic: Topic, last_id: int) -> Q:
    """Top-level replies after the cursor's in (created_at, id) order: its time comes
    from a subquery (page N costs what page 1 costs); none when the cursor is not a
    top-level reply of this topic. The first term is an index range."""
    at = Subquery(_top_level(topic).filter(pk=last_id).values("created_at"))
    return Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(pk__gt=last_id))


def _reply_count(topic: Topic) -> Subquery:
    """Every reply of the topic (hidden and deleted ones too), as a scalar subquery."""
    counted = Reply.objects.filter(topic=topic).order_by().values("topic").annotate(n=Count("*"))
    return Subquery(counted.values("n"))


def _viewer_votes(viewer: User | None, replies: Q, any_rows: bool) -> dict[int, int]:
    """The viewer's vote on each reply matching `replies` (a Q on Vote), one query."""
    if viewer is None or not viewer.is_authenticated or not any_rows:
        return {}
    return dict(Vote.objects.filter(replies, user=viewer).values_list("reply_id", "value"))


def _reply_nodes(replies: list[Reply], votes: dict[int, int]) -> dict[int, ReplyNode]:
    return {r.pk: ReplyNode(reply=r, my_vote=votes.get(r.pk)) for r in replies}


def _link(replies: list[Reply], nodes: dict[int, ReplyNode]) -> None:
    """Each reply under its parent, in the order of `replies` (oldest first)."""
    for reply in replies:
        parent = nodes.get(reply.parent_id) if reply.parent_id else None
        if parent is not None:
            parent.children.append(nodes[reply.pk])


def reply_depth(*, reply: Reply) -> int:
    """How deep `reply` sits in its thread (0: top-level): one query over its thread's
    (id, parent) pairs, none for a top-level reply."""
    if reply.parent_id is None:
        return 0
    root = reply.root_id or reply.parent_id
    thread = Reply.objects.filter(Q(pk=root) | Q(root_id=root))
    parent_of: dict[int, int | None] = dict(thread.values_list("id", "parent_id"))
    depth = 0
    current: int | None = reply.parent_id
    while current is not None and current in parent_of and depth < len(parent_of):
        depth += 1
        current = parent_of[current]
    return depth


def _set_depths(roots: list[ReplyNode]) -> None:
    stack = [(node, 0) for node in roots]
    while stack:  # iterative: a very deep thread cannot blow Python's recursion limit
        node, depth = stack.pop()
        node.depth = depth
        stack.extend((child, depth + 1) for child in node.children)


def others_replied(*, topic: Topic, user: User) -> bool | None:
    """Whether someone other than `user` answered `topic` (which stops its author
    deleting it); None, without a query, when `user` is not its author."""
    if topic.author_id != user.pk:
        return None
    return Reply.objects.filter(topic=topic).exclude(author=user).exists()


def visible_reply_stats(*, topic: Topic) -> tuple[int, Reply | None]:
    """(count, latest) of the topic's visible replies (neither deleted nor hidden): what
    the topic's counters hold. Two indexed queries."""
    visible = Reply.objects.filter(topic=topic, is_deleted=False, is_hidden=False)
    latest = visible.order_by("-created_at", "-id").only("id", "created_at", "author").first()
    return visible.count(), latest


def vote_counts(*, reply: Reply) -> tuple[int, int]:
    """(upvotes, downvotes) counted from the vote rows, one query."""
    row = Vote.objects.filter(reply=reply).aggregate(
        up=Count("id", filter=Q(value=1)), down=Count("id", filter=Q(value=-1))
    )
    return row["up"], row["down"]


# --- Notifications' recipients -----------------------------------------------------------


def readers_of(course: Course) -> QuerySet[User]:
    """Who may read the course's forum now: active members, the owner, admins."""
    return User.objects.filter(
        Q(enrollments__course=course, enrollments__is_active=True)
        | Q(pk=course.instructor_id)
        | Q(role=Role.ADMIN)
        | Q(is_superuser=True)
    ).distinct()


def topic_followers(*, topic: Topic) -> QuerySet[User]:
    """Followers of the topic, and of its whole forum, who may still read it."""
    course = topic.forum.course
    following = Follow.objects.filter(topic=topic, user=OuterRef("pk"))
    following_forum = CourseFollow.objects.filter(forum_id=topic.forum_id, user=OuterRef("pk"))
    return readers_of(course).filter(Q(Exists(following)) | Q(Exists(following_forum)))


# --- Reports --------------------------------------------------------------------------

ReportFilter = Literal["open", "resolved", "all"]


def reports_page(*, course: Course, status: str = "open", query: CursorQuery) -> KeysetPage:
    """Reports on the course's topics and replies, newest first, keyset pages."""
    reports = report_base().filter(
        Q(topic__forum__course=course) | Q(reply__topic__forum__course=course)
    )
    if status != "all":
        reports = reports.filter(status=status)
    return keyset_paginate(reports, order=["-id"], query=query)


# The moderators' queue (pages): reports grouped per post (open ones) or per decision
# (handled ones: the reports a decision settled share its post, who and when).

REPORTS_SHOWN = 5  # reasons shown per group (the newest); the count says how many in all
_OPEN_GROUP = ("topic_id", "reply_id")
_DECISION_GROUP = ("topic_id", "reply_id", "resolution", "resolved_by_id", "resolved_at")


@dataclass
class ReportGroup:
    """Reports of one post (open), or of one decision on it (handled): `reports` are
    the newest REPORTS_SHOWN of the `count`, each loaded by report_base (the post, its
    topic, course and authors come with them)."""

    count: int
    first_at: object
    reports: list[Report] = field(default_factory=list)

    @property
    def latest(self) -> Report:
        return self.reports[0]


def moderated_reports(*, user: User, course: Course | None = None) -> QuerySet[Report]:
    """The reports `user` moderates: one course's (the caller checked the user may), or
    those of every course they teach (admins: every course)."""
    if course is not None:
        return Report.objects.filter(
            Q(topic__forum__course=course) | Q(reply__topic__forum__course=course)
        )
    return Report.objects.filter(
        _taught_by(user, "topic__forum__course") | _taught_by(user, "reply__topic__forum__course")
    )


def report_groups_page(
    *, user: User, course: Course | None = None, status: str = "open", query: PageQuery
) -> Page:
    """One page of the moderators' queue, in three queries whatever its size: the
    number of groups, the page's groups, their newest reports with everything shown.

    open: one group per reported post, the most reported first, then the longest
    waiting. resolved: one group per decision, the most recent first."""
    handled = status == "resolved"
    keys = _DECISION_GROUP if handled else _OPEN_GROUP
    scope = moderated_reports(user=user, course=course).filter(
        status=ReportStatus.RESOLVED if handled else ReportStatus.OPEN
    )
    groups = (
        scope.order_by()
        .values(*keys)
        .annotate(n=Count("id"), first_id=Min("id"), last_id=Max("id"), first_at=Min("created_at"))
        .order_by(*(["-resolved_at", "-last_id"] if handled else ["-n", "first_id"]))
    )
    total = groups.count()
    offset = (query.page - 1) * query.limit
    rows = list(groups[offset : offset + query.limit]) if offset < total else []
    if not rows:
        return Page(items=[], page=query.page, limit=query.limit, total=total)
    topic_ids = {row["topic_id"] for row in rows if row["topic_id"]}
    reply_ids = {row["reply_id"] for row in rows if row["reply_id"]}
    newest = (
        report_base()
        .select_related("reply__parent__author")
        .filter(pk__in=scope.filter(Q(topic_id__in=topic_ids) | Q(reply_id__in=reply_ids)))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F(k) for k in keys], order_by=F("id").desc())
        )
        .filter(rank__lte=REPORTS_SHOWN)
        .order_by("-id")
    )
    by_key: dict[tuple, ReportGroup] = {
        tuple(row[k] for k in keys): ReportGroup(count=row["n"], first_at=row["first_at"])
        for row in rows
    }
    for report in newest:
        group = by_key.get(tuple(getattr(report, k) for k in keys))
        if group is not None:
            group.reports.append(report)
    return Page(
        items=[g for g in by_key.values() if g.reports],
        page=query.page,
        limit=query.limit,
        total=total,
    )


def report_group_of(*, report_id: int) -> ReportGroup:
    """The group of one report (after a decision on it, for its card): its post's open
    reports, or the reports settled by the same decision. Three queries."""
    report = report_base().get(pk=report_id)
    keys = _OPEN_GROUP if report.status == ReportStatus.OPEN else _DECISION_GROUP
    siblings = (
        report_base()
        .select_related("reply__parent__author")
        .filter(status=report.status, **{k: getattr(report, k) for k in keys})
        .order_by("-id")
    )
    reports = list(siblings[:REPORTS_SHOWN])
    totals = siblings.aggregate(n=Count("id"), first=Min("created_at"))
    return ReportGroup(count=totals["n"], first_at=totals["first"], reports=reports)


def open_report_counts(*, user: User) -> dict[int, int]:
    """Open reports per course id, over the courses `user` moderates (admins: every
    course): one grouped query."""
    return dict(
        open_reports()
        .filter(
            _taught_by(user, "topic__forum__course")
            | _taught_by(user, "reply__topic__forum__course")
        )
        .annotate(course_id=_report_course_id())
        .order_by()
        .values_list("course_id")
        .annotate(n=Count("*"))
    )


def open_report_count(*, course: Course) -> int:
    return Report.objects.filter(
        Q(topic__forum__course=course) | Q(reply__topic__forum__course=course),
        status=ReportStatus.OPEN,
    ).count()


# --- What waits for the teaching team (dashboards; issue 13's nav badges) ---------------


def _taught_by(user: User, course_path: str) -> Q:
    """Rows of the courses `user` teaches; every course for admins."""
    if user.is_admin:
        return Q()
    return Q(**{f"{course_path}__instructor": user})


def unanswered_q() -> Q:
    """A question waiting for an answer: a visible, open topic with no reply yet, not
    written by the course's own instructor (an announcement is not a question)."""
    return Q(is_hidden=False, is_locked=False, reply_count=0) & ~Q(
        author_id=F("forum__course__instructor_id")
    )


def unanswered_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(unanswered_q())


def open_reports() -> QuerySet[Report]:
    """Reports nobody has handled yet, on topics or replies."""
    return Report.objects.filter(status=ReportStatus.OPEN)


def unanswered_for(*, user: User) -> QuerySet[Topic]:
    """Questions waiting for an answer in the courses `user` teaches (admins: all)."""
    return unanswered_topics().filter(_taught_by(user, "forum__course"))


def open_reports_for(*, user: User) -> QuerySet[Report]:
    """Open reports of the courses `user` teaches (admins: all)."""
    return open_reports().filter(
        _taught_by(user, "topic__forum__course") | _taught_by(user, "reply__topic__forum__course")
    )


def _report_course_id() -> Coalesce:
    return Coalesce("topic__forum__course_id", "reply__topic__forum__course_id")


@dataclass(frozen=True)
class ForumPending:
    """Per course id: questions without an answer, open reports."""

    unanswered: dict[int, int]
    reports: dict[int, int]

    @property
    def unanswered_total(self) -> int:
        return sum(self.unanswered.values())

    @property
    def reports_total(self) -> int:
        return sum(self.reports.values())


def pending_counts_for_instructor(*, user: User) -> ForumPending:
    """What waits for `user` in the forums of the courses they teach (admins: every
    course), counted per course: two grouped queries, whatever the number of courses."""
    unanswered = dict(
        unanswered_topics()
        .filter(_taught_by(user, "forum__course"))
        .order_by()
        .values_list("forum__course_id")
        .annotate(n=Count("*"))
    )
    return ForumPending(unanswered=unanswered, reports=open_report_counts(user=user))


@dataclass(frozen=True)
class CourseForumFigures:
    topics: int
    unanswered: int
    open_reports: int


def course_forum_figures(*, course: Course) -> CourseForumFigures:
    """A course's forum at a glance (the course hub): two aggregate queries."""
    topics = Topic.objects.filter(forum__course=course).aggregate(
        total=Count("id", filter=Q(is_hidden=False)),
        unanswered=Count("id", filter=unanswered_q()),
    )
    return CourseForumFigures(
        topics=topics["total"],
        unanswered=topics["unanswered"],
        open_reports=open_report_count(course=course),
    )


def open_reports_of_course(*, course: Course, limit: int) -> list[Report]:
    """The newest open report of each reported post of a course, with its post, newest
    first (the course hub's list; the queue has them all). One query."""
    return list(
        report_base()
        .filter(Q(topic__forum__course=course) | Q(reply__topic__forum__course=course))
        .filter(status=ReportStatus.OPEN)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F(k) for k in _OPEN_GROUP], order_by=F("id").desc()
            )
        )
        .filter(rank=1)
        .order_by("-id")[:limit]
    )
