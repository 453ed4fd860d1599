from celery import shared_task

from campus.accounts import emails
from campus.accounts.models import User


@shared_task(
    name="campus.accounts.tasks.send_welcome_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_welcome_email(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        emails.send_welcome(user)


@shared_task(
    name="campus.accounts.tasks.send_password_reset_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_password_reset_email(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None and user.has_usable_password():
        emails.send_password_reset(user)
