from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "campus.certificates"
    label = "certificates"
    verbose_name = _("Certificats")

    def ready(self) -> None:
        from campus.certificates import checks  # noqa: F401  (registers the settings check)
