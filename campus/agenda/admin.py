from django.contrib import admin

from campus.agenda.models import CalendarToken, PlanItem, StudyPlan


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    raw_id_fields = ["lesson", "quiz"]
    fields = ["position", "kind", "title", "starts_at", "ends_at", "segment", "segments", "status"]


@admin.register(StudyPlan)
class StudyPlanAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "minutes_per_day", "starts_on", "finishes_on", "fits"]
    list_select_related = ["enrollment__user", "enrollment__course"]
    raw_id_fields = ["enrollment"]
    inlines = [PlanItemInline]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # The secret is never shown: an admin regenerates it through the user's page.
    exclude = ["token"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False
