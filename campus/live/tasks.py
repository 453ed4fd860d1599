"""Live sessions' Celery tasks: take ids (or nothing), call a service."""

from celery import Task, shared_task
from django.conf import settings

from campus.live import recordings, services


@shared_task(name="campus.live.tasks.close_stale_attendance")
def close_stale_attendance() -> int:
    """Beat, every minute: close intervals without a heartbeat for 2 minutes."""
    return services.attendance_close_stale()


@shared_task(name="campus.live.tasks.auto_end_sessions")
def auto_end_sessions() -> int:
    """Beat, every minute: end sessions forgotten live long after their scheduled end."""
    return len(services.sessions_auto_end())


# A recording's link works 24 hours (JaaS): the retries wait 2, 4, 8 … minutes, at most
# 2 hours each (with jitter, often less), so the 8 attempts are over within about 4
# hours of the first, well before the link expires.
RECORDING_RETRY_BACKOFF = 120
RECORDING_RETRY_BACKOFF_MAX = 2 * 3600


@shared_task(
    name="campus.live.tasks.recording_fetch",
    bind=True,
    autoretry_for=(recordings.FetchRetry,),
    retry_backoff=RECORDING_RETRY_BACKOFF,
    retry_backoff_max=RECORDING_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=max(settings.RECORDING_FETCH_ATTEMPTS - 1, 0),
)
def recording_fetch(self: Task, recording_id: int) -> str:
    """After a recording-uploaded event: fetch the file into Campus's storage. A
    transient failure retries with backoff; the last attempt marks it failed."""
    final = self.request.retries >= (self.max_retries or 0)
    return recordings.fetch(recording_id, final=final)
