from django.contrib import admin
from django.urls import include, path

from campus.accounts.views import set_language
from campus.api import api
from campus.core.views import favicon, preview

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("favicon.ico", favicon, name="favicon"),
    # The authoring forms' "Aperçu" (htmx): Markdown as it will show once saved.
    path("apercu", preview, name="preview"),
    # Django's set_language, also saving a logged-in user's language preference.
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("campus.accounts.urls")),
    path("", include("campus.courses.urls")),
    path("", include("campus.live.urls")),
    path("", include("campus.notifications.urls")),
    path("", include("campus.agenda.urls")),
    path("", include("campus.ratings.urls")),
    path("", include("campus.certificates.urls")),
    path("", include("campus.forum.urls")),
]
