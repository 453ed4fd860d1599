"""The certificates API: issue (201 then 200), mine, one, PDF, revoke, public verify."""

from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.certificates import services
from campus.certificates.models import Certificate
from campus.certificates.tests.helpers import complete, rate, short_course
from campus.courses.models import Enrollment
from conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(user_factory: Any) -> User:
    return user_factory(
        Role.STUDENT, first_name="Chimène", last_name="Houngbo", email="chimene@example.test"
    )


@pytest.fixture
def enrollment(student: User, owner: User) -> Enrollment:
    return complete(student, short_course(owner))


def _issue(api: Any, user: User | None, enrollment_id: int) -> Any:
    return api(user).post(f"/api/enrollments/{enrollment_id}/certificate")


def test_issue_then_get_again(api: Any, student: User, enrollment: Enrollment) -> None:
    first = _issue(api, student, enrollment.pk)
    assert first.status_code == 201, first.content
    data = first.json_body["data"]
    assert data["status"] == "valid" and data["holder_name"] == "Chimène Houngbo"
    assert data["verification_url"].endswith(f"/certificates/verify/{data['code']}")
    assert data["issued_at"].endswith("Z")

    again = _issue(api, student, enrollment.pk)
    assert again.status_code == 200
    assert again.json_body["data"]["id"] == data["id"]
    assert Certificate.objects.count() == 1


def test_issue_refusals(
    api: Any, student: User, enrollment: Enrollment, member: User, owner: User, admin_user: User
) -> None:
    assert_error(_issue(api, None, enrollment.pk), 401, "not_authenticated")
    for other in (member, owner, admin_user):
        assert_error(_issue(api, other, enrollment.pk), 404, "enrollment_not_found")
    assert_error(_issue(api, student, 987_654), 404, "enrollment_not_found")
    unfinished = Enrollment.objects.get(user=member)
    assert_error(_issue(api, member, unfinished.pk), 409, "not_completed")
    assert not Certificate.objects.exists()


def test_required_mode_409_then_ok_after_a_review(
    api: Any, student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "required"
    body = assert_error(_issue(api, student, enrollment.pk), 409, "rating_required")
    assert "avis" in body["message"]
    # what the MdSC frontend looks for to open its rating dialog
    assert "noter" in body["message"] and body["error"]["details"]["requires_rating"] is True
    rate(student, enrollment)
    assert _issue(api, student, enrollment.pk).status_code == 201


def test_prompt_and_off_modes_issue_without_a_review(
    api: Any, student: User, enrollment: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "off"
    assert _issue(api, student, enrollment.pk).status_code == 201


def test_mine_one_and_pdf(
    api: Any, student: User, enrollment: Enrollment, member: User, admin_user: User
) -> None:
    certificate_id = _issue(api, student, enrollment.pk).json_body["data"]["id"]
    listing = api(student).get("/api/certificates")
    assert listing.status_code == 200
    assert [c["id"] for c in listing.json_body["data"]] == [certificate_id]
    assert listing.json_body["pagination"] == {"page": 1, "limit": 20, "total": 1}
    assert api(member).get("/api/certificates").json_body["data"] == []

    assert api(student).get(f"/api/certificates/{certificate_id}").status_code == 200
    assert api(admin_user).get(f"/api/certificates/{certificate_id}").status_code == 200
    assert_error(
        api(member).get(f"/api/certificates/{certificate_id}"), 404, "certificate_not_found"
    )

    pdf = api(student).get(f"/api/certificates/{certificate_id}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    for other in (member, admin_user):
        assert_error(
            api(other).get(f"/api/certificates/{certificate_id}/pdf"), 404, "certificate_not_found"
        )
    assert_error(api(None).get(f"/api/certificates/{certificate_id}/pdf"), 401)


def test_list_pagination_is_bounded(api: Any, student: User) -> None:
    assert_error(api(student).get("/api/certificates", {"limit": 1000}), 400, "validation_error")
    assert_error(api(student).get("/api/certificates", {"page": 0}), 400, "validation_error")


def test_revoke_admin_only_with_reason(
    api: Any, student: User, enrollment: Enrollment, owner: User, admin_user: User
) -> None:
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    path = f"/api/certificates/{certificate.pk}/revoke"
    assert_error(api(None).post(path, {"reason": "Fraude"}), 401)
    for actor in (student, owner):
        assert_error(api(actor).post(path, {"reason": "Fraude"}), 403, "forbidden")
    assert_error(api(admin_user).post(path, {"reason": ""}), 400, "validation_error")
    assert_error(api(admin_user).post(path, {"reason": "x" * 501}), 400, "validation_error")
    assert_error(api(admin_user).post(path, {}), 400, "validation_error")
    assert_error(api(admin_user).post("/api/certificates/987654/revoke", {"reason": "x"}), 404)

    done = api(admin_user).post(path, {"reason": "Plagiat avéré"})
    assert done.status_code == 200
    assert done.json_body["data"]["status"] == "revoked"
    assert done.json_body["data"]["revoke_reason"] == "Plagiat avéré"
    assert_error(api(admin_user).post(path, {"reason": "Encore"}), 409, "already_revoked")

    # Revoked: still verifiable (as revoked), no longer downloadable.
    verify = api(None).get(f"/api/certificates/verify/{certificate.code}")
    assert verify.json_body["data"]["status"] == "revoked"
    assert verify.json_body["data"]["revoked_at"]
    assert_error(
        api(student).get(f"/api/certificates/{certificate.pk}/pdf"), 409, "certificate_revoked"
    )


def test_verify_shows_only_name_course_date_status(
    api: Any, student: User, enrollment: Enrollment
) -> None:
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    response = api(None).get(f"/api/certificates/verify/{certificate.code}")
    assert response.status_code == 200
    data = response.json_body["data"]
    assert set(data) == {
        "holder_name",
        "course_title",
        "issued_at",
        "status",
        "revoked_at",
        # what the MdSC frontend's verification page reads: the certificate's id and the
        # code the visitor already holds
        "id",
        "certificate_code",
        "certificate_number",
        # and the holder's name as printed, under the names it shows
        "first_name",
        "last_name",
    }
    assert data["holder_name"] == "Chimène Houngbo" and data["status"] == "valid"
    assert (data["first_name"], data["last_name"]) == ("Chimène Houngbo", "")
    assert data["id"] == certificate.pk
    assert data["certificate_code"] == data["certificate_number"] == certificate.code
    raw = response.content.decode()
    assert student.email not in raw and "chimene@" not in raw
    assert '"user' not in raw and certificate.number not in raw


def test_verify_unknown_code_is_404(api: Any) -> None:
    assert_error(api(None).get("/api/certificates/verify/nope"), 404, "certificate_not_found")
    assert_error(api(None).get("/api/certificates/verify/" + "a" * 200), 404)


def test_verify_legacy_codes_are_case_sensitive_on_every_database(
    api: Any, student: User, enrollment: Enrollment
) -> None:
    """Codes issued before base 32 (token_urlsafe, mixed case) match letter for letter:
    MariaDB's default collation ignores case, the lookup must not (one answer on every
    database)."""
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    Certificate.objects.filter(pk=certificate.pk).update(code="aB3dE_fG-hIjKlMnOpQrStUvWxYz0123")
    legacy = "aB3dE_fG-hIjKlMnOpQrStUvWxYz0123"
    for other_case in (legacy.swapcase(), legacy.upper(), legacy.lower()):
        assert_error(
            api(None).get(f"/api/certificates/verify/{other_case}"), 404, "certificate_not_found"
        )
    assert api(None).get(f"/api/certificates/verify/{legacy}").status_code == 200


def test_verify_new_codes_match_in_any_case(
    api: Any, student: User, enrollment: Enrollment
) -> None:
    """New codes have no lowercase letters (base 32, 200 bits): the MdSC frontend
    upper-cases what it is given, a person may type it in lowercase, both verify."""
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    assert certificate.code == certificate.code.upper() and len(certificate.code) == 40
    for typed in (certificate.code, certificate.code.lower(), certificate.code.swapcase()):
        response = api(None).get(f"/api/certificates/verify/{typed}")
        assert response.status_code == 200, typed
        assert response.json_body["data"]["id"] == certificate.pk
    # one letter off is another code, whatever the case
    wrong = ("A" if certificate.code[0] != "A" else "B") + certificate.code[1:]
    assert_error(api(None).get(f"/api/certificates/verify/{wrong.lower()}"), 404)
    # the readable number is not a verification code (it is sequential)
    assert_error(api(None).get(f"/api/certificates/verify/{certificate.number}"), 404)


def test_verify_is_rate_limited_per_client(
    api: Any, student: User, enrollment: Enrollment, settings: Any
) -> None:
    """Unknown codes count against CERTIFICATE_VERIFY_MISS_LIMIT; past it even a right
    code waits (more in test_verify_limits.py, with a shared address)."""
    settings.CERTIFICATE_VERIFY_MISS_LIMIT = 15
    certificate = services.certificate_issue(actor=student, enrollment=enrollment)
    client = api(None)
    for i in range(29):  # 15 guesses, 14 right codes between them
        code = certificate.code if i % 2 else f"guess-{i}"
        expected = 200 if i % 2 else 404
        assert client.get(f"/api/certificates/verify/{code}").status_code == expected
    blocked = client.get(f"/api/certificates/verify/{certificate.code}")
    body = assert_error(blocked, 429, "rate_limited")
    assert int(blocked["Retry-After"]) > 0 and body["error"]["details"]["retry_after"] > 0
    other = client.get(f"/api/certificates/verify/{certificate.code}", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200  # another address has its own budget


def test_my_list_has_a_constant_query_count(
    api: Any, student: User, owner: User, django_assert_num_queries: Any
) -> None:
    client = api(student)
    services.certificate_issue(actor=student, enrollment=complete(student, short_course(owner)))

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/certificates").status_code == 200
        return len(captured)

    count()  # warm up: the token's first use is recorded once
    one = count()
    for n in range(12):
        course = short_course(owner, title=f"Cours {n}")
        services.certificate_issue(actor=student, enrollment=complete(student, course))
    with django_assert_num_queries(one):
        assert len(client.get("/api/certificates").json_body["data"]) == 13
