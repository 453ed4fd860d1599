from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CoursesConfig(AppConfig):
    name = "campus.courses"
    label = "courses"
    verbose_name = pgettext_lazy("application", "Cours")  # "Courses", not "Course"
