from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CoursesConfig(AppConfig):
    name = "campus.courses"
    label = "courses"
    verbose_name = pgettext_lazy("application", "Cours")  # "Courses", not "Course"

    def ready(self) -> None:
        from campus.courses import grants

        grants.connect()  # access stamps follow every write that could change access
