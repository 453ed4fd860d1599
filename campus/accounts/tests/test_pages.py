"""Account pages: register, login (throttled), logout, profile, password reset, language."""

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.translation import trans_real

from campus.accounts.models import Role, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Un-mot-de-passe-solide-42"


@pytest.fixture(scope="module")
def compiled_messages() -> None:
    """The English catalogue compiled (make does it before tests; this covers bare pytest)."""
    po = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command(
            "compilemessages", locale=["en"], ignore_patterns=[".venv", "var"], verbosity=0
        )
        trans_real._translations.clear()  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


# --- Register -------------------------------------------------------------------------


def test_register_page_renders_in_french() -> None:
    response = Client().get(reverse("accounts:register"))
    assert response.status_code == 200
    assert '<html lang="fr">' in html(response)
    assert "Créer un compte" in html(response)


def test_register_creates_a_logged_in_student_and_ignores_a_posted_role() -> None:
    client = Client()
    response = client.post(
        reverse("accounts:register"),
        {
            "first_name": "Aminata",
            "last_name": "Diallo",
            "email": "Aminata@Example.test",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "role": "admin",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    # The role's home: a new account is a student's, "Mes cours".
    assert response["Location"] == reverse("courses:home")
    assert client.get(reverse("courses:home"))["Location"] == reverse("courses:my_courses")
    user = User.objects.get(email="aminata@example.test")
    assert user.role == Role.STUDENT
    assert not user.is_staff and not user.is_superuser
    assert client.get(reverse("accounts:profile")).status_code == 200  # logged in


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"password2": "autre-chose-123"}, "Les deux mots de passe ne correspondent pas."),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
        ({"email": ""}, "Ce champ est obligatoire."),
        (
            {"password1": "12345678", "password2": "12345678"},
            "Ce mot de passe est entièrement numérique.",
        ),
    ],
)
def test_register_bad_input_shows_french_errors_and_writes_nothing(
    data: dict, expected: str
) -> None:
    payload = {
        "email": "nouveau@example.test",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    payload.update(data)
    response = Client().post(reverse("accounts:register"), payload)
    assert response.status_code == 400
    assert expected in html(response)
    assert not User.objects.exists()


def test_register_with_a_taken_email_is_a_conflict(outsider: User) -> None:
    response = Client().post(
        reverse("accounts:register"),
        {"email": outsider.email.upper(), "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    assert response.status_code == 409
    assert response.context["form"].errors["email"] == [
        "Un compte existe déjà avec cette adresse e-mail."
    ]
    assert "Un compte existe déjà avec cette adresse e-mail." in html(response)
    assert User.objects.count() == 1


# --- Login / logout -------------------------------------------------------------------


def test_login_page_renders() -> None:
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'type="password"' in html(response)
    assert 'autocomplete="current-password"' in html(response)


def test_login_logs_in_and_goes_to_my_courses(outsider: User) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"email": outsider.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:home")
    assert client.get(reverse("courses:home"))["Location"] == reverse("courses:my_courses")
    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_login_follows_a_local_next_only(outsider: User) -> None:
    url = reverse("accounts:login")
    ok = Client().post(url, {"email": outsider.email, "password": PASSWORD, "next": "/courses/x/"})
    assert ok["Location"] == "/courses/x/"
    evil = Client().post(
        url, {"email": outsider.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert evil["Location"] == reverse("courses:home")


def test_login_with_a_wrong_password_says_so_in_french(outsider: User) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"email": outsider.email, "password": "faux"})
    assert response.status_code == 400
    assert "E-mail ou mot de passe incorrect." in html(response)
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_repeated_failures(outsider: User) -> None:
    client = Client()
    url = reverse("accounts:login")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert client.post(url, {"email": outsider.email, "password": "faux"}).status_code == 400
    # Even the right password is refused while the window lasts.
    response = client.post(url, {"email": outsider.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives. Réessayez plus tard." in html(response)
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(outsider: User) -> None:
    client = logged_in(outsider)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- Navigation by role ---------------------------------------------------------------


def test_navigation_follows_the_role(outsider: User, owner: User, admin_user: User) -> None:
    anonymous = html(Client().get("/"))
    assert reverse("accounts:login") in anonymous
    assert reverse("courses:my_courses") not in anonymous
    student = html(logged_in(outsider).get("/"))
    teaching = f'href="{reverse("courses:teaching")}"'
    assert reverse("courses:my_courses") in student
    assert teaching not in student
    assert 'href="/admin/"' not in student
    instructor = html(logged_in(owner).get("/"))
    assert teaching in instructor  # "Enseigner" leads to the teaching dashboard
    assert 'href="/admin/"' not in instructor
    admin = html(logged_in(admin_user).get("/"))
    assert teaching in admin
    assert 'href="/admin/"' in admin
    assert reverse("courses:admin_overview") in admin


# --- Profile --------------------------------------------------------------------------


def test_profile_needs_login() -> None:
    response = Client().get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_profile_update_saves_and_switches_the_language(outsider: User) -> None:
    client = logged_in(outsider)
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": " Ada ",
            "last_name": "Lovelace",
            "timezone": "Europe/Paris",
            "language": "en",
        },
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert (outsider.first_name, outsider.timezone, outsider.language) == (
        "Ada",
        "Europe/Paris",
        "en",
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("accounts:profile"))
    assert '<html lang="en">' in html(page)


def test_profile_turns_the_data_saver_on_and_off(outsider: User) -> None:
    client = logged_in(outsider)
    fields = {"first_name": "A", "last_name": "B", "timezone": "Africa/Porto-Novo"}
    page = client.get(reverse("accounts:profile"))
    assert "Économiseur de données" in html(page)

    response = client.post(
        reverse("accounts:profile"), {**fields, "language": "fr", "data_saver": "on"}
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.data_saver is True
    checked_box = re.compile(r'<input[^>]*name="data_saver"[^>]*checked')
    assert checked_box.search(html(client.get(reverse("accounts:profile"))))

    client.post(reverse("accounts:profile"), {**fields, "language": "fr"})
    outsider.refresh_from_db()
    assert outsider.data_saver is False


def test_profile_refuses_an_unknown_time_zone(outsider: User) -> None:
    client = logged_in(outsider)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "X", "last_name": "Y", "timezone": "Mars/Olympus", "language": "fr"},
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide." in html(response)
    outsider.refresh_from_db()
    assert outsider.timezone == settings.DEFAULT_USER_TIME_ZONE and outsider.first_name != "X"


# --- Language switch ------------------------------------------------------------------


def test_language_switch_for_anonymous_visitors() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert '<html lang="en">' in html(page)
    assert page["Content-Language"] == "en"


def test_language_switch_saves_a_logged_in_users_preference(outsider: User) -> None:
    client = logged_in(outsider)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    outsider.refresh_from_db()
    assert outsider.language == "en"
    assert '<html lang="en">' in html(client.get("/"))
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    outsider.refresh_from_db()
    assert outsider.language == "fr"
    assert '<html lang="fr">' in html(client.get("/"))


def test_language_switch_ignores_unknown_languages(outsider: User) -> None:
    client = logged_in(outsider)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    outsider.refresh_from_db()
    assert outsider.language == "fr"


def test_pages_are_translated_to_english(compiled_messages: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get("/"))
    assert "Course catalogue" in page
    assert "Catalogue des cours" not in page


# --- Password reset -------------------------------------------------------------------


def test_password_reset_sends_a_link_that_sets_a_new_password(
    outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    assert client.get(reverse("accounts:password_reset")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": outsider.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == [outsider.email]
    assert message.subject == "Réinitialisation de votre mot de passe Campus"
    assert message.alternatives  # an HTML version too
    link = re.search(r"https?://\S+/accounts/reset/\S+/", str(message.body))
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    outsider.refresh_from_db()
    assert outsider.check_password(GOOD_PASSWORD)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("accounts:password_reset"), {"email": "personne@example.test"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_is_throttled(
    outsider: User, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    """Per address past PASSWORD_RESET_ADDRESS_LIMIT (429), per account at most
    PASSWORD_RESET_EMAIL_LIMIT emails (more in test_password_reset_limits.py)."""
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 10
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(reverse("accounts:password_reset"), {"email": outsider.email}).status_code
            for _ in range(11)
        ]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    assert len(mail.outbox) == 3  # one address gets at most three links an hour


def test_password_reset_with_a_bad_token_explains() -> None:
    response = Client().get("/accounts/reset/MQ/bad-token/", follow=True)
    assert response.status_code == 200
    assert "Ce lien n'est plus valable" in html(response)


# --- Error pages ----------------------------------------------------------------------


def test_404_page_is_french() -> None:
    response = Client().get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in html(response)


def test_500_page_renders_without_a_request_context() -> None:
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Une erreur inattendue s'est produite" in page
