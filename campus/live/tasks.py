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


@shared_task(
    name="campus.live.tasks.send_session_notice",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_session_notice(
    session_id: int, user_id: int, sender_id: int, title: str, message: str
) -> bool:
    """One member's copy of the owner's message (queued by services.session_notify)."""
    return services.session_notice_deliver(
        session_id=session_id, user_id=user_id, sender_id=sender_id, title=title, message=message
    )
