"""Forum pages: a course's topic list, a topic with its nested replies, the student's
forum index, and the small pages and htmx fragments around them (reply forms, votes,
edits, reports, moderation buttons).

Thin like campus/courses/views.py: access fetches and authorizes, services write (every
rule: locks, solution, votes, rate limits), selectors read (a constant number of queries
whatever the number of topics or replies), presenters shape rows (posts come out as
HTML rendered and sanitized by campus.core.content), campus.core.views maps domain
errors to pages, form errors, messages and statuses.
"""

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from campus.accounts.models import User
from campus.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from campus.core.pagination import CursorQuery
from campus.core.views import (
    FRAGMENT_HEADER,
    action_call,
    current_user,
    form_call,
    form_status,
    page,
    page_query,
    pager,
    safe_next,
)
from campus.courses import access as course_access
from campus.courses import selectors as course_selectors
from campus.courses.models import Course
from campus.forum import access, presenters, search, selectors, services
from campus.forum.forms import (
    SORT_LABELS,
    ReplyEditForm,
    ReplyForm,
    ReportForm,
    TopicFilterForm,
    TopicForm,
)
from campus.forum.models import Reply, Topic
from campus.forum.selectors import ReplyNode

TOPICS_PAGE_SIZE = 20
REPLIES_PAGE_SIZE = 50  # top-level replies per page, each with its whole subtree
SEARCH_LIMIT = 20


def _same_course(course: Course, slug: str) -> None:
    """Topics and replies are addressed under their course's slug; another slug: 404."""
    if course.slug != slug:
        raise NotFound()


def _cursor_query(request: HttpRequest, limit: int) -> CursorQuery:
    try:
        return CursorQuery(cursor=request.GET.get("cursor") or None, limit=limit)
    except PydanticValidationError as exc:
        raise ValidationFailed(_("Curseur de pagination invalide."), code="invalid_cursor") from exc


def _topic_url(topic: Topic, anchor: str = "") -> str:
    url = reverse("forum:topic", kwargs={"slug": topic.forum.course.slug, "topic_id": topic.pk})
    return f"{url}#{anchor}" if anchor else url


def _get_topic(user: Any, slug: str, topic_id: int, **kw: Any) -> Topic:
    topic = access.get_topic_for(user, topic_id, **kw)
    _same_course(topic.forum.course, slug)
    return topic


def _get_reply(user: Any, slug: str, reply_id: int, **kw: Any) -> Reply:
    reply = access.get_reply_for(user, reply_id, **kw)
    _same_course(reply.topic.forum.course, slug)
    return reply


def _not_yours() -> Forbidden:
    return Forbidden(_("Vous ne pouvez modifier que vos propres messages."), code="not_author")


def _decorate(rows: list[dict[str, Any]], *, viewer: User, can: dict[str, bool]) -> None:
    stack = list(rows)
    while stack:  # iterative: a very deep thread cannot blow the recursion limit
        row = stack.pop()
        row["buttons"] = presenters.reply_permissions(row, viewer=viewer, can=can)
        stack.extend(row["replies"])


# --- The student's forum index ---------------------------------------------------------


@page
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    forums = selectors.forums_for_user(user=user)
    return render(request, "forum/index.html", {"forums": forums})


# --- A course's topics -----------------------------------------------------------------


def _sort_links(request: HttpRequest, sort: str) -> list[tuple[str, Any, str, bool]]:
    links = []
    for key, label in SORT_LABELS.items():
        params = request.GET.copy()
        params.pop("cursor", None)
        params.pop("q", None)
        params["sort"] = key
        links.append((key, label, f"?{params.urlencode()}", key == sort))
    return links


@page
def topics(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    course = course_access.get_course_by_slug_for(user, slug, action="content")
    forum = access.get_course_forum_for(user, course)
    moderator = access.is_moderator(user, course)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        topic = form_call(
            form,
            services.topic_create,
            actor=user,
            forum=forum,
            title=form.cleaned_data["title"],
            content=form.cleaned_data["content"],
        )
        if topic is not None:
            messages.success(request, _("Votre sujet est publié."))
            return redirect(_topic_url(topic))
    filters = TopicFilterForm(request.GET)
    search_text, sort = filters.query()
    next_url = None
    if search_text:
        rows = search.search_topics(forum_id=forum.pk, query=search_text, limit=SEARCH_LIMIT)
    else:
        result = selectors.topics_page(
            forum=forum,
            sort=sort,
            query=_cursor_query(request, TOPICS_PAGE_SIZE),
            include_hidden=moderator,
        )
        rows = result.items
        if result.next:
            params = request.GET.copy()
            params["cursor"] = result.next
            next_url = f"?{params.urlencode()}"
    context = {
        "course": course,
        "forum": forum,
        "topics": [presenters.topic_row(t) for t in rows],
        "filters": filters,
        "search": search_text,
        "sort": sort,
        "sort_links": _sort_links(request, sort),
        "next_url": next_url,
        "is_first_page": not request.GET.get("cursor"),
        "form": form,
        "can_post": moderator or not forum.is_locked,
        "moderator": moderator,
    }
    status = form_status(form) if form.is_bound else 200
    response = render(request, "forum/topics.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(services.POST_WINDOW_SECONDS)
    return response


# --- A topic ---------------------------------------------------------------------------


def _topic_context(
    request: HttpRequest,
    user: User,
    topic_id: int,
    *,
    reply_form: ReplyForm | None = None,
    reply_to: int | None = None,
) -> dict[str, Any]:
    detail = selectors.topic_detail(topic_id=topic_id)
    if detail is None:
        raise access.topic_not_found()
    course = detail.forum.course
    moderator = access.is_moderator(user, course)
    follow = selectors.follow_state(user=user, topic=detail)
    data = presenters.topic_detail(
        detail,
        viewer=user,
        moderator=moderator,
        follow=follow,
        others_replied=selectors.others_replied(topic=detail, user=user),
    )
    can = data["can"]
    tree = selectors.reply_tree(
        topic=detail, viewer=user, query=_cursor_query(request, REPLIES_PAGE_SIZE)
    )
    rows = [
        presenters.reply_row(node, viewer=user, moderator=moderator, solution_id=detail.solution_id)
        for node in tree.roots
    ]
    _decorate(rows, viewer=user, can=can)
    solution = None
    if detail.solution is not None:
        solution = presenters.reply_row(
            ReplyNode(reply=detail.solution),
            viewer=user,
            moderator=moderator,
            solution_id=detail.solution_id,
        )
    next_url = None
    if tree.next:
        params = request.GET.copy()
        params["cursor"] = tree.next
        next_url = f"?{params.urlencode()}#replies"
    return {
        "course": course,
        "topic": detail,
        "data": data,
        "can": can,
        "moderator": moderator,
        "replies": rows,
        "reply_total": tree.total,
        "solution": solution,
        "next_url": next_url,
        "reply_form": reply_form if reply_form is not None else ReplyForm(),
        # The form at the bottom (to the topic): the bound one only when it was posted.
        "root_form": reply_form if reply_form is not None and reply_to is None else ReplyForm(),
        "reply_to": reply_to,
    }


def _reply_target(form: ReplyForm) -> int | None:
    """The parent a (bound) reply form answers, for re-rendering it in the right place
    (a bad parent: the form to the topic, with the error)."""
    if "parent" in form.errors:
        return None
    raw = form.data.get("parent") or ""
    return int(raw) if str(raw).isdigit() else None


@page
def topic(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    """GET: the topic (counts the reader's view, once per reader). POST: a reply (to the
    topic, or to one of its replies with `parent`); the htmx form gets the new reply as
    an out-of-band swap, the plain form a redirect to it."""
    user = current_user(request)
    current = _get_topic(user, slug, topic_id)
    if request.method == "POST":
        form = ReplyForm(request.POST)
        reply = None
        if form.is_valid():
            reply = form_call(
                form,
                services.reply_create,
                field_map={"parent_reply_id": "parent"},
                actor=user,
                topic=current,
                content=form.cleaned_data["content"],
                parent_id=form.cleaned_data["parent"],
            )
        parent = _reply_target(form)
        if request.htmx:  # type: ignore[attr-defined]
            return _reply_posted_fragment(request, user, current, form, reply, parent)
        if reply is not None:
            messages.success(request, _("Votre réponse est publiée."))
            return redirect(_topic_url(current, f"reply-{reply.pk}"))
        context = _topic_context(request, user, current.pk, reply_form=form, reply_to=parent)
        return render(request, "forum/topic.html", context, status=form_status(form))
    services.topic_view(user=user, topic=current)
    reply_to = request.GET.get("reply_to", "")
    context = _topic_context(
        request, user, current.pk, reply_to=int(reply_to) if reply_to.isdigit() else None
    )
    return render(request, "forum/topic.html", context)


def _reply_posted_fragment(
    request: HttpRequest,
    user: User,
    current: Topic,
    form: ReplyForm,
    reply: Reply | None,
    parent: int | None,
) -> HttpResponse:
    course = current.forum.course
    moderator = access.is_moderator(user, course)
    can = presenters.topic_permissions(current, viewer=user, moderator=moderator)
    context: dict[str, Any] = {
        "course": course,
        "topic": current,
        "can": can,
        "parent": parent,
        "reply_form": form,
    }
    if reply is None:
        return render(request, "forum/_reply_form.html", context, status=form_status(form))
    depth = selectors.reply_depth(reply=reply)
    row = presenters.reply_row(
        ReplyNode(reply=reply, depth=depth),
        viewer=user,
        moderator=moderator,
        solution_id=current.solution_id,
    )
    _decorate([row], viewer=user, can=can)
    context.update(row=row, reply_form=ReplyForm(), created=True)
    return render(request, "forum/_reply_created.html", context, status=201)


@page
def reply_form(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    """The "Répondre" form under a reply (htmx); without htmx, the topic page with it."""
    user = current_user(request)
    current = _get_topic(user, slug, topic_id)
    raw = request.GET.get("parent", "")
    parent = int(raw) if raw.isdigit() else None
    if not request.htmx:  # type: ignore[attr-defined]
        suffix = f"?reply_to={parent}#reply-slot-{parent}" if parent else "#reply-form-root"
        return redirect(_topic_url(current) + suffix)
    course = current.forum.course
    moderator = access.is_moderator(user, course)
    can = presenters.topic_permissions(current, viewer=user, moderator=moderator)
    context = {
        "course": course,
        "topic": current,
        "can": can,
        "parent": parent,
        "reply_form": ReplyForm(initial={"parent": parent}),
    }
    return render(request, "forum/_reply_form.html", context)


@require_POST
@page
def topic_moderate(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    user = current_user(request)
    current = _get_topic(user, slug, topic_id, action="moderate")
    action = request.POST.get("action", "")
    done = {
        "pin": _("Sujet épinglé."),
        "unpin": _("Sujet désépinglé."),
        "lock": _("Sujet verrouillé."),
        "unlock": _("Sujet déverrouillé."),
        "hide": _("Sujet masqué."),
        "unhide": _("Sujet de nouveau visible."),
    }
    if action_call(request, services.topic_moderate, actor=user, topic=current, action=action):
        messages.success(request, done.get(action, _("C'est fait.")))
    return redirect(_topic_url(current))


@require_POST
@page
def topic_follow(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    user = current_user(request)
    current = _get_topic(user, slug, topic_id)
    if request.POST.get("follow") == "0":
        if action_call(request, services.topic_unfollow, actor=user, topic=current):
            messages.success(request, _("Vous ne suivez plus ce sujet."))
    elif action_call(request, services.topic_follow, actor=user, topic=current):
        messages.success(request, _("Vous suivez ce sujet : vous serez averti des réponses."))
    return redirect(_topic_url(current))


@page
def topic_edit(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    user = current_user(request)
    current = _get_topic(user, slug, topic_id)
    form = TopicForm(
        request.POST or None, initial={"title": current.title, "content": current.content}
    )
    if request.method == "POST" and form.is_valid():
        updated = form_call(
            form,
            services.topic_update,
            actor=user,
            topic=current,
            title=form.cleaned_data["title"],
            content=form.cleaned_data["content"],
        )
        if updated is not None:
            messages.success(request, _("Sujet modifié."))
            return redirect(_topic_url(current))
    elif request.method != "POST":
        moderator = access.is_moderator(user, current.forum.course)
        if not presenters.topic_permissions(current, viewer=user, moderator=moderator)["edit"]:
            raise _not_yours()
    context = {"course": current.forum.course, "topic": current, "form": form}
    status = form_status(form) if form.is_bound else 200
    return render(request, "forum/topic_edit.html", context, status=status)


@require_POST
@page
def topic_delete(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    user = current_user(request)
    current = _get_topic(user, slug, topic_id)
    if action_call(request, services.topic_delete, actor=user, topic=current):
        messages.success(request, _("Sujet supprimé."))
        return redirect("forum:topics", slug=slug)
    return redirect(_topic_url(current))


def _report_page(
    request: HttpRequest, user: User, *, topic: Topic, reply: Reply | None
) -> HttpResponse:
    """Report a topic or a reply: once per person (a second time, the page says so
    kindly); never one's own post, never in a forum one moderates (403)."""
    course = topic.forum.course
    refusal = services.report_refusal(
        actor=user, course=course, author_id=reply.author_id if reply else topic.author_id
    )
    if refusal is not None:
        raise refusal
    if reply is not None and reply.is_deleted:
        raise Conflict(_("Ce message a été supprimé."), code="reply_deleted")
    if reply is not None and reply.is_hidden:  # its text is the moderators' only
        raise Conflict(_("Ce message est déjà masqué."), code="reply_hidden")
    target: dict[str, Any] = {"reply": reply} if reply is not None else {"topic": topic}
    back = _topic_url(topic, f"reply-{reply.pk}" if reply else "")
    form = ReportForm(request.POST or None)
    already = services.already_reported(actor=user, **target)
    status = 200
    if request.method == "POST" and not already and form.is_valid():
        report = form_call(
            form, services.report_create, actor=user, reason=form.cleaned_data["reason"], **target
        )
        if report is not None:
            messages.success(
                request, _("Merci : les modérateurs du cours vont examiner ce message.")
            )
            return redirect(back)
        already = services.already_reported(actor=user, **target)  # a double click
    if request.method == "POST":
        status = 409 if already else form_status(form)
    context = {
        "course": course,
        "topic": topic,
        "reply": reply,
        "excerpt": reply.content if reply is not None else "",
        "form": form,
        "already": already,
        "back_url": back,
    }
    return render(request, "forum/report.html", context, status=status)


@page
def topic_report(request: HttpRequest, slug: str, topic_id: int) -> HttpResponse:
    user = current_user(request)
    current = _get_topic(user, slug, topic_id)
    return _report_page(request, user, topic=current, reply=None)


# --- Replies ---------------------------------------------------------------------------


@require_POST
@page
def reply_vote(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    """▲/▼: the same vote again removes it, the other switches it (the service). htmx
    gets the reply's vote block back; a plain form, the topic page at the reply."""
    user = current_user(request)
    reply = _get_reply(user, slug, reply_id)
    reaction = request.POST.get("type", "")
    try:
        mine = services.reaction_set(actor=user, reply=reply, reaction=reaction)
    except (ValidationFailed, Conflict) as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(str(exc.message), status=exc.status)
        messages.error(request, str(exc.message))
        return redirect(_topic_url(reply.topic, f"reply-{reply.pk}"))
    if request.htmx:  # type: ignore[attr-defined]
        votes = presenters.vote_result(reply.pk, reply.upvotes, reply.downvotes, mine)
        context = {
            "course": reply.topic.forum.course,
            "rid": reply.pk,
            "up": votes["upvotes"],
            "down": votes["downvotes"],
            "mine": votes["user_reaction"],
            "can_vote": True,
        }
        return render(request, "forum/_votes.html", context)
    return redirect(_topic_url(reply.topic, f"reply-{reply.pk}"))


@require_POST
@page
def reply_solution(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    user = current_user(request)
    reply = _get_reply(user, slug, reply_id)
    if request.POST.get("action") == "unmark":
        if action_call(request, services.solution_unmark, actor=user, reply=reply):
            messages.success(request, _("Ce n'est plus la solution."))
    elif action_call(request, services.solution_mark, actor=user, reply=reply):
        messages.success(request, _("Réponse marquée comme solution."))
    return redirect(_topic_url(reply.topic, f"reply-{reply.pk}"))


@page
def reply_edit(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    user = current_user(request)
    reply = _get_reply(user, slug, reply_id)
    form = ReplyEditForm(request.POST or None, initial={"content": reply.content})
    if request.method == "POST" and form.is_valid():
        updated = form_call(
            form,
            services.reply_update,
            actor=user,
            reply=reply,
            content=form.cleaned_data["content"],
        )
        if updated is not None:
            messages.success(request, _("Réponse modifiée."))
            return redirect(_topic_url(reply.topic, f"reply-{reply.pk}"))
    elif request.method != "POST" and (reply.author_id != user.pk or reply.is_deleted):
        raise _not_yours()  # the form only; a POST goes to the service, which decides
    context = {
        "course": reply.topic.forum.course,
        "topic": reply.topic,
        "reply": reply,
        "form": form,
    }
    status = form_status(form) if form.is_bound else 200
    return render(request, "forum/reply_edit.html", context, status=status)


@require_POST
@page
def reply_delete(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    user = current_user(request)
    reply = _get_reply(user, slug, reply_id)
    if action_call(request, services.reply_delete, actor=user, reply=reply):
        messages.success(request, _("Réponse supprimée."))
    return redirect(_topic_url(reply.topic, f"reply-{reply.pk}"))


@require_POST
@page
def reply_moderate(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    user = current_user(request)
    reply = _get_reply(user, slug, reply_id, action="moderate")
    action = request.POST.get("action", "")
    if action_call(request, services.reply_moderate, actor=user, reply=reply, action=action):
        messages.success(
            request, _("Réponse masquée.") if action == "hide" else _("Réponse de nouveau visible.")
        )
    return redirect(_topic_url(reply.topic, f"reply-{reply.pk}"))


@page
def reply_report(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    user = current_user(request)
    reply = _get_reply(user, slug, reply_id)
    return _report_page(request, user, topic=reply.topic, reply=reply)


# --- Reports: the moderators' queue (issue 13) -------------------------------------------

QUEUE_PAGE_SIZE = 20
DECISION_DONE = {
    "hide": _("Message masqué : les signalements sont traités."),
    "lock": _("Sujet verrouillé : les signalements sont traités."),
    "dismiss": _("Signalement rejeté."),
    "resolve": _("Signalement clos."),
}


def _queue_course(request: HttpRequest, user: User) -> Course | None:
    """?course=<id> on the site-wide queue: a course the user moderates (else 403/404)."""
    raw = request.GET.get("course", "")
    if not raw:
        return None
    if not re.fullmatch(r"[1-9][0-9]{0,17}", raw):
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    return course_access.get_course_for(user, int(raw), action="manage")


def _queue(
    request: HttpRequest, user: User, *, course: Course | None, site_wide: bool
) -> HttpResponse:
    handled = request.GET.get("status") == "resolved"
    result = selectors.report_groups_page(
        user=user,
        course=course,
        status="resolved" if handled else "open",
        query=page_query(request, limit=QUEUE_PAGE_SIZE),
    )
    if site_wide:
        base = reverse("forum:reports_queue")
        params = {"course": str(course.pk)} if course is not None else {}
    else:
        assert course is not None
        base = reverse("forum:course_reports", kwargs={"slug": course.slug})
        params = {}
    open_url = base + (f"?{urlencode(params)}" if params else "")
    resolved_url = base + "?" + urlencode({**params, "status": "resolved"})
    chips: list[dict[str, Any]] = []
    if site_wide:  # the courses with open reports, to filter on (two queries)
        counts = selectors.open_report_counts(user=user)
        courses = course_selectors.courses_by_ids(ids=counts)
        chips = sorted(
            (
                {
                    "course": courses[course_id],
                    "count": n,
                    "url": base + "?" + urlencode({"course": course_id}),
                    "current": course is not None and course.pk == course_id,
                }
                for course_id, n in counts.items()
                if course_id in courses
            ),
            key=lambda chip: (-chip["count"], chip["course"].title),
        )
    context = {
        "course": course,
        "site_wide": site_wide,
        "handled": handled,
        "groups": [presenters.report_group(g) for g in result.items],
        "pager": pager(request, result),
        "open_url": open_url,
        "resolved_url": resolved_url,
        "all_url": reverse("forum:reports_queue"),
        "chips": chips,
        "next_url": resolved_url if handled else open_url,
    }
    return render(request, "forum/reports.html", context)


@page
def reports_queue(request: HttpRequest) -> HttpResponse:
    """/dashboard/moderation/reports: open reports on every course the user moderates
    (instructors: their courses; admins: all), one card per reported post; `?course=`
    narrows to one course, `?status=resolved` shows the recent decisions."""
    user = course_access.require_instructor(request.user)
    return _queue(request, user, course=_queue_course(request, user), site_wide=True)


@page
def course_reports(request: HttpRequest, slug: str) -> HttpResponse:
    """/courses/<slug>/forum/reports: the same queue for one course (owner, admins)."""
    user = current_user(request)
    course = course_access.get_course_by_slug_for(user, slug, action="manage")
    return _queue(request, user, course=course, site_wide=False)


@require_POST
@page
def report_handle(request: HttpRequest, report_id: int) -> HttpResponse:
    """A decision on a reported post (`action`: hide, lock, dismiss, resolve), settling
    all its open reports (the service). htmx gets the card back, now handled (or, when
    someone else was faster, as they left it, with a 409); a plain form goes back to
    the queue with a message."""
    user = current_user(request)
    report = access.get_report_for(user, report_id)
    action = request.POST.get("action", "")
    error = None
    try:
        services.report_handle(actor=user, report=report, action=action)
    except (Conflict, ValidationFailed) as exc:
        error = exc
    if request.htmx:  # type: ignore[attr-defined]
        group = selectors.report_group_of(report_id=report.pk)
        context = {
            "group": presenters.report_group(group),
            "site_wide": request.POST.get("site_wide") == "1",
            "error": error.message if error is not None else None,
            "just_done": error is None,
            "next_url": request.POST.get("next", ""),
        }
        response = render(
            request,
            "forum/_report_card.html",
            context,
            status=error.status if error is not None else 200,
        )
        response[FRAGMENT_HEADER] = "1"
        return response
    if error is not None:
        messages.error(request, str(error.message))
    else:
        messages.success(request, DECISION_DONE[action])
    return redirect(safe_next(request, reverse("forum:reports_queue")))
