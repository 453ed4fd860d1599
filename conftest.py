"""Shared fixtures: actors of the authorization table, a published course with content,
and an API client that speaks the envelope."""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campus.accounts.models import Role, User
from campus.accounts.tokens import token_issue
from campus.courses import services as course_services
from campus.courses.models import Course

PASSWORD = "Campus-test-2026!"


@pytest.fixture(autouse=True)
def _eager_celery_and_fresh_cache(settings: Any, request: Any) -> Any:
    """Tasks run inline; each test gets an empty cache (rate-limit counters start at 0)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{request.node.nodeid}",
        }
    }
    yield


class ApiClient:
    """Calls /api/... with an optional bearer token and decodes the JSON body."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, data: Any = None, raw: str | None = None, **kw: Any):
        body = raw if raw is not None else (json.dumps(data) if data is not None else None)
        call = getattr(self.client, method.lower())
        if method.upper() == "GET":
            response = call(path, data or {}, **self._headers(), **kw)
        else:
            response = call(path, body, content_type="application/json", **self._headers(), **kw)
        try:
            response.json_body = response.json()
        except ValueError:
            response.json_body = None
        return response

    def get(self, path: str, params: dict | None = None, **kw: Any):
        return self.request("GET", path, params, **kw)

    def post(self, path: str, data: Any = None, **kw: Any):
        return self.request("POST", path, data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any):
        return self.request("PUT", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any):
        return self.request("PATCH", path, data, **kw)

    def delete(self, path: str, data: Any = None, **kw: Any):
        return self.request("DELETE", path, data, **kw)


def make_user(email: str, role: str = Role.STUDENT, **fields: Any) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, role=role, **fields)
    if role == Role.ADMIN:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def user_factory(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def factory(role: str = Role.STUDENT, **fields: Any) -> User:
        counter["n"] += 1
        email = fields.pop("email", f"{role}{counter['n']}@example.test")
        fields.setdefault("first_name", role.capitalize())
        fields.setdefault("last_name", str(counter["n"]))
        return make_user(email, role, **fields)

    return factory


def api_for(user: User | None) -> ApiClient:
    if user is None:
        return ApiClient()
    raw, _ = token_issue(user=user)
    return ApiClient(raw)


@pytest.fixture
def api() -> Callable[[User | None], ApiClient]:
    return api_for


@pytest.fixture
def owner(user_factory: Callable[..., User]) -> User:
    return user_factory(Role.INSTRUCTOR, first_name="Awa", last_name="Formatrice")


@pytest.fixture
def other_instructor(user_factory: Callable[..., User]) -> User:
    return user_factory(Role.INSTRUCTOR)


@pytest.fixture
def admin_user(user_factory: Callable[..., User]) -> User:
    return user_factory(Role.ADMIN)


@pytest.fixture
def outsider(user_factory: Callable[..., User]) -> User:
    return user_factory(Role.STUDENT)


def build_course(
    owner: User,
    *,
    title: str = "Introduction à Python",
    lessons_per_module: int = 2,
    modules: int = 2,
    with_final: bool = True,
    publish: bool = True,
    **fields: Any,
) -> Course:
    """A course with modules, lessons, module quizzes and a final evaluation, through the
    same services the product uses."""
    course = course_services.course_create(
        actor=owner, title=title, description="Un cours.", **fields
    )
    for m in range(modules):
        module = course_services.module_create(actor=owner, course=course, title=f"Module {m + 1}")
        for n in range(lessons_per_module):
            course_services.lesson_create(
                actor=owner,
                module=module,
                title=f"Leçon {m + 1}.{n + 1}",
                body="Texte de la leçon.",
                duration_minutes=15,
            )
        quiz = course_services.quiz_create(
            actor=owner, course=course, module=module, title=f"Quiz {m + 1}"
        )
        course_services.question_create(
            actor=owner, quiz=quiz, text="2 + 2 ?", choices=["3", "4"], correct_choices=[1]
        )
    if with_final:
        final = course_services.quiz_create(
            actor=owner, course=course, title="Évaluation finale", passing_score=50, max_attempts=3
        )
        course_services.question_create(
            actor=owner,
            quiz=final,
            text="Capitale du Bénin ?",
            choices=["Cotonou", "Porto-Novo"],
            correct_choices=[1],
        )
    if publish:
        course_services.course_set_published(actor=owner, course=course, published=True)
    course.refresh_from_db()
    return course


@pytest.fixture
def course(owner: User) -> Course:
    return build_course(owner)


@pytest.fixture
def draft_course(owner: User) -> Course:
    return build_course(owner, title="Brouillon", publish=False)


@pytest.fixture
def member(user_factory: Callable[..., User], course: Course) -> User:
    user = user_factory(Role.STUDENT, first_name="Koffi", last_name="Étudiant")
    course_services.enrollment_create(actor=user, course=course)
    return user


@pytest.fixture
def actors(
    owner: User, other_instructor: User, admin_user: User, outsider: User, member: User
) -> dict:
    """The six actors of ARCHITECTURE.md's authorization table."""
    return {
        "anonymous": None,
        "outsider": outsider,
        "member": member,
        "owner": owner,
        "other_instructor": other_instructor,
        "admin": admin_user,
    }


def assert_error(response: Any, status: int, code: str | None = None) -> dict:
    """The one error shape: {"success": false, "message", "code", "error": {"code", "details"}}."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert body["success"] is False
    assert isinstance(body["message"], str) and body["message"]
    assert set(body["error"]) == {"code", "details"}
    assert body["code"] == body["error"]["code"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body


def is_postgres_or_mariadb() -> bool:
    from django.db import connection

    return connection.vendor in {"postgresql", "mysql"}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # A suite run with CAMPUS_REQUIRE_ALL=1 (CI's database matrix) must not skip anything.
    config._campus_require_all = os.environ.get("CAMPUS_REQUIRE_ALL") == "1"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if getattr(config, "_campus_require_all", False) and skipped:
        terminalreporter.write_line(
            f"CAMPUS_REQUIRE_ALL: {len(skipped)} test(s) skipped; failing the run."
        )
        terminalreporter._session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """PBKDF2 at production strength costs ~0.3 s per user: tests hash with MD5."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Browser tests (make test-browser): Debian's Chromium driven by Playwright ----------

CHROMIUM = os.environ.get("CAMPUS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("CAMPUS_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture(scope="session")
def chromium() -> Any:
    """A headless Chromium. A missing browser is a failure, never a skip: the browser
    gate must not pass without running."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test itself are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# What Chromium writes to the console when the Content-Security-Policy or the
# Permissions-Policy refuses something ("Refused to load the script … because it violates
# the following Content Security Policy directive", "Permissions policy violation: camera
# is not allowed …", "Error with Permissions-Policy header: …"), and what campus.js
# writes when htmx is asked to evaluate a string.
POLICY_MESSAGES = (
    "content security policy",
    "content-security-policy",
    "permissions policy",
    "permissions-policy",
)


@pytest.fixture(autouse=True)
def _fail_on_policy_violations(request: Any, monkeypatch: Any) -> Any:
    """Browser tests run under the real policies: every context they open (the fixtures
    below or chromium.new_context) reports its console and its uncaught errors here, and
    a policy violation or an uncaught error fails the test at teardown."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    from playwright.sync_api import Browser

    problems: list[str] = []
    open_context = Browser.new_context

    def watch(message: Any) -> None:
        if any(marker in message.text.lower() for marker in POLICY_MESSAGES):
            problems.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def new_context(self: Any, *args: Any, **kwargs: Any) -> Any:
        context = open_context(self, *args, **kwargs)
        context.on("console", watch)
        context.on("weberror", lambda error: problems.append(f"uncaught: {error.error}"))
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield
    if problems:
        pytest.fail("policy violations or page errors in the browser:\n" + "\n".join(problems))


@pytest.fixture
def browser_page(chromium: Any, request: Any) -> Any:
    """A fresh browser context (phone-sized unless a test resizes), French first."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for a human to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def new_browser_page(chromium: Any) -> Any:
    """Factory for several users at once (an instructor and a student): each call opens
    its own browser context (own cookies), phone-sized, French first."""
    contexts: list[Any] = []

    def factory() -> Any:
        context = chromium.new_context(locale="fr-FR", viewport=PHONE)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


def browser_login(page: Any, base_url: str, email: str, password: str) -> None:
    """Log in through the real login form and wait until the redirect is done."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "/accounts/login" in page.url:
        raise AssertionError(f"login failed for {email}")


def screenshot_sizes(page: Any, name: str) -> None:
    """Screenshots at desktop and phone widths (<name>-desktop.png, <name>-phone.png),
    leaving the page at phone width."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
