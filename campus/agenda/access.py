"""Fetch + authorize a student's own enrollment for the agenda (API and pages)."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from campus.accounts.models import User
from campus.agenda import selectors
from campus.agenda.models import StudyPlan
from campus.core.errors import Forbidden, NotAuthenticated, NotFound
from campus.courses.access import AnyUser, get_course_by_slug_for, get_course_for
from campus.courses.models import Course, Enrollment


def get_own_enrollment_by_slug_for(user: AnyUser, slug: str) -> Enrollment:
    """For the pages: the user's active enrollment in that published course. A draft
    or unknown course is a 404; not enrolled is a 403 not_enrolled."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    return _own_enrollment(user, get_course_by_slug_for(user, slug, action="view"))


def get_own_enrollment_for_course(user: AnyUser, course_id: int) -> Enrollment:
    """For the API (the MdSC frontend's schedule paths): the same rule by course id."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    return _own_enrollment(user, get_course_for(user, course_id, action="view"))


def _own_enrollment(user: User, course: Course) -> Enrollment:
    """A study plan is personal: only an active member has one (the course's instructor
    and admins are not members, so 403 like any outsider)."""
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


def get_plan_for(enrollment: Enrollment, *, now: datetime) -> StudyPlan:
    """The enrollment's plan with its items (`enrollment` comes from one of the functions
    above or from courses.access); before any plan, 404 plan_not_found."""
    plan = selectors.plan_with_items(enrollment=enrollment, now=now)
    if plan is None:
        raise NotFound(
            _("Aucun planning pour cette inscription : générez-le."), code="plan_not_found"
        )
    return plan
