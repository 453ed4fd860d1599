"""Reads of accounts beyond one user: the platform's figures."""

from django.db.models import Count, Q

from campus.accounts.models import Role, User

# The state (campus.core.polls) of the names users show: a list that keeps a rendered
# copy with authors' names in it (public reviews) keeps it under this state's stamp.
NAMES_STATE = "accounts:names"


def active_users_by_role() -> dict[str, int]:
    """Active accounts per role (superusers count as admins): one aggregate."""
    admin = Q(role=Role.ADMIN) | Q(is_superuser=True)
    row = User.objects.filter(is_active=True).aggregate(
        student=Count("id", filter=Q(role=Role.STUDENT) & ~Q(is_superuser=True)),
        instructor=Count("id", filter=Q(role=Role.INSTRUCTOR) & ~Q(is_superuser=True)),
        admin=Count("id", filter=admin),
        total=Count("id"),
    )
    return {key: int(value) for key, value in row.items()}
