"""Every string a user can meet goes through gettext and has its English translation:
the admin's app, model and field names, choices, and strings built in Python (the
template strings are checked by `make i18n-check`, which also runs this file)."""

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real

from campus.accounts.models import User
from campus.ratings.forms import RatingForm

CAMPUS = Path(__file__).resolve().parents[2]
# Language names are written in their own language, never translated.
UNTRANSLATED_CHOICES = {("accounts", "user", "language")}


def _english_catalog() -> Any:
    return trans_real.translation("en")._catalog  # type: ignore[attr-defined]


def _msgid(value: object) -> str | None:
    """The catalog key behind a gettext_lazy or pgettext_lazy proxy (None when it is
    not one): the msgid, or "context\x04msgid"."""
    if not isinstance(value, Promise):
        return None
    args: tuple[object, ...] = getattr(value, "_args", ())
    if len(args) == 2 and all(isinstance(arg, str) for arg in args):
        return f"{args[0]}\x04{args[1]}"
    return args[0] if len(args) == 1 and isinstance(args[0], str) else None


def _translated(value: object) -> bool:
    """In Campus's English catalog, or an English msgid Django itself translates (the
    fields AbstractBaseUser and PermissionsMixin bring: "password", "groups"…)."""
    if _msgid(value) in _english_catalog():
        return True
    with translation.override("fr"):
        french = str(value)
    with translation.override("en"):
        return french != str(value)


def _names() -> list[tuple[str, object]]:
    """(where, value) of every app, model and field name and choice label of Campus."""
    found: list[tuple[str, object]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("campus."):
            continue
        found.append((f"app {config.label}", config.verbose_name))
        for model in config.get_models():
            meta = model._meta
            where = f"{meta.app_label}.{model.__name__}"
            found.append((where, meta.verbose_name))
            found.append((f"{where} (plural)", meta.verbose_name_plural))
            for field in meta.get_fields():
                if not isinstance(field, models.Field) or field.auto_created:
                    continue
                found.append((f"{where}.{field.name}", field.verbose_name))
                key = (meta.app_label, meta.model_name, field.name)
                if field.choices and key not in UNTRANSLATED_CHOICES:
                    for value, label in field.flatchoices:
                        found.append((f"{where}.{field.name}={value}", label))
    return found


def test_every_app_model_field_and_choice_name_is_lazily_translated() -> None:
    not_lazy = [where for where, value in _names() if _msgid(value) is None]
    assert not not_lazy, f"not wrapped in gettext_lazy: {not_lazy}"
    untranslated = [(where, _msgid(value)) for where, value in _names() if not _translated(value)]
    assert not untranslated, f"no English translation (locale/en): {untranslated}"


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser(email="root@example.test", password="x" * 12)


def _admin_index(user: User, language: str) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


FRENCH_APP_AND_MODEL_NAMES = [
    "Comptes",
    "Cours en direct",
    "Certificats",
    "Leçons terminées",
    "Tentatives de quiz",
    "Inscriptions",
    "Sessions en direct",
    "Sujets",
]


def test_the_english_admin_is_campus_and_english(superuser: User) -> None:
    page = _admin_index(superuser, "en")
    assert "<title>Dashboard | Campus</title>" in page
    assert "Campus administration" in page
    assert "Django" not in page
    for app in ["Accounts", "Live classes", "Courses", "Calendar", "Reviews", "Forum"]:
        assert f'title="Models in the {app} application"' in page, app
    for name in ["Lesson completions", "Quiz attempts", "Quizzes", "Study plans"]:
        assert f">{name}<" in page, name
    for name in ["Enrollments", "Live sessions", "Topics", "Replies", "Certificates", "Reviews"]:
        assert f">{name}<" in page, name
    for french in FRENCH_APP_AND_MODEL_NAMES:
        assert f">{french}<" not in page, french


def test_the_french_admin_is_campus_and_french(superuser: User) -> None:
    page = _admin_index(superuser, "fr")
    assert "<title>Tableau de bord | Campus</title>" in page
    assert "Administration de Campus" in page
    assert "Administration de Django" not in page
    for french in FRENCH_APP_AND_MODEL_NAMES:
        assert f">{french}<" in page, french
    for english in ["Courses", "Lesson completions", "Quiz attempts", "Accounts"]:
        assert f">{english}<" not in page, english


def test_an_english_admin_list_has_english_columns(superuser: User, member: User) -> None:
    superuser.language = "en"
    superuser.save(update_fields=["language"])
    client = Client()
    client.force_login(superuser)
    page = client.get("/admin/courses/enrollment/").content.decode()
    assert "Progress (%)" in page and "Enrolled" in page
    assert "Progression" not in page and "Date d&#x27;inscription" not in page


def test_every_registered_model_is_a_campus_or_django_model() -> None:
    # The admin index test above covers the Campus models; Django's own (groups) come
    # translated with Django.
    labels = {model._meta.app_label for model in admin.site._registry}
    assert labels <= {config.label for config in apps.get_app_configs()}


@pytest.mark.parametrize(
    ("language", "one", "five"), [("fr", "1 étoile", "5 étoiles"), ("en", "1 star", "5 stars")]
)
def test_star_labels_follow_the_visitors_language(language: str, one: str, five: str) -> None:
    with translation.override(language):
        html = str(RatingForm()["rating"])
    labels = re.findall(r"</?input[^>]*>\s*([^<]+?)\s*</label>", html)
    assert labels[0] == one and labels[4] == five


# --- French text built in Python must go through gettext --------------------------------

FRENCH = re.compile(r"[éèêëàâçôûùîïœÉÈÊÀÇ«»]")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# French that is data, not interface: the demo's content, the command-line help, the
# date formats, the language names, the OpenAPI descriptions.
SKIP_DIRS = {"tests", "migrations", "management", "formats"}
SKIP_KEYWORDS = {"description", "summary", "help"}
ALLOWED = {("accounts/models.py", "Français")}


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _french_outside_gettext(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parent: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[child] = node
    found = []
    relative = path.relative_to(CAMPUS).as_posix()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if not FRENCH.search(node.value) or (relative, node.value) in ALLOWED:
            continue
        up = parent.get(node)
        if isinstance(up, ast.Expr):  # a docstring
            continue
        if isinstance(up, ast.keyword) and up.arg in SKIP_KEYWORDS:
            continue
        while up is not None and not isinstance(up, ast.Call | ast.stmt):
            up = parent.get(up)
        if isinstance(up, ast.Call) and _call_name(up) in GETTEXT:
            continue
        found.append(f"{relative}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_no_french_string_is_built_outside_gettext() -> None:
    """A French literal in Python that no gettext call wraps is never translated (and a
    gettext imported under another name, such as `_t`, is not extracted either)."""
    found = []
    for path in sorted(CAMPUS.rglob("*.py")):
        if SKIP_DIRS.intersection(path.relative_to(CAMPUS).parts):
            continue
        found += _french_outside_gettext(path)
    assert not found, "French text outside gettext:\n" + "\n".join(found)
