"""Every read about certificates. Lists cost a fixed number of queries whatever their size."""

import re

from django.db.models import Exists, OuterRef, QuerySet

from campus.accounts.models import User
from campus.certificates.models import CODE_MAX, Certificate, RatingPrompt
from campus.core.pagination import Page, PageQuery, paginate
from campus.courses.models import Course, CourseStatus, Enrollment, EnrollmentStatus
from campus.ratings.models import CourseRating

# "Mes certificats" lists the completed courses still waiting for their certificate; a
# student rarely has more, and the page stays bounded whatever happens.
PENDING_MAX = 50

# The form of the codes issued since base 32 (services.new_code): 40 of A-Z, 2-7.
CASE_FREE_CODE = re.compile(r"[A-Z2-7]{40}")


def certificate_of(*, enrollment: Enrollment) -> Certificate | None:
    return Certificate.objects.filter(enrollment=enrollment).first()


def certificate_by_id(*, certificate_id: int) -> Certificate | None:
    return (
        Certificate.objects.select_related("course", "enrollment", "revoked_by")
        .filter(pk=certificate_id)
        .first()
    )


def certificate_by_code(*, code: str) -> Certificate | None:
    """The public lookup. A code longer than any we issue is not even queried.

    Codes issued since base 32 (services.new_code: A-Z, 2-7) match in any case: the
    lookup also tries the upper-cased code, and accepts it only for a code of that form.
    Older codes (token_urlsafe) are case-sensitive: MariaDB's default collation compares
    case-insensitively, so the row found is checked again here, letter for letter, and
    every database answers the same. One query."""
    if not code or len(code) > CODE_MAX:
        return None
    upper = code.upper()
    accepted = {code}
    if CASE_FREE_CODE.fullmatch(upper):
        accepted.add(upper)
    for certificate in Certificate.objects.filter(code__in=accepted)[:2]:
        if certificate.code in accepted:
            return certificate
    return None


def certificate_of_course(*, user: User, course_id: int) -> Certificate | None:
    """One's own certificate for a course (None when there is none)."""
    return (
        Certificate.objects.select_related("course", "enrollment", "revoked_by")
        .filter(user_id=user.pk, course_id=course_id)
        .first()
    )


def certificates_of(*, user: User) -> QuerySet[Certificate]:
    return (
        Certificate.objects.select_related("course", "enrollment")
        .filter(user=user)
        .order_by("-issued_at", "-id")
    )


def certificates_page(*, user: User, query: PageQuery) -> Page:
    return paginate(certificates_of(user=user), query)


def _has_rating() -> Exists:
    return Exists(CourseRating.objects.filter(enrollment=OuterRef("pk")))


def _prompt_shown() -> Exists:
    return Exists(RatingPrompt.objects.filter(enrollment=OuterRef("pk")))


def completed_without_certificate(*, user: User) -> list[Enrollment]:
    """The user's completed, active enrollments in published courses with no certificate
    yet, each annotated `has_rating` (a review was submitted, whatever its moderation)
    and `prompt_shown` (the rating dialog already opened by itself once)."""
    return list(
        Enrollment.objects.select_related("course", "course__instructor")
        .filter(
            user=user,
            is_active=True,
            status=EnrollmentStatus.COMPLETED,
            course__status=CourseStatus.PUBLISHED,
        )
        .exclude(Exists(Certificate.objects.filter(enrollment=OuterRef("pk"))))
        .annotate(has_rating=_has_rating(), prompt_shown=_prompt_shown())
        .order_by("-completed_at", "-id")[:PENDING_MAX]
    )


def completed_enrollment_in(*, user: User, course: Course) -> Enrollment | None:
    """The user's completed, active enrollment in `course` with its certificate (or None),
    `has_rating` and `prompt_shown`, in one query (for the course page's certificate
    block)."""
    return completed_enrollment(Enrollment.objects.filter(user_id=user.pk, course=course))


def completed_enrollment(enrollments: QuerySet[Enrollment]) -> Enrollment | None:
    """The first completed, active enrollment of `enrollments` in a published course, with
    its course, its certificate (or None), `has_rating` and `prompt_shown`: one query."""
    return (
        enrollments.select_related("course", "certificate")
        .filter(
            is_active=True, status=EnrollmentStatus.COMPLETED, course__status=CourseStatus.PUBLISHED
        )
        .annotate(has_rating=_has_rating(), prompt_shown=_prompt_shown())
        .first()
    )


def completed_enrollment_of(*, user: User, enrollment_id: int) -> Enrollment | None:
    """One's own completed enrollment by id (None when it is not, or not yet, that)."""
    return completed_enrollment(Enrollment.objects.filter(pk=enrollment_id, user_id=user.pk))
