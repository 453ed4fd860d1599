"""Fetch + authorize a student's own enrollment for the agenda (API and pages)."""

from django.utils.translation import gettext_lazy as _

from campus.core.errors import Forbidden, NotAuthenticated, NotFound
from campus.courses.access import AnyUser, get_course_by_slug_for
from campus.courses.models import Enrollment


def get_own_enrollment_by_slug_for(user: AnyUser, slug: str) -> Enrollment:
    """For the pages: the user's active enrollment in that published course. A draft
    or unknown course is a 404; not enrolled is a 403 not_enrolled."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    course = get_course_by_slug_for(user, slug, action="view")
    if not course.is_published:
        raise NotFound(_("Cours introuvable."), code="course_not_found")
    enrollment = (
        Enrollment.objects.select_related("course", "course__instructor", "user")
        .filter(course=course, user_id=user.pk, is_active=True)
        .first()
    )
    if enrollment is None:
        raise Forbidden(_("Inscrivez-vous à ce cours pour avoir un planning."), code="not_enrolled")
    return enrollment
