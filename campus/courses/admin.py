from django.contrib import admin

from campus.courses.models import (
    Course,
    Enrollment,
    Lesson,
    LessonCompletion,
    Module,
    Question,
    Quiz,
    QuizAttempt,
)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0
    fields = ["title", "content_type", "duration_minutes", "is_required", "position"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "instructor", "status", "course_type", "max_students", "created_at"]
    list_filter = ["status", "course_type"]
    list_select_related = ["instructor"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["instructor"]
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "position"]
    list_select_related = ["course"]
    raw_id_fields = ["course"]
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "content_type", "duration_minutes", "is_required"]
    list_select_related = ["module"]
    raw_id_fields = ["module", "course"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "module", "passing_score", "max_attempts", "due_at"]
    list_select_related = ["course", "module"]
    raw_id_fields = ["course", "module", "final_for"]
    inlines = [QuestionInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "status", "is_active", "progress_percentage", "enrolled_at"]
    list_filter = ["status", "is_active"]
    list_select_related = ["user", "course"]
    raw_id_fields = ["user", "course"]
    search_fields = ["user__email", "course__title"]


@admin.register(LessonCompletion)
class LessonCompletionAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "lesson", "completed_at"]
    raw_id_fields = ["enrollment", "lesson"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "quiz", "attempt_number", "score", "passed", "submitted_at"]
    raw_id_fields = ["enrollment", "quiz"]
