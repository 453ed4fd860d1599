"""Agenda Celery tasks: take ids, load rows, call a service."""

import logging

from celery import shared_task

from campus.agenda import services
from campus.courses.models import Enrollment

logger = logging.getLogger("campus.agenda")


@shared_task(name="campus.agenda.tasks.generate_plan")
def generate_plan(enrollment_id: int) -> bool:
    """After an enrollment: build the student's study plan. A failure to plan never
    fails the enrollment: it is logged, and the student can generate it later."""
    enrollment = (
        Enrollment.objects.select_related("user", "course").filter(pk=enrollment_id).first()
    )
    if enrollment is None or not enrollment.is_active:
        return False
    try:
        services.plan_generate(actor=enrollment.user, enrollment=enrollment)
    except Exception:
        logger.exception("Study plan generation failed for enrollment %s", enrollment_id)
        return False
    return True
