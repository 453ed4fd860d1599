from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "campus.core"
    label = "core"
    verbose_name = _("Campus")

    def ready(self) -> None:
        from campus.core import checks  # noqa: F401  (registers the system checks)
