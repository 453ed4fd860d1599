"""Forum endpoints for the bench runner (issue 8), on the `forum` step's data.

The busiest forum (the one with the most topics: 40 % of them, 24,000 at size l) is read
by 50 of its course's active members. `prepare` follows the topic list's cursors
in-process (django.test.Client, as a member) to reach the page ~1,000 deep, and picks
the busiest forum's 500-reply topic. Reading a topic records one view per reader and
topic: the clean-up removes the views the run recorded and restores the counter.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.db.models import Count
from django.test import Client

from bench.data import BIG_TOPIC_REPLIES, bench_courses
from bench.endpoints import Call, CallSource, Context, endpoint
from campus.courses.models import Enrollment
from campus.forum.models import Topic, TopicView

READERS = 50
DEEP_PAGE = 1_000
# Words of the generator's vocabulary (bench.data.FORUM_WORDS), typed as a student
# would: without accents or in capitals; one word, two words, three words.
SEARCHES = (
    "etudiant",
    "correction examen",
    "VACCIN recolte",
    "algorithme serveur budget",
    "Evaluation",
    "mot de passe",
)


def _busiest_forum(ctx: Context) -> tuple[int, list[str]]:
    """(forum id, tokens of READERS active members of its course)."""
    row = (
        Topic.objects.filter(forum__course__in=bench_courses())
        .values("forum_id", "forum__course_id")
        .annotate(n=Count("id"))
        .order_by("-n", "forum_id")
        .first()
    )
    if row is None:
        raise RuntimeError("no forum topics: generate the bench data (forum step)")
    members = list(
        Enrollment.objects.filter(course_id=row["forum__course_id"], is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    readers = sorted(ctx.rng.sample(members, min(READERS, len(members))))
    return row["forum_id"], [ctx.token_for(user_id) for user_id in readers]


def _rotate(ctx: Context, tokens: list[str], path: str) -> CallSource:
    return lambda: Call("GET", path, ctx.rng.choice(tokens))


@endpoint("forum_topics_page1", "GET /api/forums/{id}/topics: page 1 of the busiest forum")
def forum_topics_page1(ctx: Context) -> CallSource:
    forum_id, tokens = _busiest_forum(ctx)
    return _rotate(ctx, tokens, f"/api/forums/{forum_id}/topics")


@endpoint(
    "forum_topics_deep",
    f"GET /api/forums/{{id}}/topics?cursor=…: the page {DEEP_PAGE:,} deep of the busiest "
    "forum, or its last page on smaller data (cursor reached by following `next`)",
)
def forum_topics_deep(ctx: Context) -> CallSource:
    forum_id, tokens = _busiest_forum(ctx)
    client = Client(headers={"Host": "127.0.0.1", "Authorization": f"Bearer {tokens[0]}"})
    path = f"/api/forums/{forum_id}/topics"
    cursor: str | None = None
    for page in range(1, DEEP_PAGE):
        response = client.get(path, {"cursor": cursor} if cursor else {})
        if response.status_code != 200:
            raise RuntimeError(f"{path} page {page}: HTTP {response.status_code}")
        following = response.json()["pagination"]["next"]
        if following is None:  # a small size: the last page will do
            break
        cursor = following
    return _rotate(ctx, tokens, f"{path}?{urlencode({'cursor': cursor})}" if cursor else path)


def _big_topic(ctx: Context) -> tuple[int, list[str]]:
    forum_id, tokens = _busiest_forum(ctx)
    topic = (
        Topic.objects.filter(forum_id=forum_id, reply_count=BIG_TOPIC_REPLIES)
        .order_by("id")
        .values_list("id", "view_count")
        .first()
    )
    if topic is None:
        raise RuntimeError(f"no topic with {BIG_TOPIC_REPLIES} replies in forum {forum_id}")
    topic_id, views = topic
    ctx.cleanups.append(_forget_views(ctx, topic_id, views))
    return topic_id, tokens


def _forget_views(ctx: Context, topic_id: int, views: int) -> Callable[[], None]:
    def clean_up() -> None:
        TopicView.objects.filter(topic_id=topic_id, created_at__gte=ctx.started_at).delete()
        Topic.objects.filter(pk=topic_id).update(view_count=views)

    return clean_up


@endpoint(
    "forum_topic_500",
    f"GET /api/topics/{{id}}: the busiest forum's topic with {BIG_TOPIC_REPLIES} replies "
    "(records one view per reader)",
)
def forum_topic_500(ctx: Context) -> CallSource:
    topic_id, tokens = _big_topic(ctx)
    return _rotate(ctx, tokens, f"/api/topics/{topic_id}")


@endpoint(
    "forum_topic_500_replies",
    f"GET /api/topics/{{id}}/replies?limit=100: that topic's reply tree, first 100 "
    f"top-level replies with their answers (of {BIG_TOPIC_REPLIES})",
)
def forum_topic_500_replies(ctx: Context) -> CallSource:
    topic_id, tokens = _big_topic(ctx)
    return _rotate(ctx, tokens, f"/api/topics/{topic_id}/replies?limit=100")


@endpoint(
    "forum_search",
    "GET /api/forums/{id}/topics?search=…: the busiest forum, words without accents "
    f"(one of {len(SEARCHES)} queries, 1 to 3 words)",
)
def forum_search(ctx: Context) -> CallSource:
    forum_id, tokens = _busiest_forum(ctx)

    def next_call() -> Call:
        query = urlencode({"search": ctx.rng.choice(SEARCHES)})
        return Call("GET", f"/api/forums/{forum_id}/topics?{query}", ctx.rng.choice(tokens))

    return next_call
