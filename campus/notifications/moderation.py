"""The notices of what waits for a course's moderators (issue 13): a new topic in its
forum, a report, a review to moderate, a question asked during a live class.

Who: the course's owner (its instructor), never the person who acted (an owner posting
in their own forum is told nothing). Admins are not notified course by course: they see
the platform's counts on their overview and in the navigation.

Each event is one notice in the inbox under its own dedupe key; the email of the forum
and review kinds is a digest per window (digests.py), and a live question never emails
(kinds.py). The services call these inside their own transaction, so a notice exists
exactly when its event does.
"""

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from campus.accounts.models import Role, User
from campus.core.content import excerpt
from campus.courses.models import Course
from campus.notifications.models import Kind
from campus.notifications.services import Notice, notify

EXCERPT = 200


def moderators_of(course: Course, *, actor: User) -> QuerySet[User]:
    """Who is told: the course's owner while they teach (not a demoted account), except
    the actor themself."""
    return (
        User.objects.filter(pk=course.instructor_id)
        .filter(Q(role__in=[Role.INSTRUCTOR, Role.ADMIN]) | Q(is_superuser=True))
        .exclude(pk=actor.pk)
    )


def topic_created(
    *, actor: User, course: Course, topic_id: int, title: str, content: str, url: str
) -> None:
    text = excerpt(content, EXCERPT)
    course_title = course.title
    name = actor.full_name

    def render() -> tuple[str, str]:
        heading = gettext("Nouveau sujet dans « %(course)s » : %(title)s") % {
            "course": course_title,
            "title": title,
        }
        by = gettext("%(name)s : %(text)s") % {"name": name or gettext("Un membre"), "text": text}
        return heading, by

    notify(
        recipients=moderators_of(course, actor=actor),
        notice=Notice(
            kind=Kind.FORUM_TOPIC_NEW,
            dedupe_key=f"forum:topic_new:{topic_id}",
            render=render,
            url=url,
            subject_type="forum_topic",
            subject_id=topic_id,
            data={"topic_id": topic_id, "course": course.pk},
        ),
    )


def report_created(*, actor: User, course: Course, report_id: int, reason: str) -> None:
    """The reporter's name stays out of the notice (the queue shows the reason)."""
    course_title = course.title
    text = excerpt(reason, EXCERPT)

    def render() -> tuple[str, str]:
        return (
            gettext("Message signalé dans « %(course)s »") % {"course": course_title},
            gettext("Motif : %(reason)s") % {"reason": text},
        )

    notify(
        recipients=moderators_of(course, actor=actor),
        notice=Notice(
            kind=Kind.FORUM_REPORT,
            dedupe_key=f"forum:report:{report_id}",
            render=render,
            url=reverse("forum:course_reports", kwargs={"slug": course.slug}),
            subject_type="forum_report",
            subject_id=report_id,
            data={"report_id": report_id, "course": course.pk},
        ),
    )


def rating_pending(
    *, actor: User, course: Course, rating_id: int, stars: int, comment: str, version: str
) -> None:
    """`version` (the review's updated_at) makes an edit back to pending a new notice,
    while the same write retried stays one. No author name: a review may be anonymous."""
    course_title = course.title
    text = excerpt(comment, EXCERPT)

    def render() -> tuple[str, str]:
        body = gettext("%(stars)s/5") % {"stars": stars}
        if text:
            body = f"{body} — {text}"
        return gettext("Avis à modérer sur « %(course)s »") % {"course": course_title}, body

    notify(
        recipients=moderators_of(course, actor=actor),
        notice=Notice(
            kind=Kind.RATING_PENDING,
            dedupe_key=f"rating:pending:{rating_id}:{version}",
            render=render,
            url=reverse("ratings:moderation") + f"?course={course.pk}",
            subject_type="course_rating",
            subject_id=rating_id,
            data={"rating_id": rating_id, "course": course.pk},
        ),
    )


def live_question(
    *, actor: User, course: Course, session_id: int, session_title: str, message_id: int, text: str
) -> None:
    """In-app only (kinds.IN_APP_ONLY): links the class's page, where the Q&A is."""
    question = excerpt(text, EXCERPT)

    def render() -> tuple[str, str]:
        return (
            gettext("Question pendant « %(title)s »") % {"title": session_title},
            question,
        )

    notify(
        recipients=moderators_of(course, actor=actor),
        notice=Notice(
            kind=Kind.LIVE_QUESTION,
            dedupe_key=f"live:question:{message_id}",
            render=render,
            url=reverse(
                "live:session_detail", kwargs={"slug": course.slug, "session_id": session_id}
            ),
            subject_type="live_session",
            subject_id=session_id,
            data={"session_id": session_id, "message_id": message_id, "course": course.pk},
        ),
    )
