from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "campus.agenda"
    label = "agenda"
    verbose_name = "Agenda"
