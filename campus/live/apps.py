from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "campus.live"
    label = "live"
    verbose_name = _("Cours en direct")

    def ready(self) -> None:
        from campus.live import checks  # noqa: F401  (registers the Jitsi system checks)
