"""Every write of ratings: create, edit, delete one's review, moderate, and keep the
course's statistics exact.

Each write locks the course row first (select_for_update; on SQLite the IMMEDIATE
transaction serializes writers) and, before committing, recomputes the statistics from
the approved rows: concurrent reviews of one course run one after the other and the
Course row always matches its reviews. The unique constraints (one review per enrollment,
per user and course) turn a double submit that slips through into a 409, never a 500.
"""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.core.errors import Conflict, Forbidden
from campus.core.validation import check_max_length, field_error
from campus.courses.access import is_owner_or_admin
from campus.courses.models import Course, Enrollment
from campus.notifications import moderation
from campus.notifications.models import Kind
from campus.notifications.services import Notice, notify
from campus.ratings import selectors
from campus.ratings.models import (
    COMMENT_MAX,
    MODERATION_NOTE_MAX,
    PROS_CONS_MAX,
    CourseRating,
    RatingStatus,
)

MODERATION_MODES = ("pre", "post")

CAN_RATE_ERRORS: dict[str, Any] = {
    "not_yours": (Forbidden, _("Seule la personne inscrite peut noter ce cours.")),
    "inactive": (Conflict, _("Votre inscription à ce cours n'est plus active.")),
    "not_completed": (
        Conflict,
        _("Terminez le cours (toutes les leçons et l'évaluation finale) avant de le noter."),
    ),
    "already_rated": (
        Conflict,
        _("Vous avez déjà noté ce cours. Vous pouvez modifier votre avis."),
    ),
}


def moderation_mode() -> str:
    return "post" if settings.RATINGS_MODERATION == "post" else "pre"


def _status_after_write() -> str:
    """pre: a new or edited review waits; post: it is shown at once."""
    return RatingStatus.APPROVED if moderation_mode() == "post" else RatingStatus.PENDING


def _lock_course(course_id: int) -> Course:
    return Course.objects.select_for_update().get(pk=course_id)


def refresh_course_stats(*, course: Course) -> Course:
    """Recompute the course's statistics from its approved reviews and renew the version
    of its reviews (call under the course row lock, i.e. after `_lock_course`, inside
    the transaction)."""
    stats = selectors.approved_stats(course_id=course.pk)
    for name, value in stats.items():
        setattr(course, name, value)
    course.rating_version += 1  # the row is locked: no other writer in between
    course.save(update_fields=[*stats, "rating_version", "updated_at"])
    return course


@transaction.atomic
def reviews_edited_elsewhere(*, course_id: int) -> None:
    """Reviews of the course were written outside these services (the admin site): its
    statistics are recomputed, which also renews the version of its public list."""
    course = Course.objects.select_for_update().filter(pk=course_id).first()
    if course is not None:  # a course deleted with its reviews has nothing to refresh
        refresh_course_stats(course=course)


def _check_stars(value: Any) -> int:
    # bool is an int in Python: True must not become 1 star.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise field_error(
            "rating", _("La note doit être un nombre entier de 1 à 5."), "invalid_rating"
        )
    return value


def _check_flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise field_error(field, _("Une valeur vrai/faux est attendue."), "bool_type")
    return value


def _clean_texts(**texts: Any) -> dict[str, str]:
    limits = {"comment": COMMENT_MAX, "pros": PROS_CONS_MAX, "cons": PROS_CONS_MAX}
    cleaned = {}
    for name, value in texts.items():
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise field_error(name, _("Un texte est attendu."), "string_type")
        value = value.strip()
        check_max_length(name, value, limits[name])
        cleaned[name] = value
    return cleaned


@transaction.atomic
def rating_create(
    *,
    actor: User,
    enrollment: Enrollment,
    rating: Any,
    comment: str | None = "",
    pros: str | None = "",
    cons: str | None = "",
    would_recommend: Any = True,
    is_anonymous: Any = False,
) -> CourseRating:
    """A student rates the course they completed, once."""
    stars = _check_stars(rating)
    texts = _clean_texts(comment=comment, pros=pros, cons=cons)
    recommend = _check_flag("would_recommend", would_recommend)
    anonymous = _check_flag("is_anonymous", is_anonymous)
    course = _lock_course(enrollment.course_id)
    # Re-read under the lock: the completion or a review may have landed meanwhile.
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    allowed, reason = selectors.can_rate(user=actor, enrollment=enrollment)
    if not allowed:
        error, message = CAN_RATE_ERRORS[reason]
        raise error(message, code=reason)
    try:
        with transaction.atomic():
            review = CourseRating.objects.create(
                course=course,
                user=actor,
                enrollment=enrollment,
                rating=stars,
                would_recommend=recommend,
                is_anonymous=anonymous,
                status=_status_after_write(),
                **texts,
            )
    except IntegrityError as exc:
        raise Conflict(CAN_RATE_ERRORS["already_rated"][1], code="already_rated") from exc
    refresh_course_stats(course=course)
    _notify_pending(actor, review, course)
    return review


def _notify_pending(actor: User, review: CourseRating, course: Course) -> None:
    """A review that starts waiting for moderation (pre mode) tells the course's owner."""
    if review.status != RatingStatus.PENDING:
        return
    moderation.rating_pending(
        actor=actor,
        course=course,
        rating_id=review.pk,
        stars=review.rating,
        comment=review.comment,
        version=review.updated_at.isoformat(),
    )


def _require_author(actor: User, review: CourseRating) -> None:
    if review.user_id != actor.pk:
        raise Forbidden(_("Seul l'auteur de cet avis peut le modifier."), code="not_author")


@transaction.atomic
def rating_update(*, actor: User, review: CourseRating, **changes: Any) -> CourseRating:
    """The author edits their review. Under pre-moderation it waits for approval again;
    under post-moderation it stays (or is again) visible."""
    _require_author(actor, review)
    unknown = set(changes) - {
        "rating",
        "comment",
        "pros",
        "cons",
        "would_recommend",
        "is_anonymous",
    }
    if unknown:
        raise field_error(sorted(unknown)[0], _("Ce champ n'est pas accepté."), "extra_forbidden")
    updates: dict[str, Any] = {}
    if "rating" in changes:
        updates["rating"] = _check_stars(changes["rating"])
    texts = {k: changes[k] for k in ("comment", "pros", "cons") if k in changes}
    updates.update(_clean_texts(**texts))
    for flag in ("would_recommend", "is_anonymous"):
        if flag in changes:
            updates[flag] = _check_flag(flag, changes[flag])
    course = _lock_course(review.course_id)
    current = CourseRating.objects.filter(pk=review.pk).first()
    if current is None:
        raise Conflict(_("Cet avis a été supprimé."), code="rating_deleted")
    review = current
    was_pending = review.status == RatingStatus.PENDING
    for name, value in updates.items():
        setattr(review, name, value)
    review.status = _status_after_write()
    review.moderation_note = ""
    review.moderated_by = None
    review.moderated_at = None
    review.save()
    refresh_course_stats(course=course)
    if not was_pending:  # already waiting: its owner was told when it started to
        _notify_pending(actor, review, course)
    return review


@transaction.atomic
def rating_delete(*, actor: User, review: CourseRating) -> None:
    """The author deletes their review (admins may remove any)."""
    if review.user_id != actor.pk and not actor.is_admin:
        raise Forbidden(_("Seul l'auteur de cet avis peut le supprimer."), code="not_author")
    course = _lock_course(review.course_id)
    CourseRating.objects.filter(pk=review.pk).delete()
    refresh_course_stats(course=course)


def _notify_author(review: CourseRating, course: Course) -> None:
    approved = review.status == RatingStatus.APPROVED
    note = review.moderation_note

    def render() -> tuple[str, str]:
        if approved:
            title = gettext("Votre avis sur « %(course)s » est publié.") % {"course": course.title}
        else:
            title = gettext("Votre avis sur « %(course)s » n'a pas été publié.") % {
                "course": course.title
            }
        body = gettext("Note de modération : %(note)s") % {"note": note} if note else ""
        return title, body

    notify(
        recipients=User.objects.filter(pk=review.user_id),
        notice=Notice(
            kind=Kind.RATING_MODERATED,
            dedupe_key=f"rating:{review.pk}:{review.status}:{review.updated_at.isoformat()}",
            render=render,
            url=reverse("courses:detail", kwargs={"slug": course.slug}),
            subject_type="course_rating",
            subject_id=review.pk,
            data={"rating_id": review.pk, "course_id": course.pk, "status": review.status},
        ),
    )


@transaction.atomic
def rating_moderate(
    *, actor: User, review: CourseRating, approve: bool, note: str | None = ""
) -> CourseRating:
    """The course's owner or an admin approves or rejects a review, with an optional
    note; the author is notified."""
    if not is_owner_or_admin(actor, review.course):
        raise Forbidden(
            _(
                "La modération des avis est réservée à la personne responsable du cours "
                "et à l'administration."
            ),
            code="forbidden",
        )
    if note is not None and not isinstance(note, str):
        raise field_error("note", _("Un texte est attendu."), "string_type")
    cleaned_note = (note or "").strip()
    check_max_length("note", cleaned_note, MODERATION_NOTE_MAX)
    course = _lock_course(review.course_id)
    current = CourseRating.objects.filter(pk=review.pk).first()
    if current is None:
        raise Conflict(_("Cet avis a été supprimé."), code="rating_deleted")
    review = current
    status = RatingStatus.APPROVED if approve else RatingStatus.REJECTED
    if review.status == status:
        message = _("Cet avis est déjà publié.") if approve else _("Cet avis est déjà refusé.")
        raise Conflict(message, code="already_moderated")
    review.status = status
    review.moderation_note = cleaned_note
    review.moderated_by = actor
    review.moderated_at = timezone.now()
    review.save()
    refresh_course_stats(course=course)
    _notify_author(review, course)
    return review
