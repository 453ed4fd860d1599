"""The one admin site, set up once: its branding ("Administration de Campus", in the
signed-in user's language, which UserPreferencesMiddleware activates) and the accepted
range of dates on every date and datetime field it edits."""

from django.contrib import admin
from django.contrib.admin import options
from django.db import models
from django.utils.translation import gettext_lazy as _

from campus.core.dates import validate_in_range

admin.site.site_header = _("Administration de Campus")
admin.site.site_title = _("Campus")
admin.site.index_title = _("Tableau de bord")


def _check_dates_in_range_everywhere() -> None:
    """Every ModelAdmin and inline, ours and any app's, builds its date and datetime form
    fields from Django's FORMFIELD_FOR_DBFIELD_DEFAULTS: one validator added there keeps a
    year 1 or 9999 typed in the admin from reaching the rows every page reads (the same
    rule and message as the API and the forms, campus.core.dates). A ModelAdmin copies
    these defaults when it is registered: this module is imported by the admin's
    autodiscovery before any Campus app registers its models, and a test walks every
    registered admin's date fields (campus/core/tests/test_admin_dates.py)."""
    for field_class in (models.DateField, models.DateTimeField):
        defaults = options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(field_class, {})
        defaults["validators"] = [validate_in_range]


_check_dates_in_range_everywhere()
