from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "campus.certificates"
    label = "certificates"
    verbose_name = "Certificats"

    def ready(self) -> None:
        from campus.certificates import checks  # noqa: F401  (registers the settings check)
