"""Celery app. Embedded default broker: kombu's filesystem transport under ./var/broker;
production: Redis or RabbitMQ through CELERY_BROKER_URL."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")

app = Celery("campus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
