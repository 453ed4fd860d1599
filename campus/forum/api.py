"""Forum API (seed 004 §4.2.2 plus moderation, follows, reports). Parse -> access/service/
selector -> presenter. No rules here: they live in services and access."""

from ninja import Query, Router, Status

from campus.accounts.auth import AuthedRequest
from campus.core.envelope import CursorEnvelope, Envelope, created, ok
from campus.core.pagination import CursorQuery
from campus.courses.access import get_course_for
from campus.forum import access, presenters, search, selectors, services
from campus.forum.models import Reply, Topic
from campus.forum.schemas import (
    DoneOut,
    FollowOut,
    ForumIn,
    ForumOut,
    ReactionIn,
    ReplyIn,
    ReplyOut,
    ReplyUpdateIn,
    ReportDecisionOut,
    ReportHandleIn,
    ReportIn,
    ReportListQuery,
    ReportOut,
    TopicDetailOut,
    TopicIn,
    TopicListQuery,
    TopicOut,
    TopicUpdateIn,
    VoteOut,
)
from campus.forum.selectors import ReplyNode

router = Router(tags=["forum"])


def _topic_out(request: AuthedRequest, topic_id: int) -> dict:
    topic = selectors.topic_detail(topic_id=topic_id)
    if topic is None:
        raise access.topic_not_found()
    user = request.auth
    moderator = access.is_moderator(user, topic.forum.course)
    follow = selectors.follow_state(user=user, topic=topic)
    return presenters.topic_detail(
        topic,
        viewer=user,
        moderator=moderator,
        follow=follow,
        others_replied=selectors.others_replied(topic=topic, user=user),
    )


def _reply_out(request: AuthedRequest, reply: Reply, topic: Topic) -> dict:
    moderator = access.is_moderator(request.auth, topic.forum.course)
    return presenters.reply_row(
        ReplyNode(reply=reply),
        viewer=request.auth,
        moderator=moderator,
        solution_id=topic.solution_id,
    )


# --- Forum ---------------------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/forum",
    response=Envelope(ForumOut),
    summary="The course's forum (members, owner, admin)",
)
def forum_detail(request: AuthedRequest, course_id: int) -> dict:
    course = get_course_for(request.auth, course_id, action="content")
    forum = access.get_course_forum_for(request.auth, course)
    stats = selectors.forum_stats(
        forum=forum, include_hidden=access.is_moderator(request.auth, course)
    )
    return ok(presenters.forum_row(forum, stats))


@router.post(
    "/courses/{course_id}/forum",
    response={201: Envelope(ForumOut)},
    summary="Create the course's forum (owner, admin; 409 forum_exists: it comes with the course)",
)
def forum_create(request: AuthedRequest, course_id: int, payload: ForumIn) -> Status:
    course = get_course_for(request.auth, course_id, action="manage")
    forum = services.forum_create(actor=request.auth, course=course, **payload.dict())
    return created(presenters.forum_row(forum, selectors.forum_stats(forum=forum)))


@router.post(
    "/forums/{forum_id}/follow",
    response=Envelope(FollowOut),
    summary="Follow every topic of this forum (notices of all its activity)",
)
def forum_follow(request: AuthedRequest, forum_id: int) -> dict:
    forum = access.get_forum_for(request.auth, forum_id)
    services.forum_follow(actor=request.auth, forum=forum)
    return ok({"id": forum.pk, "following": True})


@router.post(
    "/forums/{forum_id}/unfollow", response=Envelope(FollowOut), summary="Stop following the forum"
)
def forum_unfollow(request: AuthedRequest, forum_id: int) -> dict:
    forum = access.get_forum_for(request.auth, forum_id)
    services.forum_unfollow(actor=request.auth, forum=forum)
    return ok({"id": forum.pk, "following": False})


# --- Topics --------------------------------------------------------------------------------


@router.get(
    "/forums/{forum_id}/topics",
    response=CursorEnvelope(TopicOut),
    summary="Topics, pinned first; sort=recent|popular|unanswered|solved; keyset pages "
    "(`cursor`); `search` ranks matches instead (one page)",
)
def topic_list(request: AuthedRequest, forum_id: int, query: Query[TopicListQuery]) -> dict:
    forum = access.get_forum_for(request.auth, forum_id)
    moderator = access.is_moderator(request.auth, forum.course)
    if query.search and query.search.strip():
        ids = search.search_topic_ids(forum_id=forum.pk, query=query.search, limit=query.limit)
        topics = selectors.topics_by_ids(ids=ids)
        return ok(
            [presenters.topic_row(t) for t in topics],
            pagination={"limit": query.limit, "next": None},
        )
    page = selectors.topics_page(
        forum=forum, sort=query.sort, query=query, include_hidden=moderator
    )
    return ok([presenters.topic_row(t) for t in page.items], pagination=page.pagination())


@router.post(
    "/forums/{forum_id}/topics",
    response={201: Envelope(TopicDetailOut)},
    summary="Start a topic (members, owner, admin; rate-limited)",
)
def topic_create(request: AuthedRequest, forum_id: int, payload: TopicIn) -> Status:
    forum = access.get_forum_for(request.auth, forum_id)
    topic = services.topic_create(actor=request.auth, forum=forum, **payload.dict())
    return created(_topic_out(request, topic.pk))


@router.get(
    "/topics/{topic_id}",
    response=Envelope(TopicDetailOut),
    summary="A topic (counts the reader's view, once per reader)",
)
def topic_detail(request: AuthedRequest, topic_id: int) -> dict:
    topic = access.get_topic_for(request.auth, topic_id)
    services.topic_view(user=request.auth, topic=topic)
    return ok(_topic_out(request, topic.pk))


@router.put("/topics/{topic_id}", response=Envelope(TopicDetailOut), summary="Edit one's own topic")
def topic_update(request: AuthedRequest, topic_id: int, payload: TopicUpdateIn) -> dict:
    topic = access.get_topic_for(request.auth, topic_id)
    services.topic_update(actor=request.auth, topic=topic, **payload.dict(exclude_unset=True))
    return ok(_topic_out(request, topic.pk))


@router.delete(
    "/topics/{topic_id}",
    response=Envelope(DoneOut),
    summary="Delete a topic: moderators any; its author while nobody else answered",
)
def topic_delete(request: AuthedRequest, topic_id: int) -> dict:
    topic = access.get_topic_for(request.auth, topic_id)
    services.topic_delete(actor=request.auth, topic=topic)
    return ok({"id": topic_id, "done": True})


def _moderate_topic(request: AuthedRequest, topic_id: int, action: str) -> dict:
    topic = access.get_topic_for(request.auth, topic_id, action="moderate")
    services.topic_moderate(actor=request.auth, topic=topic, action=action)
    return ok(_topic_out(request, topic.pk))


_MODERATION_SUMMARY = "(owner, admin; repeating is a no-op)"


@router.post(
    "/topics/{topic_id}/pin",
    response=Envelope(TopicDetailOut),
    summary=f"Pin {_MODERATION_SUMMARY}",
)
def topic_pin(request: AuthedRequest, topic_id: int) -> dict:
    return _moderate_topic(request, topic_id, "pin")


@router.post("/topics/{topic_id}/unpin", response=Envelope(TopicDetailOut), summary="Unpin")
def topic_unpin(request: AuthedRequest, topic_id: int) -> dict:
    return _moderate_topic(request, topic_id, "unpin")


@router.post(
    "/topics/{topic_id}/lock",
    response=Envelope(TopicDetailOut),
    summary=f"Lock: only moderators post {_MODERATION_SUMMARY}",
)
def topic_lock(request: AuthedRequest, topic_id: int) -> dict:
    return _moderate_topic(request, topic_id, "lock")


@router.post("/topics/{topic_id}/unlock", response=Envelope(TopicDetailOut), summary="Unlock")
def topic_unlock(request: AuthedRequest, topic_id: int) -> dict:
    return _moderate_topic(request, topic_id, "unlock")


@router.post(
    "/topics/{topic_id}/hide",
    response=Envelope(TopicDetailOut),
    summary=f"Hide from everyone but moderators {_MODERATION_SUMMARY}",
)
def topic_hide(request: AuthedRequest, topic_id: int) -> dict:
    return _moderate_topic(request, topic_id, "hide")


@router.post("/topics/{topic_id}/unhide", response=Envelope(TopicDetailOut), summary="Unhide")
def topic_unhide(request: AuthedRequest, topic_id: int) -> dict:
    return _moderate_topic(request, topic_id, "unhide")


@router.post("/topics/{topic_id}/follow", response=Envelope(FollowOut), summary="Follow a topic")
def topic_follow(request: AuthedRequest, topic_id: int) -> dict:
    topic = access.get_topic_for(request.auth, topic_id)
    services.topic_follow(actor=request.auth, topic=topic)
    return ok({"id": topic.pk, "following": True})


@router.post(
    "/topics/{topic_id}/unfollow", response=Envelope(FollowOut), summary="Stop following a topic"
)
def topic_unfollow(request: AuthedRequest, topic_id: int) -> dict:
    topic = access.get_topic_for(request.auth, topic_id)
    services.topic_unfollow(actor=request.auth, topic=topic)
    return ok({"id": topic.pk, "following": False})


@router.post(
    "/topics/{topic_id}/report",
    response={201: Envelope(DoneOut)},
    summary="Report a topic to the moderators (once)",
)
def topic_report(request: AuthedRequest, topic_id: int, payload: ReportIn) -> Status:
    topic = access.get_topic_for(request.auth, topic_id)
    report = services.report_create(actor=request.auth, topic=topic, reason=payload.reason)
    return created({"id": report.pk, "done": True})


# --- Replies -------------------------------------------------------------------------------


@router.get(
    "/topics/{topic_id}/replies",
    response=CursorEnvelope(ReplyOut),
    summary="The reply tree: keyset pages of top-level replies (oldest first), each with "
    "its whole subtree in `replies`; constant queries whatever the depth",
)
def reply_list(request: AuthedRequest, topic_id: int, query: Query[CursorQuery]) -> dict:
    topic = access.get_topic_for(request.auth, topic_id)
    moderator = access.is_moderator(request.auth, topic.forum.course)
    tree = selectors.reply_tree(topic=topic, viewer=request.auth, query=query)
    rows = [
        presenters.reply_row(
            node, viewer=request.auth, moderator=moderator, solution_id=topic.solution_id
        )
        for node in tree.roots
    ]
    return ok(rows, pagination=tree.pagination())


@router.post(
    "/topics/{topic_id}/replies",
    response={201: Envelope(ReplyOut)},
    summary="Answer the topic, or a reply of it (`parent_reply_id`); rate-limited",
)
def reply_create(request: AuthedRequest, topic_id: int, payload: ReplyIn) -> Status:
    topic = access.get_topic_for(request.auth, topic_id)
    reply = services.reply_create(
        actor=request.auth,
        topic=topic,
        content=payload.content,
        parent_id=payload.parent_reply_id,
    )
    return created(_reply_out(request, reply, topic))


@router.put("/replies/{reply_id}", response=Envelope(ReplyOut), summary="Edit one's own reply")
def reply_update(request: AuthedRequest, reply_id: int, payload: ReplyUpdateIn) -> dict:
    reply = access.get_reply_for(request.auth, reply_id)
    updated = services.reply_update(actor=request.auth, reply=reply, content=payload.content)
    return ok(_reply_out(request, updated, reply.topic))


@router.delete(
    "/replies/{reply_id}",
    response=Envelope(ReplyOut),
    summary="Delete a reply (its author, a moderator): it stays as « message supprimé »",
)
def reply_delete(request: AuthedRequest, reply_id: int) -> dict:
    reply = access.get_reply_for(request.auth, reply_id)
    deleted = services.reply_delete(actor=request.auth, reply=reply)
    return ok(_reply_out(request, deleted, reply.topic))


def _moderate_reply(request: AuthedRequest, reply_id: int, action: str) -> dict:
    reply = access.get_reply_for(request.auth, reply_id, action="moderate")
    changed = services.reply_moderate(actor=request.auth, reply=reply, action=action)
    return ok(_reply_out(request, changed, reply.topic))


@router.post(
    "/replies/{reply_id}/hide", response=Envelope(ReplyOut), summary="Hide a reply (owner, admin)"
)
def reply_hide(request: AuthedRequest, reply_id: int) -> dict:
    return _moderate_reply(request, reply_id, "hide")


@router.post("/replies/{reply_id}/unhide", response=Envelope(ReplyOut), summary="Unhide a reply")
def reply_unhide(request: AuthedRequest, reply_id: int) -> dict:
    return _moderate_reply(request, reply_id, "unhide")


@router.post(
    "/replies/{reply_id}/mark-solution",
    response=Envelope(TopicOut),
    summary="Accept as the topic's solution (the topic's author, owner, admin; replaces any)",
)
def solution_mark(request: AuthedRequest, reply_id: int) -> dict:
    reply = access.get_reply_for(request.auth, reply_id)
    services.solution_mark(actor=request.auth, reply=reply)
    return ok(_topic_row(reply.topic_id))


@router.delete(
    "/replies/{reply_id}/mark-solution",
    response=Envelope(TopicOut),
    summary="Withdraw the solution (same people)",
)
def solution_unmark(request: AuthedRequest, reply_id: int) -> dict:
    reply = access.get_reply_for(request.auth, reply_id)
    services.solution_unmark(actor=request.auth, reply=reply)
    return ok(_topic_row(reply.topic_id))


def _topic_row(topic_id: int) -> dict:
    topic = selectors.topic_detail(topic_id=topic_id)
    assert topic is not None
    return presenters.topic_row(topic)


@router.post(
    "/replies/{reply_id}/reactions",
    response=Envelope(VoteOut),
    summary="Vote {type: upvote|downvote}: the same again removes it, the other switches",
)
def reaction_set(request: AuthedRequest, reply_id: int, payload: ReactionIn) -> dict:
    reply = access.get_reply_for(request.auth, reply_id)
    mine = services.reaction_set(actor=request.auth, reply=reply, reaction=payload.type)
    return ok(presenters.vote_result(reply.pk, reply.upvotes, reply.downvotes, mine))


@router.delete(
    "/replies/{reply_id}/reactions", response=Envelope(VoteOut), summary="Take back one's vote"
)
def reaction_remove(request: AuthedRequest, reply_id: int) -> dict:
    reply = access.get_reply_for(request.auth, reply_id)
    services.reaction_remove(actor=request.auth, reply=reply)
    return ok(presenters.vote_result(reply.pk, reply.upvotes, reply.downvotes, None))


@router.post(
    "/replies/{reply_id}/report",
    response={201: Envelope(DoneOut)},
    summary="Report a reply to the moderators (once)",
)
def reply_report(request: AuthedRequest, reply_id: int, payload: ReportIn) -> Status:
    reply = access.get_reply_for(request.auth, reply_id)
    report = services.report_create(actor=request.auth, reply=reply, reason=payload.reason)
    return created({"id": report.pk, "done": True})


# --- Reports (moderators) ------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/forum/reports",
    response=CursorEnvelope(ReportOut),
    summary="Reports on the course's forum, newest first; status=open|resolved|all",
)
def report_list(request: AuthedRequest, course_id: int, query: Query[ReportListQuery]) -> dict:
    course = get_course_for(request.auth, course_id, action="manage")
    page = selectors.reports_page(course=course, status=query.status, query=query)
    return ok([presenters.report_row(r) for r in page.items], pagination=page.pagination())


@router.post(
    "/forum/reports/{report_id}/resolve",
    response=Envelope(ReportOut),
    summary="Close a report and the other open reports of its post, nothing else done "
    "(owner, admin; resolution `resolved`; 409 already_resolved)",
)
def report_resolve(request: AuthedRequest, report_id: int) -> dict:
    report = access.get_report_for(request.auth, report_id)
    services.report_resolve(actor=request.auth, report=report)
    return ok(presenters.report_row(selectors.report_detail(report_id=report.pk)))


@router.post(
    "/forum/reports/{report_id}/handle",
    response=Envelope(ReportDecisionOut),
    summary="Decide on a reported post, settling all its open reports (owner, admin): "
    "action hide (the post), lock (its topic), dismiss or resolve; who and when are "
    "recorded; 409 already_resolved when someone decided first",
)
def report_handle(request: AuthedRequest, report_id: int, payload: ReportHandleIn) -> dict:
    report = access.get_report_for(request.auth, report_id)
    decision = services.report_handle(actor=request.auth, report=report, action=payload.action)
    row = presenters.report_row(selectors.report_detail(report_id=report.pk))
    return ok({**row, "action": decision.action, "report_ids": decision.report_ids})
