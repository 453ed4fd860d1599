"""The scale data generator behind `campus bench-data`: deterministic, bulk inserts.

Bench rows are recognisable: users' e-mails end in @bench.campus.local and courses'
slugs start with "bench-"; everything else hangs off those two. The generator is a list
of steps (STEPS); a later feature (live sessions, forum, ...) appends a step that
creates its rows and names the querysets that delete them.
"""

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from campus.accounts.models import ApiToken, Language, Role, User
from campus.courses.models import (
    Course,
    CourseStatus,
    CourseType,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonCompletion,
    LessonContentType,
    Module,
    Question,
    Quiz,
    QuizAttempt,
)
from campus.forum.models import (
    CourseFollow,
    Follow,
    Forum,
    Reply,
    Topic,
    TopicView,
    Vote,
)
from campus.forum.models import Report as ForumReport
from campus.forum.services import thread_root_id
from campus.notifications.models import Notification, Preference

BENCH_DOMAIN = "bench.campus.local"
COURSE_SLUG_PREFIX = "bench-"
BENCH_PASSWORD = "bench-campus-password"
SEED = 2026
BATCH = 2_000
CHUNK = 20_000  # objects built in memory at once


@dataclass(frozen=True)
class Size:
    students: int
    courses: int
    enrollments: int  # approximate target
    modules_per_course: int = 3
    lessons_per_module: int = 2
    forum_topics: int = 0  # approximate targets (the forum step)
    forum_replies: int = 0

    @property
    def instructors(self) -> int:
        return max(2, self.courses // 5)

    @property
    def per_student(self) -> int:
        return max(1, round(self.enrollments / self.students))


SIZES = {
    "xs": Size(students=50, courses=5, enrollments=100, forum_topics=40, forum_replies=400),
    "s": Size(
        students=1_000, courses=10, enrollments=5_000, forum_topics=1_000, forum_replies=10_000
    ),
    "m": Size(
        students=10_000,
        courses=100,
        enrollments=50_000,
        forum_topics=10_000,
        forum_replies=100_000,
    ),
    "l": Size(
        students=100_000,
        courses=1_000,
        enrollments=500_000,
        forum_topics=60_000,
        forum_replies=1_000_000,
    ),
}

_FIRST_NAMES = """
    Koffi Afiavi Mawuli Sènan Chimène Rodrigue Nadège Fiacre Estelle Gildas Bénédicte
    Jean-Baptiste Prudence Olivier Claire Mathieu Fatoumata Ibrahim Rachida Hermann Aïcha
    Romuald Edwige Sylvain Carine Parfait Reine Armel Josiane Landry Murielle Serge Inès
    Brice Léa Hugo Chloé Lucas Mariam Abdou
"""
_LAST_NAMES = """
    Adjovi Dossou Ahouansou Gbaguidi Hounkpatin Tchibozo Zinsou Azonhiho Kpadonou Amoussou
    Sossou Akplogan Dansou Lemaire Dubois Bernard Bio Sanni Orou Capo-Chichi Houngbédji
    Agossou Agbo Hountondji Gnonlonfoun Akakpo Yessoufou Soglo Martin Petit Moreau Fofana
    Traoré Djossou Kiki Assogba Quenum Ahanhanzo Bamba Diallo
"""
FIRST_NAMES = tuple(_FIRST_NAMES.split())
LAST_NAMES = tuple(_LAST_NAMES.split())
TOPICS = (
    "Introduction à Python",
    "Gestion de projet agile",
    "Marketing digital pour PME",
    "Comptabilité générale",
    "Excel pour la gestion",
    "Anglais professionnel",
    "Développement web avec Django",
    "Analyse de données",
    "Entrepreneuriat",
    "Communication interpersonnelle",
    "Droit OHADA des affaires",
    "Agriculture durable",
    "Santé publique",
    "Réseaux informatiques",
    "Cybersécurité",
    "Leadership",
    "Statistiques descriptives",
    "Photographie numérique",
    "Gestion des ressources humaines",
    "Logistique et chaîne d'approvisionnement",
    "Finance solidaire et microcrédit",
    "Énergie solaire",
    "Rédaction administrative",
    "Service client",
)
LEVELS = ("initiation", "intermédiaire", "avancé", "atelier pratique")


Counts = dict[str, int]


@dataclass
class Plan:
    """What the steps share: the size, the clock, and the ids created so far."""

    size: Size
    now: datetime
    seed: int = SEED
    password_hash: str = ""
    student_ids: list[int] = field(default_factory=list)
    instructor_ids: list[int] = field(default_factory=list)
    course_ids: list[int] = field(default_factory=list)
    lessons_by_course: dict[int, list[int]] = field(default_factory=dict)
    final_quiz_by_course: dict[int, int] = field(default_factory=dict)

    def rng(self, step: str) -> random.Random:
        """One generator per step: a step's output does not depend on the others'."""
        return random.Random(f"{self.seed}:{step}")


# --- Bulk plumbing --------------------------------------------------------------------

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert(model: type[M], objects: Iterable[M]) -> int:
    total = 0
    for chunk in chunked(objects):
        model._default_manager.bulk_create(chunk, batch_size=BATCH)
        total += len(chunk)
    return total


def bench_users() -> QuerySet[User]:
    return User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")


def bench_courses() -> QuerySet[Course]:
    return Course.objects.filter(slug__startswith=COURSE_SLUG_PREFIX)


def student_email(index: int) -> str:
    return f"student{index:06d}@{BENCH_DOMAIN}"


# --- Steps ----------------------------------------------------------------------------


def _person(rng: random.Random, email: str, role: str, password_hash: str, now: datetime) -> User:
    return User(
        email=email,
        password=password_hash,
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        role=role,
        language=Language.EN if rng.random() < 0.1 else Language.FR,
        date_joined=now - timedelta(days=rng.randint(0, 720)),
        is_staff=role == Role.ADMIN,
    )


def create_users(plan: Plan) -> Counts:
    rng, hashed, now = plan.rng("users"), plan.password_hash, plan.now
    staff = [_person(rng, f"admin@{BENCH_DOMAIN}", Role.ADMIN, hashed, now)]
    staff += [
        _person(rng, f"instructor{i:04d}@{BENCH_DOMAIN}", Role.INSTRUCTOR, hashed, now)
        for i in range(plan.size.instructors)
    ]
    students = (
        _person(rng, student_email(i), Role.STUDENT, hashed, now) for i in range(plan.size.students)
    )
    count = {"users": insert(User, staff) + insert(User, students)}
    users = bench_users().order_by("email")
    plan.instructor_ids = list(users.filter(role=Role.INSTRUCTOR).values_list("id", flat=True))
    plan.student_ids = list(users.filter(role=Role.STUDENT).values_list("id", flat=True))
    return count


def _course(rng: random.Random, index: int, plan: Plan) -> Course:
    topic, level = rng.choice(TOPICS), rng.choice(LEVELS)
    title = f"{topic} ({level}) — session {index + 1}"
    published = rng.random() < 0.95
    start = plan.now.date() + timedelta(days=rng.randint(-120, 60))
    return Course(
        slug=f"{COURSE_SLUG_PREFIX}{index:05d}",
        title=title,
        description=f"{topic}, niveau {level} : cours, exercices et évaluation finale. " * 3,
        instructor_id=rng.choice(plan.instructor_ids),
        status=CourseStatus.PUBLISHED if published else CourseStatus.DRAFT,
        course_type=CourseType.LIVE if rng.random() < 0.3 else CourseType.ON_DEMAND,
        # Some courses count their places on each enrollment; none ever fills up.
        max_students=1_000_000 if rng.random() < 0.2 else None,
        enrollment_deadline=plan.now + timedelta(days=rng.randint(30, 365)),
        course_start_date=start,
        course_end_date=start + timedelta(days=rng.randint(30, 180)),
        published_at=plan.now - timedelta(days=rng.randint(1, 400)) if published else None,
        created_at=plan.now - timedelta(days=rng.randint(400, 800)),
    )


def create_courses(plan: Plan) -> Counts:
    rng = plan.rng("courses")
    count = {"courses": insert(Course, (_course(rng, i, plan) for i in range(plan.size.courses)))}
    plan.course_ids = list(bench_courses().order_by("slug").values_list("id", flat=True))
    return count


LESSON_BODY = (
    "## Objectifs\n\nÀ la fin de cette leçon, vous saurez appliquer la notion étudiée "
    "à un cas concret.\n\n- lire l'exemple ;\n- refaire l'exercice ;\n- vérifier avec le "
    "corrigé.\n"
)


def _modules(plan: Plan) -> Iterator[Module]:
    for course_id in plan.course_ids:
        for m in range(plan.size.modules_per_course):
            yield Module(course_id=course_id, title=f"Module {m + 1}", position=m)


def _lessons(plan: Plan, modules: list[tuple[int, int]]) -> Iterator[Lesson]:
    for module_id, course_id in modules:
        for n in range(plan.size.lessons_per_module):
            video = n % 2 == 1
            yield Lesson(
                module_id=module_id,
                course_id=course_id,
                title=f"Leçon {n + 1}",
                content_type=LessonContentType.VIDEO if video else LessonContentType.TEXT,
                body="" if video else LESSON_BODY,
                video_url=f"https://videos.{BENCH_DOMAIN}/{module_id}/{n}.mp4" if video else "",
                duration_minutes=10 + 5 * n,
                position=n,
            )


def _quizzes(plan: Plan, modules: list[tuple[int, int]]) -> Iterator[Quiz]:
    for module_id, course_id in modules:
        yield Quiz(course_id=course_id, module_id=module_id, title="Quiz du module")
    for course_id in plan.course_ids:
        yield Quiz(
            course_id=course_id,
            final_for_id=course_id,
            title="Évaluation finale",
            passing_score=60,
            max_attempts=3,
        )


def _questions(quiz_ids: list[int]) -> Iterator[Question]:
    for quiz_id in quiz_ids:
        for q in range(3):
            yield Question(
                quiz_id=quiz_id,
                text=f"Question {q + 1} ?",
                position=q,
                choices=["Réponse A", "Réponse B", "Réponse C"],
                correct_choices=[q % 3],
            )


def create_content(plan: Plan) -> Counts:
    courses = Q(course__slug__startswith=COURSE_SLUG_PREFIX)
    count = {"modules": insert(Module, _modules(plan))}
    modules = list(Module.objects.filter(courses).order_by("id").values_list("id", "course_id"))
    count["lessons"] = insert(Lesson, _lessons(plan, modules))
    for course_id, lesson_id in (
        Lesson.objects.filter(courses)
        .order_by("module__position", "position", "id")
        .values_list("course_id", "id")
    ):
        plan.lessons_by_course.setdefault(course_id, []).append(lesson_id)
    count["quizzes"] = insert(Quiz, _quizzes(plan, modules))
    quizzes = list(Quiz.objects.filter(courses).values_list("id", "final_for_id"))
    plan.final_quiz_by_course = {final: qid for qid, final in quizzes if final is not None}
    count["questions"] = insert(Question, _questions([qid for qid, _ in quizzes]))
    return count


@dataclass
class Enrolled:
    """One generated enrollment, before it has an id."""

    user_id: int
    course_id: int
    done: int  # lessons completed (the first `done` of the course)
    passed_final: bool
    row: Enrollment


def _pick_courses(rng: random.Random, plan: Plan, cum_weights: list[float]) -> set[int]:
    avg = plan.size.per_student
    low = max(0, avg - 3)
    k = min(rng.randint(low, 2 * avg - low), len(plan.course_ids))
    picked: set[int] = set()
    while len(picked) < k:
        picked.add(rng.choices(plan.course_ids, cum_weights=cum_weights)[0])
    return picked


def _enrollment(rng: random.Random, plan: Plan, user_id: int, course_id: int) -> Enrolled:
    lessons = len(plan.lessons_by_course[course_id])
    roll = rng.random()
    done = 0 if roll < 0.3 else (lessons if roll > 0.8 else rng.randint(1, lessons - 1))
    passed = done == lessons
    status = EnrollmentStatus.ENROLLED if done == 0 else EnrollmentStatus.IN_PROGRESS
    enrolled_at = plan.now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
    percent = Decimal(100 * done / (lessons + 1)).quantize(Decimal("0.01"))
    inactive = rng.random() < 0.03
    row = Enrollment(
        user_id=user_id,
        course_id=course_id,
        status=EnrollmentStatus.COMPLETED if passed else status,
        progress_percentage=Decimal(100) if passed else percent,
        enrolled_at=enrolled_at,
        completed_at=enrolled_at + timedelta(days=20) if passed else None,
        is_active=not inactive,
        unenrolled_at=enrolled_at + timedelta(days=5) if inactive else None,
    )
    return Enrolled(user_id, course_id, done, passed, row)


def _generate_enrollments(plan: Plan) -> Iterator[Enrolled]:
    rng = plan.rng("enrollments")
    # A few courses are popular, most are not (Zipf-like), in a shuffled order.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(plan.course_ids))]
    rng.shuffle(weights)
    cum_weights, total = [], 0.0
    for weight in weights:
        total += weight
        cum_weights.append(total)
    for user_id in plan.student_ids:
        for course_id in sorted(_pick_courses(rng, plan, cum_weights)):
            yield _enrollment(rng, plan, user_id, course_id)


def _progress_rows(
    plan: Plan, batch: list[Enrolled]
) -> tuple[list[LessonCompletion], list[QuizAttempt]]:
    completions: list[LessonCompletion] = []
    attempts: list[QuizAttempt] = []
    for item in batch:
        enrollment_id = item.row.pk
        at = item.row.enrolled_at + timedelta(days=1)
        completions += [
            LessonCompletion(enrollment_id=enrollment_id, lesson_id=lesson_id, completed_at=at)
            for lesson_id in plan.lessons_by_course[item.course_id][: item.done]
        ]
        if item.passed_final:
            attempts.append(
                QuizAttempt(
                    enrollment_id=enrollment_id,
                    quiz_id=plan.final_quiz_by_course[item.course_id],
                    attempt_number=1,
                    answers={},
                    score=Decimal(100),
                    passed=True,
                    submitted_at=item.row.completed_at or at,
                )
            )
    return completions, attempts


def _fill_missing_ids(batch: list[Enrolled]) -> None:
    """Databases that cannot return ids from a bulk insert: read them back."""
    if all(item.row.pk for item in batch):
        return
    rows = Enrollment.objects.filter(user_id__in={item.user_id for item in batch})
    pairs = rows.values_list("user_id", "course_id", "id")
    ids = {(user, course): pk for user, course, pk in pairs}
    for item in batch:
        item.row.pk = ids[(item.user_id, item.course_id)]


def create_enrollments(plan: Plan) -> Counts:
    count = {"enrollments": 0, "lesson completions": 0, "quiz attempts": 0}
    for batch in chunked(_generate_enrollments(plan)):
        Enrollment.objects.bulk_create([item.row for item in batch], batch_size=BATCH)
        _fill_missing_ids(batch)
        completions, attempts = _progress_rows(plan, batch)
        LessonCompletion.objects.bulk_create(completions, batch_size=BATCH)
        QuizAttempt.objects.bulk_create(attempts, batch_size=BATCH)
        count["enrollments"] += len(batch)
        count["lesson completions"] += len(completions)
        count["quiz attempts"] += len(attempts)
    return count


# --- Forum (issue 8) ------------------------------------------------------------------

BUSIEST_FORUM_SHARE = 0.4  # of the topics: one big forum, so page 1,000 exists at size l
BIG_TOPIC_REPLIES = 500  # the busiest forum's first topic: a long, nested thread
TOPICS_PER_CHUNK = 1_000
_FORUM_WORDS = (
    "exercice étudiant leçon corrigé variable fonction boucle tableau évaluation délai "
    "certificat vidéo quiz module projet entreprise comptabilité marché réseau sécurité "
    "énergie données graphique formule élève devoir examen note professeur correction "
    "algorithme bilan facture client stock budget serveur mot-de-passe panneau récolte "
    "vaccin"
)
FORUM_WORDS = tuple(_FORUM_WORDS.split())
TOPIC_OPENERS = (
    "Question sur",
    "Besoin d'aide pour",
    "Problème avec",
    "Comment comprendre",
    "Astuce :",
    "Erreur dans",
    "Discussion :",
)
REPLY_SENTENCES = (
    "Je pense que « {a} » dépend surtout de « {b} ».",
    "Relisez la leçon sur « {a} », l'exemple « {b} » est clair.",
    "Merci, « {a} » fonctionne maintenant avec « {b} ».",
    "Pour « {a} », regardez d'abord « {b} » puis refaites l'exercice.",
    "J'ai le même souci avec « {a} » et « {b} ».",
    "Le professeur a expliqué « {a} » en détail pendant la séance.",
)


def _forum_text(rng: random.Random, sentences: int) -> str:
    return " ".join(
        rng.choice(REPLY_SENTENCES).format(a=rng.choice(FORUM_WORDS), b=rng.choice(FORUM_WORDS))
        for _ in range(sentences)
    )


def _forum_plan(plan: Plan, forums: dict[int, int]) -> list[tuple[int, int, list[int]]]:
    """(forum id, topic count, member ids) for each published bench course's forum."""
    members: dict[int, list[int]] = {}
    rows = Enrollment.objects.filter(
        course__in=bench_courses(), course__status=CourseStatus.PUBLISHED, is_active=True
    ).values_list("course_id", "user_id")
    for course_id, user_id in rows.order_by("course_id", "user_id").iterator(chunk_size=CHUNK):
        members.setdefault(course_id, []).append(user_id)
    published = list(
        bench_courses()
        .filter(status=CourseStatus.PUBLISHED)
        .order_by("slug")
        .values_list("id", "instructor_id")
    )
    if not published or not plan.size.forum_topics:
        return []
    # The busiest forum is the biggest class's; the others share the rest by class size.
    published.sort(key=lambda row: (-len(members.get(row[0], [])), row[0]))
    total = plan.size.forum_topics
    busiest = int(total * BUSIEST_FORUM_SHARE)
    weights = [len(members.get(course_id, [])) + 1 for course_id, _ in published[1:]]
    spread = sum(weights) or 1
    result = [(forums[published[0][0]], busiest, members.get(published[0][0], []))]
    for (course_id, instructor_id), weight in zip(published[1:], weights, strict=True):
        count = round((total - busiest) * weight / spread)
        result.append((forums[course_id], count, members.get(course_id) or [instructor_id]))
    return result


def _forum_topics(plan: Plan) -> Iterator[tuple[Topic, list[Reply]]]:
    """Each topic with its replies (not saved, no ids); counters already consistent."""
    rng = plan.rng("forum")
    forums = dict(Forum.objects.filter(course__in=bench_courses()).values_list("course_id", "id"))
    average = plan.size.forum_replies / max(1, plan.size.forum_topics)
    for f, (forum_id, count, authors) in enumerate(_forum_plan(plan, forums)):
        for n in range(count):
            created = plan.now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
            replies_count = BIG_TOPIC_REPLIES if f == n == 0 else rng.randint(0, round(2 * average))
            topic = Topic(
                forum_id=forum_id,
                author_id=rng.choice(authors),
                title=f"{rng.choice(TOPIC_OPENERS)} {rng.choice(FORUM_WORDS)} "
                f"et {rng.choice(FORUM_WORDS)} ({n + 1})",
                content=_forum_text(rng, rng.randint(1, 4)),
                is_pinned=n < 2,
                view_count=replies_count * rng.randint(2, 6) + rng.randint(0, 20),
                reply_count=replies_count,
                created_at=created,
                activity_at=created,
            )
            replies = []
            at = created
            for _ in range(replies_count):
                at += timedelta(minutes=rng.randint(1, 600))
                replies.append(
                    Reply(
                        author_id=rng.choice(authors),
                        content=_forum_text(rng, rng.randint(1, 3)),
                        upvotes=0,
                        downvotes=0,
                        created_at=at,
                    )
                )
            if replies:
                topic.last_reply_at = topic.activity_at = at
                topic.last_reply_by_id = replies[-1].author_id
            yield topic, replies


def _saved_ids(model: type[Model], rows: list[Any], after: int, **filters: Any) -> None:
    """Databases that cannot return ids from a bulk insert (MariaDB): read them back, in
    insertion order (one generator, one connection: ids are consecutive)."""
    if all(row.pk for row in rows):
        return
    ids = model._default_manager.filter(pk__gt=after, **filters).order_by("pk")
    for row, pk in zip(rows, ids.values_list("pk", flat=True), strict=True):
        row.pk = pk


def _last_id(model: type[Model]) -> int:
    return model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0


def create_forum(plan: Plan) -> Counts:
    """One forum per bench course; topics and replies in the published ones. One reply in
    three answers an earlier top-level reply (two levels); one answered topic in five
    has an accepted solution; no vote, hidden or deleted row (counters stay exact)."""
    rng = plan.rng("forum-tree")
    have = Forum.objects.filter(course__in=bench_courses()).values_list("course_id", flat=True)
    missing = bench_courses().exclude(pk__in=list(have)).values_list("id", "title")
    count = {"forums": insert(Forum, (Forum(course_id=c, title=t) for c, t in missing))}
    count.update({"topics": 0, "replies": 0})
    for chunk in chunked(_forum_topics(plan), TOPICS_PER_CHUNK):
        after = _last_id(Topic)
        topics = [topic for topic, _ in chunk]
        Topic.objects.bulk_create(topics, batch_size=BATCH)
        _saved_ids(Topic, topics, after)
        top: list[Reply] = []
        children: list[tuple[int, Reply]] = []  # (index of the parent in `top`, reply)
        for topic, replies in chunk:
            first = len(top)
            for i, reply in enumerate(replies):
                reply.topic_id = topic.pk
                if i and rng.random() < 1 / 3:
                    children.append((rng.randrange(first, len(top)), reply))
                else:
                    top.append(reply)
        after = _last_id(Reply)
        Reply.objects.bulk_create(top, batch_size=BATCH)
        _saved_ids(Reply, top, after)
        for parent, reply in children:
            reply.parent_id = top[parent].pk
            reply.root_id = thread_root_id(top[parent])
        Reply.objects.bulk_create([reply for _, reply in children], batch_size=BATCH)
        solved = []
        for topic, replies in chunk:
            answer = next((r for r in replies if r.parent_id is None), None)
            if answer is not None and rng.random() < 0.2:
                topic.solution_id = answer.pk
                solved.append(topic)
        Topic.objects.bulk_update(solved, ["solution"], batch_size=BATCH)
        count["topics"] += len(topics)
        count["replies"] += len(top) + len(children)
    return count


def _bench_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(forum__course__in=bench_courses())


def _forum_rows() -> list[QuerySet[Any]]:
    """Children first; solutions unset first (topic ↔ reply reference each other, and
    MariaDB checks foreign keys on each row)."""
    _bench_topics().filter(solution__isnull=False).update(solution=None)
    replies = Reply.objects.filter(topic__in=_bench_topics())
    return [
        Vote.objects.filter(reply__in=replies),
        ForumReport.objects.filter(Q(reply__in=replies) | Q(topic__in=_bench_topics())),
        Follow.objects.filter(topic__in=_bench_topics()),
        TopicView.objects.filter(topic__in=_bench_topics()),
        replies.filter(parent__isnull=False),
        replies,
        _bench_topics(),
        CourseFollow.objects.filter(forum__course__in=bench_courses()),
        Forum.objects.filter(course__in=bench_courses()),
    ]


# --- Registry, reset, run -------------------------------------------------------------


def _bench_enrollments() -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(Q(course__in=bench_courses()) | Q(user__in=bench_users()))


@dataclass(frozen=True)
class Step:
    name: str
    create: Callable[[Plan], Counts]
    # The step's rows, in the order they must be deleted (children first).
    rows: Callable[[], list[QuerySet[Any]]]


STEPS: list[Step] = [
    Step(
        "users",
        create_users,
        lambda: [
            ApiToken.objects.filter(user__in=bench_users()),
            Notification.objects.filter(user__in=bench_users()),
            Preference.objects.filter(user__in=bench_users()),
            bench_users(),
        ],
    ),
    Step("courses", create_courses, lambda: [bench_courses()]),
    Step(
        "content",
        create_content,
        lambda: [
            Question.objects.filter(quiz__course__in=bench_courses()),
            Quiz.objects.filter(course__in=bench_courses()),
            Lesson.objects.filter(course__in=bench_courses()),
            Module.objects.filter(course__in=bench_courses()),
        ],
    ),
    Step(
        "enrollments",
        create_enrollments,
        lambda: [
            QuizAttempt.objects.filter(enrollment__in=_bench_enrollments()),
            LessonCompletion.objects.filter(enrollment__in=_bench_enrollments()),
            _bench_enrollments(),
        ],
    ),
    Step("forum", create_forum, _forum_rows),
]


def has_foreign_data() -> bool:
    return (
        User.objects.exclude(email__endswith=f"@{BENCH_DOMAIN}").exists()
        or Course.objects.exclude(slug__startswith=COURSE_SLUG_PREFIX).exists()
    )


def has_bench_data() -> bool:
    return bench_users().exists() or bench_courses().exists()


Report = Callable[[str], None]


def delete_bench_rows(report: Report) -> int:
    """Delete every bench row with direct DELETEs, children first: Django's cascading
    delete would load hundreds of thousands of rows into memory."""
    total = 0
    for step in reversed(STEPS):
        started = time.perf_counter()
        deleted = sum(qs._raw_delete(qs.db) for qs in step.rows())
        total += deleted
        elapsed = time.perf_counter() - started
        report(f"  reset {step.name:<6} {elapsed:6.2f}s  {deleted:,} rows deleted")
    return total


def generate(size: Size, report: Report, *, seed: int = SEED) -> Plan:
    plan = Plan(size=size, now=timezone.now(), seed=seed)
    plan.password_hash = make_password(BENCH_PASSWORD)
    for step in STEPS:
        started = time.perf_counter()
        counts = step.create(plan)
        elapsed = time.perf_counter() - started
        rows = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        report(f"  {step.name:<12} {elapsed:6.2f}s  {rows}")
    return plan


def analyze() -> None:
    """Planner statistics (and PostgreSQL's visibility map), as a settled production
    database would have after autovacuum."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        if connection.vendor in ("postgresql", "sqlite"):
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def build(size: Size, report: Report, *, reset: bool) -> Plan:
    with transaction.atomic():
        if reset:
            delete_bench_rows(report)
        plan = generate(size, report)
    started = time.perf_counter()
    analyze()
    report(f"  {'analyze':<12} {time.perf_counter() - started:6.2f}s")
    return plan
