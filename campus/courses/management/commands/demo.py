"""`campus demo`: a French demo campus built through the same services as the product.

One admin, two instructors, twenty students, three published courses (and a draft) with
modules, text and video lessons, module quizzes and a final evaluation, enrollments at
every stage of progress, including completed ones, and live sessions (one live now with
Q&A, one upcoming, one past with attendance and a recording), forum topics with nested
replies, votes and an accepted solution, approved and pending reviews, and certificates.
Refuses to run with DEBUG off unless --force; `--if-empty` loads nothing when any account
already exists.
"""

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from campus.accounts.models import Role, User
from campus.certificates import services as certificate_services
from campus.certificates.models import Certificate
from campus.core import ratelimit
from campus.courses import services
from campus.courses.management import demo_content as content
from campus.courses.models import Course, Enrollment, EnrollmentStatus, LessonContentType, Quiz
from campus.forum import services as forum_services
from campus.forum.models import Reply, Topic
from campus.live import services as live_services
from campus.live.models import ChatKind, LiveSession
from campus.notifications.models import EmailState, Notification
from campus.ratings import services as rating_services
from campus.ratings.models import CourseRating, RatingStatus


def demo_email(person: content.Person) -> str:
    return f"{slugify(person.first_name)}.{slugify(person.last_name)}@{content.DEMO_DOMAIN}"


def demo_exists() -> bool:
    return User.objects.filter(email__endswith=f"@{content.DEMO_DOMAIN}").exists()


@dataclass
class Cast:
    admin: User
    instructors: list[User]
    students: list[User]
    courses: list[Course] = field(default_factory=list)

    def everyone(self) -> list[User]:
        return [self.admin, *self.instructors, *self.students]


# --- People ---------------------------------------------------------------------------


def _create_user(person: content.Person, role: str, password_hash: str) -> User:
    # One precomputed hash for every demo account: hashing twenty-three times would cost
    # seconds for the same known password.
    return User.objects.create(
        email=demo_email(person),
        password=password_hash,
        first_name=person.first_name,
        last_name=person.last_name,
        role=role,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )


def create_cast() -> Cast:
    password_hash = make_password(content.DEMO_PASSWORD)
    return Cast(
        admin=_create_user(content.ADMIN, Role.ADMIN, password_hash),
        instructors=[_create_user(p, Role.INSTRUCTOR, password_hash) for p in content.INSTRUCTORS],
        students=[_create_user(p, Role.STUDENT, password_hash) for p in content.STUDENTS],
    )


# --- Courses --------------------------------------------------------------------------


def _add_questions(owner: User, quiz: Quiz, questions: Sequence[content.QuestionSpec]) -> None:
    for q in questions:
        services.question_create(
            actor=owner,
            quiz=quiz,
            text=q.text,
            choices=list(q.choices),
            correct_choices=list(q.correct),
            points=q.points,
        )


def _add_module(owner: User, course: Course, spec: content.ModuleSpec) -> None:
    module = services.module_create(
        actor=owner, course=course, title=spec.title, description=spec.description
    )
    for lesson in spec.lessons:
        services.lesson_create(
            actor=owner,
            module=module,
            title=lesson.title,
            content_type=LessonContentType.VIDEO if lesson.video_url else LessonContentType.TEXT,
            body=lesson.body,
            video_url=lesson.video_url,
            duration_minutes=lesson.duration_minutes,
        )
    quiz = services.quiz_create(
        actor=owner, course=course, module=module, title=spec.title, passing_score=50
    )
    _add_questions(owner, quiz, spec.quiz)


def create_course(spec: content.CourseSpec, owner: User) -> Course:
    now = timezone.now()
    today = timezone.localdate(now)
    course = services.course_create(
        actor=owner,
        title=spec.title,
        description=spec.description,
        course_type=spec.course_type,
        max_students=spec.max_students,
        enrollment_deadline=now + timedelta(days=spec.deadline_in_days),
        course_start_date=today + timedelta(days=spec.start_in_days),
        course_end_date=today + timedelta(days=spec.end_in_days),
    )
    for module in spec.modules:
        _add_module(owner, course, module)
    if spec.final:
        final = services.quiz_create(
            actor=owner,
            course=course,
            title="Évaluation finale",
            passing_score=60,
            max_attempts=3,
            due_at=now + timedelta(days=spec.final_due_in_days),
        )
        _add_questions(owner, final, spec.final)
    if spec.publish:
        services.course_set_published(actor=owner, course=course, published=True)
    return course


# --- Progress -------------------------------------------------------------------------


def _answers(quiz: Quiz, *, right: bool) -> dict[str, list[int]]:
    answers = {}
    for question in quiz.questions.all():
        correct = list(question.correct_choices)
        wrong = [next(i for i in range(len(question.choices)) if i not in correct)]
        answers[str(question.pk)] = correct if right else wrong
    return answers


def _module_quizzes(course: Course) -> list[Quiz]:
    return list(
        Quiz.objects.filter(course=course, module__isnull=False)
        .order_by("module__position", "module_id")
        .prefetch_related("questions")
    )


def _complete_lessons(student: User, course: Course, count: int | None = None) -> None:
    lessons = list(course.lessons.order_by("module__position", "module_id", "position", "id"))
    for lesson in lessons[:count]:
        services.lesson_complete(actor=student, lesson=lesson)


def _pass_quizzes(student: User, quizzes: Sequence[Quiz]) -> None:
    for quiz in quizzes:
        services.quiz_submit(actor=student, quiz=quiz, answers=_answers(quiz, right=True))


def follow_course(student: User, course: Course, level: str) -> None:
    """Enroll `student` and take them to `level` (demo_content's progress levels)."""
    services.enrollment_create(actor=student, course=course)
    quizzes = _module_quizzes(course)
    if level in (content.STARTED, content.LEFT):
        _complete_lessons(student, course, 1)
    elif level == content.HALF:
        _complete_lessons(student, course, course.lessons.count() // 2)
        first = quizzes[0]
        services.quiz_submit(actor=student, quiz=first, answers=_answers(first, right=False))
        _pass_quizzes(student, quizzes[:1])
    elif level in (content.ALL_LESSONS, content.FINAL_FAILED, content.COMPLETED):
        _complete_lessons(student, course)
        _pass_quizzes(student, quizzes)
    if level in (content.FINAL_FAILED, content.COMPLETED):
        final = Quiz.objects.prefetch_related("questions").get(final_for=course)
        right = level == content.COMPLETED
        services.quiz_submit(actor=student, quiz=final, answers=_answers(final, right=right))
    if level == content.LEFT:
        services.enrollment_deactivate(actor=student, course=course)


# --- Live classes ---------------------------------------------------------------------


def _local_time(now: datetime, days: int, at: tuple[int, int]) -> datetime:
    """That day (relative to today) at that local time in the platform's home zone."""
    home = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)
    day = now.astimezone(home).date() + timedelta(days=days)
    hour, minute = at
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=home)


def _live_start(spec: content.LiveSpec, now: datetime) -> datetime:
    if spec.state == content.LIVE:
        return now - timedelta(minutes=spec.started_minutes_ago)
    return _local_time(now, spec.day, spec.at)


def create_live_session(
    spec: content.LiveSpec, course: Course, cast: Cast, now: datetime
) -> LiveSession:
    """Through the services, at the times the spec says: a past session is created,
    started, joined and ended with `now=` set in the past (as if it had happened)."""
    owner = course.instructor
    start = _live_start(spec, now)
    session = live_services.session_create(
        actor=owner,
        course=course,
        title=spec.title,
        description=spec.description,
        scheduled_start_at=start,
        scheduled_end_at=start + timedelta(minutes=spec.length_minutes),
        max_participants=spec.max_participants,
        is_recording_enabled=spec.is_recording_enabled,
        now=min(now, start - timedelta(days=1)),
    )
    if spec.state == content.UPCOMING:
        return session
    session = live_services.session_start(actor=owner, session=session, now=start)
    live_services.session_join(actor=owner, session=session, now=start)
    # Joins and leaves in time order, as they happened.
    events = []
    for attendance in spec.attendance:
        student = cast.students[attendance.student]
        for joined, left in attendance.stays:
            events.append((joined, 1, student))
            if left is not None:
                events.append((left, 0, student))
    for minutes, is_join, student in sorted(events, key=lambda e: (e[0], e[1], e[2].pk)):
        at = start + timedelta(minutes=minutes)
        if is_join:
            live_services.session_join(actor=student, session=session, now=at)
        else:
            live_services.session_leave(actor=student, session=session, now=at)
    for qa in spec.questions:
        question = live_services.chat_post(
            actor=cast.students[qa.student],
            session=session,
            text=qa.question,
            kind=ChatKind.QUESTION,
        )
        live_services.chat_post(
            actor=owner,
            session=session,
            text=qa.answer,
            kind=ChatKind.ANSWER,
            answer_to=question.pk,
        )
    if spec.state == content.PAST:
        end = start + timedelta(minutes=spec.length_minutes)
        session, _stats = live_services.session_end(actor=owner, session=session, now=end)
        if spec.recording_url:
            session = live_services.session_set_recording(
                actor=owner, session=session, url=spec.recording_url
            )
    return session


def create_live_sessions(cast: Cast) -> list[LiveSession]:
    course = cast.courses[content.COURSES.index(content.LIVE_COURSE)]
    now = timezone.now()
    return [create_live_session(spec, course, cast, now) for spec in content.LIVE_SESSIONS]


# --- Forum ----------------------------------------------------------------------------


def _course_of(cast: Cast, spec: content.CourseSpec) -> Course:
    return cast.courses[content.COURSES.index(spec)]


def _author(cast: Cast, course: Course, index: int) -> User:
    return course.instructor if index == content.OWNER else cast.students[index]


def _add_reply(
    cast: Cast,
    topic: Topic,
    spec: content.ReplySpec,
    posted: datetime,
    parent: Reply | None = None,
) -> list[Reply]:
    """Post the reply (and its answers, depth first), vote on it; return the replies
    marked as the topic's solution."""
    course = topic.forum.course
    reply = forum_services.reply_create(
        actor=_author(cast, course, spec.author),
        topic=topic,
        content=spec.content,
        parent_id=parent.pk if parent else None,
        now=posted + timedelta(minutes=spec.minutes),
    )
    for voters, reaction in ((spec.up, "upvote"), (spec.down, "downvote")):
        for voter in voters:
            forum_services.reaction_set(
                actor=_author(cast, course, voter), reply=reply, reaction=reaction
            )
    solutions = [reply] if spec.solution else []
    for child in spec.replies:
        solutions += _add_reply(cast, topic, child, posted, parent=reply)
    return solutions


def create_topic(cast: Cast, course: Course, spec: content.TopicSpec, now: datetime) -> Topic:
    """A topic as if posted on its day, its thread in time order, then its pin, its
    accepted solution (by the topic's author) and its readers' views."""
    author = _author(cast, course, spec.author)
    posted = _local_time(now, spec.day, spec.at)
    forum = forum_services.forum_ensure(course=course)
    topic = forum_services.topic_create(
        actor=author, forum=forum, title=spec.title, content=spec.content, now=posted
    )
    solutions: list[Reply] = []
    for reply in sorted(spec.replies, key=lambda r: r.minutes):
        solutions += _add_reply(cast, topic, reply, posted)
    if spec.pinned:
        topic = forum_services.topic_moderate(actor=course.instructor, topic=topic, action="pin")
    for solution in solutions:
        topic = forum_services.solution_mark(actor=author, reply=solution)
    for reader in spec.readers:
        forum_services.topic_view(user=cast.students[reader], topic=topic)
    return topic


def create_forums(cast: Cast) -> list[Topic]:
    now = timezone.now()
    topics = [
        create_topic(cast, _course_of(cast, course_spec), spec, now)
        for course_spec, specs in content.FORUMS
        for spec in specs
    ]
    for course_spec, content_text, reports in content.REPORTS:
        reply = Reply.objects.select_related("topic__forum__course__instructor", "author").get(
            topic__forum__course=_course_of(cast, course_spec), content=content_text
        )
        for reporter, reason in reports:
            forum_services.report_create(actor=cast.students[reporter], reply=reply, reason=reason)
    # The demo's posts were written in one go: they do not count against their authors'
    # posting rate limit.
    for user in cast.everyone():
        ratelimit.reset(
            forum_services.POST_SCOPE, str(user.pk), window=forum_services.POST_WINDOW_SECONDS
        )
    return topics


# --- Reviews and certificates -----------------------------------------------------------


def create_reviews(cast: Cast) -> list[CourseRating]:
    """Each review through the rating service; the instructor approves those meant to be
    shown (under RATINGS_MODERATION=post they are shown at once, the pending one too).
    Then the certificates the specs ask for."""
    reviews = []
    for course_spec, specs in content.REVIEWS:
        course = _course_of(cast, course_spec)
        for spec in specs:
            student = cast.students[spec.student]
            enrollment = Enrollment.objects.get(user=student, course=course)
            review = rating_services.rating_create(
                actor=student,
                enrollment=enrollment,
                rating=spec.stars,
                comment=spec.comment,
                pros=spec.pros,
                cons=spec.cons,
                would_recommend=spec.would_recommend,
                is_anonymous=spec.is_anonymous,
            )
            if spec.approved and review.status == RatingStatus.PENDING:
                review = rating_services.rating_moderate(
                    actor=course.instructor, review=review, approve=True
                )
            reviews.append(review)
            if spec.certificate:
                certificate_services.certificate_issue(actor=student, enrollment=enrollment)
    return reviews


# --- The whole demo -------------------------------------------------------------------


def build_demo() -> Cast:
    cast = create_cast()
    for spec in content.COURSES:
        course = create_course(spec, cast.instructors[spec.instructor])
        cast.courses.append(course)
        for index, level in spec.enrollments.items():
            follow_course(cast.students[index], course, level)
    create_live_sessions(cast)
    create_forums(cast)
    create_reviews(cast)
    # The demo's people live at an invented domain: their notices stay in the inbox,
    # no email is attempted.
    Notification.objects.filter(
        user__email__endswith=f"@{content.DEMO_DOMAIN}", email_state=EmailState.PENDING
    ).update(email_state=EmailState.SKIPPED)
    return cast


class Command(BaseCommand):
    help = "Charge un campus de démonstration en français (comptes, cours, inscriptions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Ne rien faire si un compte existe déjà."
        )
        parser.add_argument(
            "--force", action="store_true", help="Charger la démo même quand DEBUG est désactivé."
        )

    def handle(
        self, *args: Any, if_empty: bool = False, force: bool = False, **options: Any
    ) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("La base contient déjà des comptes : démo non chargée.")
            return
        if not settings.DEBUG and not force:
            if if_empty:  # `make run` in production: never stop the start-up for the demo
                self.stdout.write("DEBUG désactivé : démo non chargée (--force pour l'imposer).")
                return
            raise CommandError(
                "DEBUG est désactivé : la démo crée des comptes au mot de passe connu. "
                "Ajoutez --force si c'est bien voulu."
            )
        if demo_exists():
            self.stdout.write(f"La démo existe déjà (@{content.DEMO_DOMAIN}) : rien à faire.")
            return
        with transaction.atomic():
            cast = build_demo()
        self._report(cast)

    def _report(self, cast: Cast) -> None:
        enrollments = Enrollment.objects.filter(course__in=cast.courses)
        completed = enrollments.filter(status=EnrollmentStatus.COMPLETED).count()
        published = sum(course.is_published for course in cast.courses)
        sessions = LiveSession.objects.filter(course__in=cast.courses).count()
        topics = Topic.objects.filter(forum__course__in=cast.courses).count()
        replies = Reply.objects.filter(topic__forum__course__in=cast.courses).count()
        reviews = CourseRating.objects.filter(course__in=cast.courses)
        approved = reviews.filter(status=RatingStatus.APPROVED).count()
        certificates = Certificate.objects.filter(course__in=cast.courses).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo chargée : {len(cast.everyone())} comptes, {published} cours publiés "
                f"(+{len(cast.courses) - published} brouillon), {enrollments.count()} inscriptions "
                f"dont {completed} terminées, {sessions} sessions en direct, {topics} sujets "
                f"de forum ({replies} réponses), {reviews.count()} avis ({approved} publiés, "
                f"{reviews.count() - approved} en attente), {certificates} certificats."
            )
        )
        self.stdout.write(f"Mot de passe de tous les comptes de démo : {content.DEMO_PASSWORD}")
        for user in cast.everyone():
            label = str(Role(user.role).label)
            self.stdout.write(f"  {label:<21} {user.full_name:<28} {user.email}")
