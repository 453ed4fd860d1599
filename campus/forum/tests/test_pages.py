"""The forum's HTML pages through the Django test client: the course's topic list, a
topic with nested replies, the student's forum index, and the forms and buttons around
them. Happy paths, each bad input inline (400, values kept), each forbidden actor, the
rules as pages show them (lock, solution, votes, views) and constant query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.forum import services
from campus.forum.models import CONTENT_MAX, TITLE_MAX, Follow, Reply, Report, Topic, Vote
from campus.forum.tests.helpers import forum_of, make_reply, make_topic
from conftest import build_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def unlimited(monkeypatch: Any) -> None:
    """Posting limits are tested on their own (test_new_topic_rate_limited_429)."""
    monkeypatch.setattr(services, "POST_LIMIT", 10_000)


@pytest.fixture
def student2(user_factory: Callable[..., User], course: Course) -> User:
    user = user_factory(Role.STUDENT, first_name="Aminata", last_name="Diallo")
    course_services.enrollment_create(actor=user, course=course)
    return user


@pytest.fixture
def topic(member: User, course: Course) -> Topic:
    return make_topic(member, course, title="Boucles en Python")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def topics_url(course: Course) -> str:
    return reverse("forum:topics", kwargs={"slug": course.slug})


def topic_url(topic: Topic, course: Course | None = None) -> str:
    slug = (course or topic.forum.course).slug
    return reverse("forum:topic", kwargs={"slug": slug, "topic_id": topic.pk})


def reply_url(name: str, reply: Reply, course: Course) -> str:
    return reverse(f"forum:{name}", kwargs={"slug": course.slug, "reply_id": reply.pk})


def topic_action_url(name: str, topic: Topic, course: Course) -> str:
    return reverse(f"forum:{name}", kwargs={"slug": course.slug, "topic_id": topic.pk})


def count_queries(call: Callable[[], Any]) -> tuple[int, Any]:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


HTMX = {"HX-Request": "true"}


# --- The student's forum index -----------------------------------------------------------


def test_index_lists_the_forums_of_my_courses(member: User, course: Course, owner: User) -> None:
    other = build_course(owner, title="Algèbre", modules=0, with_final=False)
    make_topic(member, course)
    response = client_for(member).get(reverse("forum:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert course.title in body
    assert topics_url(course) in body
    assert other.title not in body  # not enrolled there
    assert "<strong>1</strong> sujet" in body


def test_index_shows_taught_courses_to_the_instructor(owner: User, course: Course) -> None:
    response = client_for(owner).get(reverse("forum:index"))
    assert response.status_code == 200
    assert course.title in response.content.decode()
    assert "Vous enseignez" in response.content.decode()


def test_index_anonymous_goes_to_login(db: Any) -> None:
    response = Client().get(reverse("forum:index"))
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_index_query_count_does_not_grow(
    user_factory: Callable[..., User], owner: User, member: User, course: Course
) -> None:
    client = client_for(member)
    client.get(reverse("forum:index"))
    few, _ = count_queries(lambda: client.get(reverse("forum:index")))
    for i in range(5):
        extra = build_course(owner, title=f"Cours {i}", modules=0, with_final=False)
        course_services.enrollment_create(actor=member, course=extra)
        make_topic(member, extra)
    many, response = count_queries(lambda: client.get(reverse("forum:index")))
    assert response.content.decode().count('class="topic-row card"') == 6
    assert many == few


# --- A course's topics ---------------------------------------------------------------------


def test_topic_list_pinned_first_with_badges_and_counts(
    member: User, student2: User, owner: User, course: Course
) -> None:
    first = make_topic(member, course, title="Premier sujet")
    second = make_topic(member, course, title="Second sujet")
    reply = make_reply(student2, first, "Réponse")
    services.solution_mark(actor=owner, reply=Reply.objects.get(pk=reply.pk))
    services.topic_moderate(actor=owner, topic=first, action="pin")
    services.topic_moderate(actor=owner, topic=second, action="lock")
    response = client_for(member).get(topics_url(course))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Premier sujet") < body.index("Second sujet")  # pinned first
    for word in ("Épinglé", "Verrouillé", "Solution", "Nouveau sujet", "vue", "réponse"):
        assert word in body
    assert "Koffi Étudiant" in body  # the author's name, never the email
    assert member.email not in body


def test_topic_list_actors(
    course: Course,
    draft_course: Course,
    outsider: User,
    other_instructor: User,
    owner: User,
    admin_user: User,
    member: User,
) -> None:
    url = topics_url(course)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(other_instructor).get(url).status_code == 403
    assert client_for(member).get(url).status_code == 200
    assert client_for(owner).get(url).status_code == 200
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(outsider).get(topics_url(draft_course)).status_code == 404
    assert client_for(member).get("/courses/nope/forum").status_code == 404


def test_new_topic_created(member: User, course: Course) -> None:
    response = client_for(member).post(
        topics_url(course), {"title": "Question sur les listes", "content": "Comment **trier** ?"}
    )
    topic = Topic.objects.get(title="Question sur les listes")
    assert response.status_code == 302
    assert response["Location"] == topic_url(topic, course)
    assert topic.author == member and topic.content == "Comment **trier** ?"


@pytest.mark.parametrize(
    ("data", "field_value", "message"),
    [
        ({"title": "", "content": "Mon message gardé"}, "Mon message gardé", "obligatoire"),
        ({"title": "Mon titre gardé", "content": "   "}, "Mon titre gardé", "Le message est vide."),
        ({"title": "x" * (TITLE_MAX + 1), "content": "Texte"}, "Texte", str(TITLE_MAX)),
        ({"title": "Titre", "content": "y" * (CONTENT_MAX + 1)}, "Titre", str(CONTENT_MAX)),
    ],
)
def test_new_topic_bad_input_inline_400(
    member: User, course: Course, data: dict, field_value: str, message: str
) -> None:
    response = client_for(member).post(topics_url(course), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="errorlist"' in body
    assert message in body
    assert field_value in body  # nothing lost
    assert '<details class="new-topic card" id="new-topic" open>' in body
    assert not Topic.objects.exists()


def test_new_topic_rate_limited_429(monkeypatch: Any, member: User, course: Course) -> None:
    monkeypatch.setattr(services, "POST_LIMIT", 2)
    make_topic(member, course, title="Un")
    make_topic(member, course, title="Deux")
    response = client_for(member).post(
        topics_url(course), {"title": "Trois", "content": "Encore une question"}
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    body = response.content.decode()
    assert "errorlist nonfield" in body
    assert "Encore une question" in body
    assert Topic.objects.count() == 2


def test_new_topic_forbidden_actors(course: Course, outsider: User) -> None:
    data = {"title": "Intrus", "content": "Bonjour"}
    assert client_for(outsider).post(topics_url(course), data).status_code == 403
    anonymous = Client().post(topics_url(course), data)
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert not Topic.objects.exists()


@pytest.mark.django_db(transaction=True)  # MariaDB's FULLTEXT sees committed rows only
def test_topic_list_search_is_accent_insensitive(member: User, course: Course) -> None:
    make_topic(member, course, title="Le rôle de l'étudiant", content="Présentation")
    make_topic(member, course, title="Autre chose", content="Rien à voir")
    response = client_for(member).get(topics_url(course), {"q": "ETUDIANT"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "rôle de l&#x27;étudiant" in body
    assert "Autre chose" not in body
    empty = client_for(member).get(topics_url(course), {"q": "   "})
    assert "Autre chose" in empty.content.decode()  # an empty search is the list


def test_topic_list_sorts(member: User, student2: User, owner: User, course: Course) -> None:
    answered = make_topic(member, course, title="Sujet répondu")
    make_topic(member, course, title="Sujet sans réponse")
    reply = make_reply(student2, answered, "Voilà")
    services.solution_mark(actor=member, reply=Reply.objects.get(pk=reply.pk))
    client = client_for(member)
    unanswered = client.get(topics_url(course), {"sort": "unanswered"}).content.decode()
    assert "Sujet sans réponse" in unanswered and "Sujet répondu" not in unanswered
    solved = client.get(topics_url(course), {"sort": "solved"}).content.decode()
    assert "Sujet répondu" in solved and "Sujet sans réponse" not in solved
    popular = client.get(topics_url(course), {"sort": "popular"}).content.decode()
    assert popular.index("Sujet répondu") < popular.index("Sujet sans réponse")
    odd = client.get(topics_url(course), {"sort": "nimporte"})
    assert odd.status_code == 200  # forgiving: the default sort


def test_topic_list_keyset_pages_and_bad_cursor(member: User, course: Course) -> None:
    for i in range(25):
        make_topic(member, course, title=f"Sujet numéro {i:02d}")
    client = client_for(member)
    first = client.get(topics_url(course))
    body = first.content.decode()
    assert body.count('class="topic-row card') == 20
    assert "Suivants" in body
    cursor = first.context["next_url"]
    second = client.get(topics_url(course) + cursor).content.decode()
    assert second.count('class="topic-row card') == 5
    assert "Sujet numéro 00" in second and "Suivants" not in second
    assert client.get(topics_url(course), {"cursor": "pas-un-curseur"}).status_code == 400
    assert client.get(topics_url(course), {"cursor": "x" * 500}).status_code == 400


def test_topic_list_page_one_and_deep_page_same_query_count(member: User, course: Course) -> None:
    for i in range(65):
        make_topic(member, course, title=f"Sujet {i}")
    client = client_for(member)
    client.get(topics_url(course))
    page_one, first = count_queries(lambda: client.get(topics_url(course)))
    url = first.context["next_url"]
    deep = None
    for _ in range(2):
        response = client.get(topics_url(course) + url)
        url = response.context["next_url"]
    deep, last = count_queries(lambda: client.get(topics_url(course) + url))
    assert last.content.decode().count('class="topic-row card') == 5
    assert deep == page_one


# --- A topic -------------------------------------------------------------------------------


def test_topic_page_renders_markdown_and_counts_the_view_once(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    client = client_for(student2)
    response = client.get(topic_url(topic))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>boucle</strong>" in body
    assert "Boucles en Python" in body
    client.get(topic_url(topic))
    topic.refresh_from_db()
    assert topic.view_count == 1


def test_topic_page_escapes_what_users_type(member: User, course: Course) -> None:
    topic = make_topic(
        member,
        course,
        title="<script>window.__xss=1</script>",
        content="<img src=x onerror=alert(1)> [x](javascript:alert(1))",
    )
    body = client_for(member).get(topic_url(topic)).content.decode()
    assert "<script>window.__xss" not in body
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in body
    assert "<img" not in body.split('class="post-body"')[1].split("</div>")[0]
    assert 'href="javascript:' not in body


def test_topic_page_actors(
    topic: Topic,
    course: Course,
    outsider: User,
    other_instructor: User,
    owner: User,
    admin_user: User,
    member: User,
    student2: User,
) -> None:
    url = topic_url(topic)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(other_instructor).get(url).status_code == 403
    for user in (member, owner, admin_user):
        assert client_for(user).get(url).status_code == 200
    other = build_course(owner, title="Autre cours", modules=0, with_final=False)
    wrong_slug = reverse("forum:topic", kwargs={"slug": other.slug, "topic_id": topic.pk})
    assert client_for(owner).get(wrong_slug).status_code == 404
    missing = reverse("forum:topic", kwargs={"slug": course.slug, "topic_id": 999_999})
    assert client_for(member).get(missing).status_code == 404
    services.topic_moderate(actor=owner, topic=topic, action="hide")
    assert client_for(student2).get(url).status_code == 404
    assert client_for(owner).get(url).status_code == 200


def test_topic_page_nested_replies_and_deleted_message(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    top = make_reply(student2, topic, "Réponse de premier niveau")
    child = make_reply(member, topic, "Réponse imbriquée", parent_id=top.pk)
    grandchild = make_reply(student2, topic, "Encore plus profond", parent_id=child.pk)
    services.reply_delete(actor=member, reply=Reply.objects.get(pk=child.pk))
    body = client_for(student2).get(topic_url(topic)).content.decode()
    # The tree: the grandchild's <li> sits inside the child's children list.
    assert body.index(f'id="reply-{top.pk}"') < body.index(f'id="children-{top.pk}"')
    assert body.index(f'id="children-{top.pk}"') < body.index(f'id="reply-{child.pk}"')
    assert body.index(f'id="children-{child.pk}"') < body.index(f'id="reply-{grandchild.pk}"')
    assert "message supprimé" in body
    assert "Réponse imbriquée" not in body
    assert "Encore plus profond" in body


def test_reply_posted_plain_form(member: User, student2: User, topic: Topic) -> None:
    response = client_for(student2).post(topic_url(topic), {"content": "Ma réponse", "parent": ""})
    reply = Reply.objects.get(content="Ma réponse")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#reply-{reply.pk}")
    nested = client_for(member).post(
        topic_url(topic), {"content": "Merci !", "parent": str(reply.pk)}
    )
    assert nested.status_code == 302
    assert Reply.objects.get(content="Merci !").parent_id == reply.pk


@pytest.mark.parametrize(
    ("content", "parent", "message"),
    [
        ("  ", "", "Le message est vide."),
        ("z" * (CONTENT_MAX + 1), "", str(CONTENT_MAX)),
        ("Réponse gardée", "abc", "nombre entier"),
    ],
)
def test_reply_bad_input_inline_400(
    student2: User, topic: Topic, content: str, parent: str, message: str
) -> None:
    response = client_for(student2).post(topic_url(topic), {"content": content, "parent": parent})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if content.strip():
        assert content[:50] in body
    assert not Reply.objects.exists()


def test_reply_parent_from_another_topic_400_inline(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    elsewhere = make_topic(member, course, title="Ailleurs")
    foreign = make_reply(student2, elsewhere, "Ailleurs aussi")
    response = client_for(student2).post(
        topic_url(topic), {"content": "Je réponds", "parent": str(foreign.pk)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "n&#x27;appartient pas à ce sujet" in body
    assert "Je réponds" in body
    assert not Reply.objects.filter(topic=topic).exists()


def test_reply_nested_error_keeps_the_form_under_its_parent(
    member: User, student2: User, topic: Topic
) -> None:
    top = make_reply(student2, topic, "Haut")
    response = client_for(member).post(topic_url(topic), {"content": "", "parent": str(top.pk)})
    assert response.status_code == 400
    body = response.content.decode()
    slot = body.split(f'id="reply-slot-{top.pk}"')[1].split(f'id="children-{top.pk}"')[0]
    assert "Le message est vide." in slot
    assert f'name="parent" value="{top.pk}"' in slot
    assert "Le message est vide." not in body.split('id="reply-slot-root"')[1]


def test_reply_with_htmx_returns_the_new_reply_out_of_band(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    top = make_reply(student2, topic, "Haut")
    client = client_for(member)
    form = client.get(
        topic_action_url("reply_form", topic, course), {"parent": top.pk}, headers=HTMX
    )
    assert form.status_code == 200
    assert f'value="{top.pk}"' in form.content.decode()
    response = client.post(
        topic_url(topic), {"content": "Via htmx", "parent": top.pk}, headers=HTMX
    )
    assert response.status_code == 201
    body = response.content.decode()
    assert f'hx-swap-oob="beforeend:#children-{top.pk}"' in body
    assert "Via htmx" in body
    bad = client.post(topic_url(topic), {"content": " ", "parent": top.pk}, headers=HTMX)
    assert bad.status_code == 400
    assert "Le message est vide." in bad.content.decode()
    assert "<html" not in bad.content.decode()
    plain = client.get(topic_action_url("reply_form", topic, course), {"parent": top.pk})
    assert plain.status_code == 302 and f"reply_to={top.pk}" in plain["Location"]
    page = client.get(topic_url(topic), {"reply_to": top.pk}).content.decode()
    assert f'name="parent" value="{top.pk}"' in page  # the no-JS form under its parent


def test_reply_forbidden_actors(topic: Topic, outsider: User) -> None:
    assert client_for(outsider).post(topic_url(topic), {"content": "Intrus"}).status_code == 403
    anonymous = Client().post(topic_url(topic), {"content": "Intrus"})
    assert anonymous.status_code == 302
    assert not Reply.objects.exists()


def test_locked_topic_students_cannot_reply(
    member: User, student2: User, owner: User, topic: Topic
) -> None:
    services.topic_moderate(actor=owner, topic=topic, action="lock")
    page = client_for(student2).get(topic_url(topic)).content.decode()
    assert "Verrouillé" in page
    assert 'id="reply-slot-root"' not in page and "Répondre au sujet" not in page
    response = client_for(student2).post(topic_url(topic), {"content": "Je tente"})
    assert response.status_code == 403
    assert not Reply.objects.exists()
    # Moderators still answer.
    assert client_for(owner).post(topic_url(topic), {"content": "Le formateur"}).status_code == 302
    owner_page = client_for(owner).get(topic_url(topic)).content.decode()
    assert "Répondre au sujet" in owner_page


def test_topic_page_query_count_constant_whatever_the_replies(
    member: User, student2: User, course: Course
) -> None:
    small = make_topic(member, course, title="Petit")
    make_reply(student2, small, "Seule réponse")
    big = make_topic(member, course, title="Grand")
    parents: list[Reply | None] = [None]
    for i in range(40):
        parent = parents[i % len(parents)]
        author = member if i % 2 else student2
        reply = make_reply(author, big, f"Réponse {i}", parent_id=parent.pk if parent else None)
        parents.append(reply)
    for i, reply in enumerate(Reply.objects.filter(topic=big)[:10]):
        voter = member if reply.author_id != member.pk else student2
        services.reaction_set(actor=voter, reply=reply, reaction="upvote" if i % 2 else "downvote")
    services.solution_mark(actor=member, reply=Reply.objects.filter(topic=big).latest("id"))
    client = client_for(student2)
    client.get(topic_url(small))
    client.get(topic_url(big))  # the first view is counted; measure the next ones
    one, _ = count_queries(lambda: client.get(topic_url(small)))
    many, response = count_queries(lambda: client.get(topic_url(big)))
    assert response.content.decode().count('class="reply') >= 40
    assert max(n.depth for n in _depths(big)) >= 4
    assert many == one


def _depths(topic: Topic) -> list[Any]:
    from campus.forum.selectors import reply_tree

    out, stack = [], list(reply_tree(topic=topic, viewer=None).roots)
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


# --- Votes and solution ---------------------------------------------------------------------


def test_votes_through_the_page(member: User, student2: User, topic: Topic, course: Course) -> None:
    reply = make_reply(student2, topic, "Utile ?")
    client = client_for(member)
    url = reply_url("reply_vote", reply, course)
    up = client.post(url, {"type": "upvote"}, headers=HTMX)
    assert up.status_code == 200
    body = up.content.decode()
    assert f'id="votes-{reply.pk}"' in body and "is-mine" in body and "</span>1</button>" in body
    switched = client.post(url, {"type": "downvote"}, headers=HTMX).content.decode()
    assert "vote-down is-mine" in switched
    assert Vote.objects.get(reply=reply, user=member).value == -1
    removed = client.post(url, {"type": "downvote"}, headers=HTMX).content.decode()
    assert "is-mine" not in removed
    assert not Vote.objects.filter(reply=reply).exists()
    plain = client.post(url, {"type": "upvote"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#reply-{reply.pk}")
    page = client.get(topic_url(topic)).content.decode()
    assert 'class="vote vote-up is-mine"' in page  # the current vote is highlighted
    assert client.post(url, {"type": "bof"}, headers=HTMX).status_code == 400
    # One's own reply: no buttons, and the service refuses.
    own = client_for(student2)
    assert own.post(url, {"type": "upvote"}).status_code == 403
    assert f'action="{url}"' not in own.get(topic_url(topic)).content.decode()


def test_vote_forbidden_actors(
    student2: User, topic: Topic, course: Course, outsider: User
) -> None:
    reply = make_reply(student2, topic, "Utile ?")
    url = reply_url("reply_vote", reply, course)
    assert client_for(outsider).post(url, {"type": "upvote"}).status_code == 403
    assert Client().post(url, {"type": "upvote"}).status_code == 302
    assert not Vote.objects.exists()


def test_solution_marked_by_the_author_shown_first(
    member: User, student2: User, topic: Topic, course: Course, owner: User
) -> None:
    first = make_reply(student2, topic, "Première idée")
    good = make_reply(student2, topic, "La bonne réponse")
    url = reply_url("reply_solution", good, course)
    third = make_reply(owner, topic, "Formateur")
    # Another member cannot choose the solution of someone else's topic.
    intruder = client_for(student2).post(reply_url("reply_solution", third, course))
    assert intruder.status_code == 403
    topic.refresh_from_db()
    assert topic.solution_id is None
    response = client_for(member).post(url)
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.solution_id == good.pk
    body = client_for(student2).get(topic_url(topic)).content.decode()
    assert body.index('class="card solution-box"') < body.index(f'id="reply-{first.pk}"')
    assert "Marquer comme solution" not in body  # not for this member
    author_page = client_for(member).get(topic_url(topic)).content.decode()
    assert "Marquer comme solution" in author_page and "Retirer la solution" in author_page
    # The owner may change it, then withdraw it.
    client_for(owner).post(reply_url("reply_solution", first, course))
    topic.refresh_from_db()
    assert topic.solution_id == first.pk
    client_for(owner).post(reply_url("reply_solution", first, course), {"action": "unmark"})
    topic.refresh_from_db()
    assert topic.solution_id is None


def test_solution_refused_to_another_member_shows_the_message(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    reply = make_reply(member, topic, "Ma propre réponse")
    client = client_for(student2)
    response = client.post(reply_url("reply_solution", reply, course))
    assert response.status_code == 403
    assert "choisie par la personne qui a ouvert le sujet" in response.content.decode()
    topic.refresh_from_db()
    assert topic.solution_id is None


# --- Moderation, edits, follows, reports ----------------------------------------------------


def test_owner_pins_locks_and_hides(
    owner: User, member: User, topic: Topic, course: Course
) -> None:
    url = topic_action_url("topic_moderate", topic, course)
    client = client_for(owner)
    for action in ("pin", "lock"):
        assert client.post(url, {"action": action}).status_code == 302
    topic.refresh_from_db()
    assert topic.is_pinned and topic.is_locked
    page = client.get(topic_url(topic)).content.decode()
    assert "Désépingler" in page and "Déverrouiller" in page
    client.post(url, {"action": "hide"})
    topic.refresh_from_db()
    assert topic.is_hidden
    assert "Masqué" in client.get(topics_url(course)).content.decode()
    assert "Boucles en Python" not in client_for(member).get(topics_url(course)).content.decode()
    client.post(url, {"action": "nimporte"})  # an unknown action: a message, nothing changes


def test_moderation_forbidden_to_members(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    url = topic_action_url("topic_moderate", topic, course)
    assert client_for(member).post(url, {"action": "pin"}).status_code == 403
    reply = make_reply(student2, topic, "Réponse")
    hide = reply_url("reply_moderate", reply, course)
    assert client_for(member).post(hide, {"action": "hide"}).status_code == 403
    topic.refresh_from_db()
    assert not topic.is_pinned
    assert "Modération" not in client_for(member).get(topic_url(topic)).content.decode()


def test_owner_hides_and_deletes_replies(
    owner: User, member: User, student2: User, topic: Topic, course: Course
) -> None:
    reply = make_reply(student2, topic, "Hors sujet")
    client = client_for(owner)
    client.post(reply_url("reply_moderate", reply, course), {"action": "hide"})
    assert "message masqué" in client_for(member).get(topic_url(topic)).content.decode()
    assert "Hors sujet" in client.get(topic_url(topic)).content.decode()  # moderators see it
    client.post(reply_url("reply_delete", reply, course))
    reply.refresh_from_db()
    assert reply.is_deleted


def test_edit_and_delete_own_reply(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    reply = make_reply(student2, topic, "Premier jet")
    client = client_for(student2)
    edit = reply_url("reply_edit", reply, course)
    assert client.get(edit).status_code == 200
    bad = client.post(edit, {"content": "   "})
    assert bad.status_code == 400 and "Le message est vide." in bad.content.decode()
    assert client.post(edit, {"content": "Version corrigée"}).status_code == 302
    reply.refresh_from_db()
    assert reply.content == "Version corrigée"
    assert client_for(member).get(edit).status_code == 403
    assert client_for(member).post(edit, {"content": "Pirate"}).status_code == 403
    assert client_for(member).post(reply_url("reply_delete", reply, course)).status_code == 403
    reply.refresh_from_db()
    assert not reply.is_deleted
    assert client.post(reply_url("reply_delete", reply, course)).status_code == 302
    reply.refresh_from_db()
    assert reply.is_deleted
    assert "message supprimé" in client.get(topic_url(topic)).content.decode()


def test_edit_and_delete_own_topic(
    member: User, student2: User, topic: Topic, course: Course
) -> None:
    edit = topic_action_url("topic_edit", topic, course)
    client = client_for(member)
    page = client.get(edit)
    assert page.status_code == 200 and "Boucles en Python" in page.content.decode()
    bad = client.post(edit, {"title": "", "content": "Contenu gardé"})
    assert bad.status_code == 400 and "Contenu gardé" in bad.content.decode()
    assert client.post(edit, {"title": "Boucles for", "content": "Nouveau"}).status_code == 302
    topic.refresh_from_db()
    assert topic.title == "Boucles for"
    assert client_for(student2).get(edit).status_code == 403
    assert client_for(student2).post(edit, {"title": "X", "content": "Y"}).status_code == 403
    response = client.post(topic_action_url("topic_delete", topic, course))
    assert response.status_code == 302 and response["Location"] == topics_url(course)
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_follow_and_unfollow(student2: User, topic: Topic, course: Course) -> None:
    url = topic_action_url("topic_follow", topic, course)
    client = client_for(student2)
    assert client.post(url).status_code == 302
    assert Follow.objects.filter(topic=topic, user=student2).exists()
    assert "Ne plus suivre" in client.get(topic_url(topic)).content.decode()
    client.post(url, {"follow": "0"})
    assert not Follow.objects.filter(topic=topic, user=student2).exists()


def test_report_topic_and_reply(
    member: User, student2: User, topic: Topic, course: Course, outsider: User
) -> None:
    url = topic_action_url("topic_report", topic, course)
    client = client_for(student2)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"reason": "  "})
    assert bad.status_code == 400 and "Indiquez le motif" in bad.content.decode()
    assert client.post(url, {"reason": "Insultant"}).status_code == 302
    assert Report.objects.filter(topic=topic, reporter=student2).exists()
    again = client.post(url, {"reason": "Encore"})
    assert again.status_code == 409 and "déjà signalé" in again.content.decode()
    reply = make_reply(member, topic, "Spam")
    reply_report = reply_url("reply_report", reply, course)
    assert client.post(reply_report, {"reason": "Publicité"}).status_code == 302
    assert Report.objects.filter(reply=reply).exists()
    assert client_for(outsider).post(url, {"reason": "X"}).status_code == 403


# --- Links to the forum ---------------------------------------------------------------------


def test_course_page_links_to_its_forum(
    member: User, owner: User, outsider: User, course: Course
) -> None:
    link = topics_url(course)
    assert link in client_for(member).get(f"/courses/{course.slug}/").content.decode()
    assert link in client_for(owner).get(f"/courses/{course.slug}/").content.decode()
    assert link not in client_for(outsider).get(f"/courses/{course.slug}/").content.decode()
    assert reverse("forum:index") in client_for(member).get(link).content.decode()  # the nav


def test_forum_of_helper_matches_the_page(member: User, course: Course) -> None:
    response = client_for(member).get(topics_url(course))
    assert response.context["forum"].pk == forum_of(course).pk


def test_author_is_offered_delete_only_while_nobody_else_answered(
    member: User, student2: User, owner: User, topic: Topic, course: Course
) -> None:
    """The page offers "Supprimer" exactly when topic_delete would accept it: its author's
    own replies keep it, someone else's answer removes it; moderators keep it always."""
    delete_action = topic_action_url("topic_delete", topic, course)

    def offered(user: User) -> bool:
        return delete_action in client_for(user).get(topic_url(topic)).content.decode()

    assert offered(member)
    make_reply(member, topic, "Précision de l'auteur.")
    assert offered(member)
    make_reply(student2, topic, "Une réponse d'un autre.")
    assert not offered(member) and not offered(student2) and offered(owner)
    refused = client_for(member).post(delete_action)
    assert refused.status_code in {302, 409} and Topic.objects.filter(pk=topic.pk).exists()
