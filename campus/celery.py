"""Celery app. Embedded default broker: kombu's filesystem transport under ./var/broker;
production: Redis or RabbitMQ through CELERY_BROKER_URL."""

import os
from typing import Any

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")

app = Celery("campus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_unsafe_production(**kwargs: Any) -> None:
    # SystemExit, not an exception: Celery logs and ignores exceptions from receivers.
    from campus.core.checks import production_problems

    problems = production_problems()
    if problems:
        raise SystemExit("Campus refuses to start: " + " ".join(problems))
