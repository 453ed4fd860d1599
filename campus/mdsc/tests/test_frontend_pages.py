"""The original MdSC frontend's own pages, built from its public repository, against Campus.

Opt-in (`make test-mdsc-frontend`): it needs the frontend built outside this repository
(its code is never committed) with `NEXT_PUBLIC_API_URL` pointing at the port this test
serves Campus on. docs/mdsc-frontend.md says how to build it. A missing build is a
failure, never a skip: the target must not pass without running.

    MDSC_FRONTEND_DIR=/path/to/mdsc_frontend  (built with NEXT_PUBLIC_API_URL=http://127.0.0.1:8000/api)
    make test-mdsc-frontend
"""

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from campus.accounts.models import Role, User
from campus.certificates import services as certificate_services
from campus.certificates.tests.helpers import complete, short_course
from campus.courses.models import Course
from conftest import DESKTOP, PASSWORD, screenshot

pytestmark = [pytest.mark.mdsc_frontend, pytest.mark.django_db(transaction=True)]

FRONTEND_DIR = Path(os.environ.get("MDSC_FRONTEND_DIR", "/tmp/mdsc-frontend"))
FRONTEND_ORIGIN = os.environ.get("MDSC_FRONTEND_ORIGIN", "http://127.0.0.1:3000")
WAIT_SECONDS = 20


def _wait_until_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30):  # noqa: S310 - our own loopback
                return
        except OSError:  # refused, reset or slow to answer while it starts
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def frontend() -> Iterator[str]:
    """`next start` on the built frontend, for the whole module."""
    if not (FRONTEND_DIR / ".next" / "BUILD_ID").exists():
        pytest.fail(f"no built MdSC frontend in {FRONTEND_DIR}: see docs/mdsc-frontend.md")
    host, port = FRONTEND_ORIGIN.removeprefix("http://").split(":")
    server = subprocess.Popen(
        ["npx", "next", "start", "-H", host, "-p", port],
        cwd=FRONTEND_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NEXT_TELEMETRY_DISABLED": "1"},
    )
    try:
        _wait_until_up(FRONTEND_ORIGIN + "/login", 120)
        yield FRONTEND_ORIGIN
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def campus_for_frontend(live_server: Any, settings: Any) -> str:
    """Campus on the address the frontend was built for, allowing its origin."""
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND_ORIGIN]
    return str(live_server.url)


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="fr-FR", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(WAIT_SECONDS * 1000)
    yield page
    context.close()


def _log_in(page: Any, frontend: str, user: User) -> None:
    page.goto(f"{frontend}/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"**/dashboard/{user.role}**")


def test_the_catalogue_lists_campus_courses(
    frontend: str, campus_for_frontend: str, course: Course, page: Any
) -> None:
    page.goto(f"{frontend}/courses")
    page.get_by_text(course.title).first.wait_for()
    screenshot(page, "mdsc-frontend-catalogue")


def test_a_course_page_opens_by_its_slug(
    frontend: str, campus_for_frontend: str, course: Course, page: Any
) -> None:
    page.goto(f"{frontend}/courses/{course.slug}")
    page.get_by_text(course.title).first.wait_for()
    page.get_by_text(course.instructor.full_name).first.wait_for()  # "Votre formateur"
    screenshot(page, "mdsc-frontend-course")


def test_a_student_logs_in_and_is_greeted_by_name(
    frontend: str, campus_for_frontend: str, member: User, page: Any
) -> None:
    _log_in(page, frontend, member)
    page.get_by_text(f"Bonjour, {member.first_name}").first.wait_for()
    screenshot(page, "mdsc-frontend-student-dashboard")


def test_a_student_sees_their_courses(
    frontend: str, campus_for_frontend: str, member: User, course: Course, page: Any
) -> None:
    _log_in(page, frontend, member)
    page.goto(f"{frontend}/dashboard/student/courses")
    page.get_by_text(course.title).first.wait_for()
    screenshot(page, "mdsc-frontend-student-courses")


def test_a_certificate_is_verified_on_the_public_page(
    frontend: str, campus_for_frontend: str, owner: User, user_factory: Any, page: Any
) -> None:
    graduate = user_factory(Role.STUDENT, first_name="Chimène", last_name="Houngbo")
    enrollment = complete(graduate, short_course(owner))
    certificate = certificate_services.certificate_issue(actor=graduate, enrollment=enrollment)
    # The page upper-cases what is in its address: give it the code in lower case.
    page.goto(f"{frontend}/verify-certificate/{certificate.code.lower()}")
    page.get_by_text(enrollment.course.title).first.wait_for()
    page.get_by_text("Chimène Houngbo").first.wait_for()
    screenshot(page, "mdsc-frontend-verify-certificate")
