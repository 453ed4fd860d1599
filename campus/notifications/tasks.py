"""Notifications' Celery tasks: take ids (or nothing), call a service."""

from celery import shared_task

from campus.notifications import live_notices, services


@shared_task(name="campus.notifications.tasks.send_reminders")
def send_reminders() -> int:
    """Beat, every minute: create the session reminders that are due, then deliver."""
    created = live_notices.reminders_sweep()
    if created:
        deliver_emails.delay()
    return created


@shared_task(name="campus.notifications.tasks.deliver_emails")
def deliver_emails() -> int:
    """Beat, every minute, and after each fan-out: send due emails, batch after batch,
    until none is due (retries wait for their time)."""
    handled = 0
    while True:
        report = services.deliver_pending()
        handled += report.handled
        if report.handled < services.DELIVERY_BATCH:
            return handled
