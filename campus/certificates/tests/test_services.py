"""certificate_issue / certificate_revoke through the services."""

import re
from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.certificates import services
from campus.certificates.checks import certificate_problems
from campus.certificates.models import Certificate
from campus.certificates.tests.helpers import complete, rate, short_course
from campus.core.errors import Conflict, Forbidden, ValidationFailed
from campus.courses.models import Enrollment
from campus.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(user_factory: Any) -> User:
    return user_factory(Role.STUDENT, first_name="Sènan", last_name="Chimène Adjovi")


@pytest.fixture
def course(owner: User) -> Any:
    return short_course(owner)


def test_issue_freezes_the_texts_and_notifies_the_student(
    student: User, course: Any, owner: User
) -> None:
    enrollment = complete(student, course)

    certificate = services.certificate_issue(actor=student, enrollment=enrollment)

    assert certificate.holder_name == "Sènan Chimène Adjovi"
    assert certificate.course_title == course.title
    assert certificate.instructor_name == owner.display_name
    assert re.fullmatch(r"CAMPUS-\d{4}-\d{6}", certificate.number)
    assert certificate.number.endswith(f"{certificate.pk:06d}")
    # 200 bits, URL-safe, no lowercase letter (it verifies in any case)
    assert re.fullmatch(r"[A-Z2-7]{40}", certificate.code)
    notice = Notification.objects.get(user=student, kind=Kind.CERTIFICATE_ISSUED)
    assert notice.dedupe_key == f"certificate_issued:{certificate.pk}"
    assert "/dashboard/student/certificates" in notice.url

    student.first_name = "Autre"
    student.save()
    course.title = "Nouveau titre"
    course.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Sènan Chimène Adjovi"  # frozen at issue time


def test_issue_is_idempotent(student: User, course: Any) -> None:
    enrollment = complete(student, course)
    first, created = services.certificate_get_or_issue(actor=student, enrollment=enrollment)
    second, created_again = services.certificate_get_or_issue(actor=student, enrollment=enrollment)
    assert created and not created_again
    assert first.pk == second.pk and first.code == second.code
    assert Certificate.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.CERTIFICATE_ISSUED).count() == 1


def test_an_unfinished_course_gives_no_certificate(member: User) -> None:
    enrollment = Enrollment.objects.get(user=member)
    with pytest.raises(Conflict) as caught:
        services.certificate_issue(actor=member, enrollment=enrollment)
    assert caught.value.code == "not_completed"
    assert not Certificate.objects.exists()


def test_only_the_student_may_ask(
    student: User, course: Any, owner: User, admin_user: User
) -> None:
    enrollment = complete(student, course)
    for actor in (owner, admin_user):
        with pytest.raises(Forbidden):
            services.certificate_issue(actor=actor, enrollment=enrollment)
    assert not Certificate.objects.exists()


def test_required_mode_needs_a_review_first(student: User, course: Any, settings: Any) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "required"
    enrollment = complete(student, course)
    with pytest.raises(Conflict) as caught:
        services.certificate_issue(actor=student, enrollment=enrollment)
    assert caught.value.code == "rating_required"
    assert "avis" in str(caught.value.message)

    rate(student, enrollment)  # pending moderation is enough: the review was submitted
    assert services.certificate_issue(actor=student, enrollment=enrollment).pk


@pytest.mark.parametrize(
    ("mode", "has_rating", "step"),
    [
        ("off", False, "issue"),
        ("prompt", False, "rate_prompt"),
        ("prompt", True, "issue"),
        ("required", False, "rate_required"),
        ("required", True, "issue"),
    ],
)
def test_issue_step_follows_the_setting(
    settings: Any, mode: str, has_rating: bool, step: str
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = mode
    assert services.issue_step(has_certificate=False, has_rating=has_rating) == step
    assert services.issue_step(has_certificate=True, has_rating=has_rating) == "certificate"


def test_revoke_needs_an_admin_and_a_reason(
    student: User, course: Any, admin_user: User, owner: User
) -> None:
    certificate = services.certificate_issue(actor=student, enrollment=complete(student, course))
    for actor in (student, owner):
        with pytest.raises(Forbidden):
            services.certificate_revoke(actor=actor, certificate=certificate, reason="Fraude")
    with pytest.raises(ValidationFailed):
        services.certificate_revoke(actor=admin_user, certificate=certificate, reason="   ")
    with pytest.raises(ValidationFailed):
        services.certificate_revoke(actor=admin_user, certificate=certificate, reason="x" * 501)

    revoked = services.certificate_revoke(
        actor=admin_user, certificate=certificate, reason=" Plagiat avéré "
    )
    assert revoked.is_revoked and revoked.revoked_by == admin_user
    assert revoked.revoke_reason == "Plagiat avéré"
    with pytest.raises(Conflict) as caught:
        services.certificate_revoke(actor=admin_user, certificate=certificate, reason="Encore")
    assert caught.value.code == "already_revoked"


def test_the_setting_check_refuses_unknown_modes(settings: Any) -> None:
    for mode in ("off", "prompt", "required"):
        settings.CERTIFICATE_REQUIRES_RATING = mode
        assert certificate_problems() == []
    settings.CERTIFICATE_REQUIRES_RATING = "requierd"
    assert "requierd" in certificate_problems()[0]
