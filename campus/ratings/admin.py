from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from campus.ratings import services
from campus.ratings.models import CourseRating


@admin.register(CourseRating)
class CourseRatingAdmin(admin.ModelAdmin):
    list_display = ("id", "course", "user", "rating", "status", "is_anonymous", "created_at")
    list_filter = ("status", "is_anonymous", "would_recommend")
    search_fields = ("course__title", "user__email", "comment")
    raw_id_fields = ("course", "user", "enrollment", "moderated_by")
    readonly_fields = ("created_at", "updated_at", "moderated_at")
    list_select_related = ("course", "user")

    # An edit here bypasses the services: the course's statistics (and with them the
    # version its cached public list is kept under, campus.ratings.public) follow it.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.reviews_edited_elsewhere(course_id=obj.course_id)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        services.reviews_edited_elsewhere(course_id=obj.course_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        course_ids = set(queryset.values_list("course_id", flat=True))
        super().delete_queryset(request, queryset)
        for course_id in course_ids:
            services.reviews_edited_elsewhere(course_id=course_id)
