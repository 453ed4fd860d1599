import uuid
import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Role(models.TextChoices):
    STUDENT = "student", _("Élève")
    INSTRUCTOR = "instructor", _("Responsable de cours")
    ADMIN = "admin", _("Administration")


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), max_length=254, unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.STUDENT)
    timezone = models.CharField(
        _("fuseau horaire"), max_length=64, default=settings.DEFAULT_USER_TIME_ZONE
    )
    language = models.CharField(
        _("langue"), max_length=8, choices=Language.choices, default=Language.FR
    )
    # Slow or costly connections: live classes start audio only, video at low quality.
    data_saver = models.BooleanField(
        _("économiseur de données"),
        default=False,
        help_text=_("Cours en direct en audio seul, vidéo en basse qualité."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=dj_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    def get_short_name(self) -> str:
        """The admin's greeting ("Bienvenue, Mireille Agbo"), not the email."""
        return self.display_name

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the clear value is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("empreinte de la clé"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    expires_at = models.DateTimeField(_("expiration"))
    revoked_at = models.DateTimeField(_("date de révocation"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    # The login this token comes from (with its refresh tokens), or None for a token
    # issued alone: logging out or reusing a refresh token revokes the whole family.
    family = models.UUIDField(_("famille"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"token #{self.pk} ({self.user})"


class RefreshToken(models.Model):
    """A refresh token: random, only its SHA-256 stored, expiring, used once. Each use
    marks it used and issues a new one in the same family (rotation); a second use of
    the same token means it leaked, and revokes its family, access tokens included."""

    user = models.ForeignKey(
        User,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="refresh_tokens",
    )
    family = models.UUIDField(_("famille"), default=uuid.uuid4, db_index=True)
    key_hash = models.CharField(_("empreinte de la clé"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("date de création"), default=dj_timezone.now)
    expires_at = models.DateTimeField(_("expiration"))
    used_at = models.DateTimeField(_("date d'utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("date de révocation"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton de rafraîchissement")
        verbose_name_plural = _("jetons de rafraîchissement")

    def __str__(self) -> str:
        return f"refresh token #{self.pk} ({self.user})"
