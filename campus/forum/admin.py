from django.contrib import admin

from campus.forum.models import Forum, Reply, Report, Topic


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "is_locked", "created_at"]
    list_select_related = ["course"]
    raw_id_fields = ["course"]
    search_fields = ["title", "course__title"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "forum", "author", "is_pinned", "is_locked", "is_hidden"]
    list_filter = ["is_pinned", "is_locked", "is_hidden"]
    list_select_related = ["forum", "author"]
    raw_id_fields = ["forum", "author", "last_reply_by", "solution"]
    # Counters are the services' (recomputed under a lock): never edited by hand.
    readonly_fields = ["view_count", "reply_count", "last_reply_at", "last_reply_by", "activity_at"]
    search_fields = ["title"]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "topic", "author", "is_deleted", "is_hidden", "created_at"]
    list_filter = ["is_deleted", "is_hidden"]
    list_select_related = ["topic", "author"]
    raw_id_fields = ["topic", "author"]
    # The thread (parent, root) is set once by the services: an edited parent would leave
    # the root, and the tree's pages, out of step.
    readonly_fields = ["parent", "root", "upvotes", "downvotes"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "reason",
        "status",
        "reporter",
        "topic",
        "reply",
        "created_at",
        "resolution",
        "resolved_by",
        "resolved_at",
    ]
    list_filter = ["status", "resolution"]
    list_select_related = ["reporter", "topic", "reply", "resolved_by"]
    raw_id_fields = ["reporter", "topic", "reply", "resolved_by"]
