from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "campus.live"
    label = "live"
    verbose_name = _("Cours en direct")

    def ready(self) -> None:
        # Importing checks registers the Jitsi system checks.
        from campus.live import checks, grants  # noqa: F401

        grants.connect()  # a session's access stamp follows its row (moved, deleted)
