import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="campus.core.tasks.beat_heartbeat")
def beat_heartbeat() -> str:
    """Periodic proof that beat and a worker run: records when it last ran."""
    stamp = timezone.now().isoformat()
    cache.set("campus:beat:last", stamp, timeout=None)
    return stamp


@shared_task(name="campus.core.tasks.echo", ignore_result=False)
def echo(value: str) -> str:
    """Round-trip task used by the worker integration test."""
    return value
