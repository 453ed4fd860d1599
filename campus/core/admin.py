"""The admin's branding, set once for the one admin site: "Administration de Campus",
in the signed-in user's language (UserPreferencesMiddleware activates it)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Administration de Campus")
admin.site.site_title = _("Campus")
admin.site.index_title = _("Tableau de bord")
