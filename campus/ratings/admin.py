from django.contrib import admin

from campus.ratings.models import CourseRating


@admin.register(CourseRating)
class CourseRatingAdmin(admin.ModelAdmin):
    list_display = ("id", "course", "user", "rating", "status", "is_anonymous", "created_at")
    list_filter = ("status", "is_anonymous", "would_recommend")
    search_fields = ("course__title", "user__email", "comment")
    raw_id_fields = ("course", "user", "enrollment", "moderated_by")
    readonly_fields = ("created_at", "updated_at", "moderated_at")
    list_select_related = ("course", "user")
