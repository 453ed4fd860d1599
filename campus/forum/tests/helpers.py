"""Forum test helpers: build topics and replies through the services (shared by the
forum's test modules; the pages' tests may use them too)."""

from typing import Any

from campus.accounts.models import User
from campus.courses.models import Course
from campus.forum import services
from campus.forum.models import Forum, Reply, Topic


def forum_of(course: Course) -> Forum:
    return Forum.objects.select_related("course", "course__instructor").get(course=course)


def make_topic(author: User, course: Course, title: str = "Une question", **kw: Any) -> Topic:
    kw.setdefault("content", "Comment faire une **boucle** ?")
    return services.topic_create(actor=author, forum=forum_of(course), title=title, **kw)


def make_reply(author: User, topic: Topic, content: str = "Avec `for`.", **kw: Any) -> Reply:
    topic = Topic.objects.select_related("forum__course__instructor", "author").get(pk=topic.pk)
    return services.reply_create(actor=author, topic=topic, content=content, **kw)
