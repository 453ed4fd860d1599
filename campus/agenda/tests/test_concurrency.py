"""Planning one enrollment twice at once (the enrollment's task and the student's
click) on real threads: one plan, each lesson placed once."""

from collections import Counter
from functools import partial

import pytest
from django.db import connection

from campus.accounts.models import User
from campus.agenda import services
from campus.agenda.models import PlanItem, PlanItemKind, StudyPlan
from campus.courses.models import Course, Enrollment
from campus.courses.tests.test_concurrency import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_plannings_at_once_make_one_plan(course: Course, member: User) -> None:
    enrollment = Enrollment.objects.get(user=member, course=course)
    StudyPlan.objects.filter(enrollment=enrollment).delete()  # as if never planned

    def plan() -> int:
        try:
            return services.plan_generate(actor=member, enrollment=enrollment).pk
        finally:
            connection.close()

    results = run_at_once([partial(plan) for _ in range(4)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert StudyPlan.objects.filter(enrollment=enrollment).count() == 1
    lessons = PlanItem.objects.filter(plan__enrollment=enrollment, kind=PlanItemKind.LESSON)
    segments = Counter(lessons.values_list("lesson_id", "segment"))
    assert segments and set(segments.values()) == {1}
