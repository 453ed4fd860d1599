"""Reads of accounts beyond one user: the platform's figures."""

from django.db.models import Count, Q

from campus.accounts.models import Role, User


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
