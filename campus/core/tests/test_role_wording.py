"""Users have no gender in Campus, so nothing it writes to them assumes one: no
"Formateur" shown to a woman who teaches. Walks the demo as each role (every page
reachable from its home, in French and in English), its notification emails and its
certificate PDFs, and looks for the gendered role words."""

import io
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from campus.accounts.models import Role, User
from campus.certificates.models import Certificate
from campus.certificates.pdf import render_certificate
from campus.notifications.emails import notification_email
from campus.notifications.models import Notification

pytestmark = pytest.mark.django_db

GENDERED = re.compile(
    r"\b(format(?:eur|rice)s?|instruct(?:eur|rice)s?|enseignante?s?)\b"
    r"|(?:\bl['\N{RIGHT SINGLE QUOTATION MARK}]|\bun |\bune )étudiante?\b",
    re.IGNORECASE,
)
CAMPUS = Path(__file__).resolve().parents[2]
HREF = re.compile(r'href="(/[^"]*)"')
# Links that change state on GET, stream files the checks below read otherwise, or
# lead into the admin's hundreds of forms.
SKIP = re.compile(r"logout|/api/|\.ics|/feed|/static/|/admin/.+|/attendance|/download")
PAGES_PER_ROLE = 40


@pytest.fixture
def demo(settings: Any) -> None:
    settings.DEBUG = True
    call_command("demo", force=True, verbosity=0)


def _crawl(user: User, start: list[str]) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[url] = ""
            continue
        html = response.content.decode()
        seen[url] = html
        for href in HREF.findall(html):
            # One visit per path: the calendar alone links hundreds of ?date= variants.
            link = urlsplit(urldefrag(href).url).path
            if link and not SKIP.search(link) and link not in seen:
                queue.append(link)
    return seen


def _offences(text: str) -> list[str]:
    return sorted({match.group(0) for match in GENDERED.finditer(text)})


@pytest.mark.usefixtures("demo")
def test_no_gendered_role_word_on_the_pages_of_each_role() -> None:
    found: dict[str, list[str]] = {}
    walked: set[str] = set()
    for language in ("fr", "en"):
        for role in (Role.STUDENT, Role.INSTRUCTOR, Role.ADMIN):
            user = User.objects.filter(role=role).order_by("pk").first()
            assert user is not None
            user.language = language
            user.save(update_fields=["language"])
            for url, html in _crawl(user, ["/", "/accounts/profile", "/admin/"]).items():
                if html:
                    walked.add(url)
                if offences := _offences(html):
                    found[f"{language} {role} {url}"] = offences
    # The walk reached the pages, not only the homes.
    assert len(walked) > 40
    assert any("/lessons/" in url for url in walked)
    assert any("/live-sessions/" in url for url in walked)
    assert any("/forum" in url for url in walked)
    assert not found, found


@pytest.mark.usefixtures("demo")
def test_no_gendered_role_word_in_the_emails_and_certificates() -> None:
    notifications = list(Notification.objects.select_related("user"))
    assert notifications
    texts = []
    for notification in notifications:
        message = notification_email(notification)
        if message is not None:
            texts.append(f"{message.subject}\n{message.body}")
            texts += [str(content) for content, _mimetype in message.alternatives]
    certificates = list(Certificate.objects.all())
    assert certificates
    for certificate in certificates:
        reader = PdfReader(io.BytesIO(render_certificate(certificate)))
        text = reader.pages[0].extract_text()
        assert "Responsable du cours" in text or "Course instructor" in text
        texts.append(text)
    found = [offences for text in texts if (offences := _offences(text))]
    assert not found, found


def test_no_gendered_role_word_in_the_source() -> None:
    """Also the messages no page of the demo shows (API errors, refusals): every
    template and every Python string outside the tests."""
    found = []
    for path in sorted(CAMPUS.rglob("*")):
        parts = path.relative_to(CAMPUS).parts
        if path.suffix not in {".py", ".html", ".txt"} or {"tests", "migrations"} & set(parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if offences := _offences(line):
                found.append(f"{'/'.join(parts)}:{number}: {offences}")
    assert not found, found
