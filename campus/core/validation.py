"""Pydantic's English validation errors turned into field errors in the user's language."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from campus.core.errors import ValidationFailed


def _messages() -> dict[str, Callable[[dict[str, Any]], str]]:
    return {
        "missing": lambda c: _("Ce champ est obligatoire."),
        "string_too_long": lambda c: _("Au plus %(n)s caractères.") % {"n": c.get("max_length")},
        "string_too_short": lambda c: _("Au moins %(n)s caractères.") % {"n": c.get("min_length")},
        "too_long": lambda c: _("Au plus %(n)s éléments.") % {"n": c.get("max_length")},
        "too_short": lambda c: _("Au moins %(n)s éléments.") % {"n": c.get("min_length")},
        "greater_than_equal": lambda c: (
            _("Doit être supérieur ou égal à %(n)s.") % {"n": c.get("ge")}
        ),
        "greater_than": lambda c: _("Doit être supérieur à %(n)s.") % {"n": c.get("gt")},
        "less_than_equal": lambda c: _("Doit être inférieur ou égal à %(n)s.") % {"n": c.get("le")},
        "less_than": lambda c: _("Doit être inférieur à %(n)s.") % {"n": c.get("lt")},
        "int_parsing": lambda c: _("Un nombre entier est attendu."),
        "int_type": lambda c: _("Un nombre entier est attendu."),
        "int_from_float": lambda c: _("Un nombre entier est attendu."),
        "float_parsing": lambda c: _("Un nombre est attendu."),
        "bool_parsing": lambda c: _("Une valeur vrai/faux est attendue."),
        "bool_type": lambda c: _("Une valeur vrai/faux est attendue."),
        "string_type": lambda c: _("Un texte est attendu."),
        "list_type": lambda c: _("Une liste est attendue."),
        "dict_type": lambda c: _("Un objet est attendu."),
        "model_attributes_type": lambda c: _("Un objet est attendu."),
        "datetime_parsing": lambda c: _("Date et heure invalides (ISO 8601 attendu)."),
        "datetime_from_date_parsing": lambda c: _("Date et heure invalides (ISO 8601 attendu)."),
        "datetime_type": lambda c: _("Date et heure invalides (ISO 8601 attendu)."),
        "date_parsing": lambda c: _("Date invalide (AAAA-MM-JJ attendu)."),
        "date_from_datetime_parsing": lambda c: _("Date invalide (AAAA-MM-JJ attendu)."),
        "timezone_aware": lambda c: _(
            "Le fuseau horaire est obligatoire (ex. 2026-01-01T10:00:00+01:00)."
        ),
        "enum": lambda c: (
            _("Valeur non autorisée. Valeurs possibles : %(v)s.") % {"v": c.get("expected")}
        ),
        "literal_error": lambda c: (
            _("Valeur non autorisée. Valeurs possibles : %(v)s.") % {"v": c.get("expected")}
        ),
        "url_parsing": lambda c: _("Adresse web invalide."),
        "url_scheme": lambda c: _("Adresse web invalide (http ou https)."),
        "value_error": lambda c: str(c.get("error", _("Valeur invalide."))),
        "extra_forbidden": lambda c: _("Ce champ n'est pas accepté."),
        # campus.core.dates: the message is built (translated) when the value is checked.
        "date_out_of_range": lambda c: str(c.get("message", _("Valeur invalide."))),
    }


def _field_name(loc: list[Any]) -> str:
    # ninja prefixes locations with the parameter source and name: ("body", "payload", "x").
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in {"payload", "data", "query", "params", "filters"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


def translate_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    messages = _messages()
    out = []
    for err in errors:
        code = str(err.get("type", "invalid"))
        ctx = err.get("ctx") or {}
        render = messages.get(code)
        message = render(ctx) if render else _("Valeur invalide.")
        out.append(
            {"field": _field_name(list(err.get("loc", []))), "code": code, "message": message}
        )
    return out


# Field codes that also become the response's own code when they are its only errors
# (clients switch on them, as on a service's headline error).
HEADLINE_CODES = {"date_out_of_range"}


def headline(details: list[dict[str, str]]) -> tuple[str, str] | None:
    """(code, message) for the response when every field error shares one headline code."""
    codes = {d["code"] for d in details}
    if len(codes) == 1 and codes <= HEADLINE_CODES:
        return details[0]["code"], details[0]["message"]
    return None


# --- Domain validation shared by every app's services ----------------------------------


def field_error(
    field: str, message: Any, code: str = "invalid", *, headline: bool = False
) -> ValidationFailed:
    """A 400 naming the field at fault. With `headline`, the rule broken is also the
    top-level code and message (for rules clients switch on, e.g. `end_before_start`)."""
    details = [{"field": field, "code": code, "message": str(message)}]
    if headline:
        return ValidationFailed(message, code=code, details=details)
    return ValidationFailed(details=details)


def clean_title(title: str, *, max_length: int = 200) -> str:
    """Stripped, non-blank, bounded: every title in Campus."""
    cleaned = (title or "").strip()
    if not cleaned:
        raise field_error("title", _("Le titre est obligatoire."), "title_required")
    check_max_length("title", cleaned, max_length)
    return cleaned


def check_max_length(field: str, value: str | None, max_length: int) -> None:
    if len(value or "") > max_length:
        raise field_error(
            field, _("Au plus %(n)s caractères.") % {"n": max_length}, "string_too_long"
        )
