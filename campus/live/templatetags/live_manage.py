"""Template filters of the instructor pages: what the state machine allows right now.

They ask the services' own predicates, so a page never offers an action the service
would refuse (no rule is written here)."""

from django import template
from django.utils import timezone

from campus.live import services
from campus.live.models import LiveSession

register = template.Library()


@register.filter
def startable(session: LiveSession) -> bool:
    """ "Démarrer" is offered from 30 minutes before the start to the scheduled end."""
    return services.can_start_now(session, now=timezone.now())
