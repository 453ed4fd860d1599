"""Live sessions' Celery tasks: take ids (or nothing), call a service."""

from celery import shared_task

from campus.live import services


@shared_task(name="campus.live.tasks.close_stale_attendance")
def close_stale_attendance() -> int:
    """Beat, every minute: close intervals without a heartbeat for 2 minutes."""
    return services.attendance_close_stale()


@shared_task(name="campus.live.tasks.auto_end_sessions")
def auto_end_sessions() -> int:
    """Beat, every minute: end sessions forgotten live long after their scheduled end."""
    return len(services.sessions_auto_end())
