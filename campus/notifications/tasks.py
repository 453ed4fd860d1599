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
    until none is due (retries wait for their time).

    Several of these run at once when Campus scales out, and they list the same due
    emails: each sends those it locks first and skips the others'. So a full list goes
    on to the next batch even when this worker sent only part of it; a full list of
    which it sent nothing means other workers hold those rows and carry on."""
    handled = 0
    while True:
        report = services.deliver_pending()
        handled += report.handled
        if report.listed < services.DELIVERY_BATCH or report.handled == 0:
            return handled
