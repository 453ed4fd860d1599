from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
BODY_MAX = 200_000


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")


class CourseType(models.TextChoices):
    ON_DEMAND = "on_demand", _("À la demande")
    LIVE = "live", _("En direct")


def empty_distribution() -> dict[str, int]:
    """How many approved reviews gave 1, 2, 3, 4 and 5 stars."""
    return {str(stars): 0 for stars in range(1, 6)}


class Course(models.Model):
    slug = models.SlugField(_("identifiant d'URL"), max_length=220, unique=True)
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable du cours"),
        on_delete=models.PROTECT,
        related_name="taught_courses",
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    course_type = models.CharField(
        _("type"), max_length=16, choices=CourseType.choices, default=CourseType.ON_DEMAND
    )
    max_students = models.PositiveIntegerField(_("places"), null=True, blank=True)
    enrollment_deadline = models.DateTimeField(
        _("date limite d'inscription"), null=True, blank=True
    )
    course_start_date = models.DateField(_("début du cours"), null=True, blank=True)
    course_end_date = models.DateField(_("fin du cours"), null=True, blank=True)
    published_at = models.DateTimeField(_("date de publication"), null=True, blank=True)
    # Rating statistics over APPROVED reviews only, kept by campus.ratings.services (under
    # a lock on this row, recomputed from the reviews) so the catalogue reads them free.
    rating_average = models.DecimalField(
        _("note moyenne"), max_digits=3, decimal_places=2, default=0
    )
    rating_count = models.PositiveIntegerField(_("nombre d'avis"), default=0)
    rating_distribution = models.JSONField(_("répartition des notes"), default=empty_distribution)
    rating_recommend_count = models.PositiveIntegerField(_("recommandations"), default=0)
    # Renewed with every write of a review, in its transaction: the version under which
    # the public list of reviews is kept in the cache (campus.ratings.public).
    rating_version = models.PositiveIntegerField(_("version des avis"), default=0, editable=False)
    created_at = models.DateTimeField(_("date de création"), default=timezone.now)
    updated_at = models.DateTimeField(_("dernière modification"), auto_now=True)

    class Meta:
        verbose_name = _("cours")
        verbose_name_plural = pgettext_lazy("pluriel", "cours")
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="course_catalogue_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(course_end_date__isnull=True)
                | Q(course_start_date__isnull=True)
                | Q(course_end_date__gte=models.F("course_start_date")),
                name="course_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_students__isnull=True) | Q(max_students__gte=1),
                name="course_max_students_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED

    @property
    def average_rating(self) -> Decimal:
        """The seed's name for rating_average (the API's field)."""
        return self.rating_average


class Module(models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="modules"
    )
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return self.title


class LessonContentType(models.TextChoices):
    TEXT = "text", _("Texte")
    VIDEO = "video", _("Vidéo")


class Lesson(models.Model):
    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons"
    )
    # Denormalised from module so course-wide progress is one indexed count.
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="lessons"
    )
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    content_type = models.CharField(
        _("type de contenu"),
        max_length=16,
        choices=LessonContentType.choices,
        default=LessonContentType.TEXT,
    )
    body = models.TextField(_("contenu"), blank=True)
    video_url = models.URLField(_("lien vidéo"), max_length=500, blank=True)
    duration_minutes = models.PositiveIntegerField(_("durée (minutes)"), default=10)
    is_required = models.BooleanField(_("obligatoire"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("leçon")
        verbose_name_plural = _("leçons")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=24 * 60), name="lesson_duration_bounded"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Quiz(models.Model):
    """A module's quiz, or the course's final evaluation (module empty, is_final)."""

    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="quizzes"
    )
    module = models.OneToOneField(
        Module,
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quiz",
    )
    # Set only on the final evaluation: a unique one-to-one keeps it one per course on
    # every database (MariaDB has no partial unique indexes).
    final_for = models.OneToOneField(
        Course,
        verbose_name=_("évaluation finale du cours"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="final_quiz",
    )
    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    passing_score = models.PositiveSmallIntegerField(_("score de réussite (%)"), default=50)
    max_attempts = models.PositiveSmallIntegerField(_("tentatives max."), null=True, blank=True)
    due_at = models.DateTimeField(_("date limite"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = pgettext_lazy("pluriel", "quiz")
        constraints = [
            models.CheckConstraint(
                condition=(Q(module__isnull=False) & Q(final_for__isnull=True))
                | (Q(module__isnull=True) & Q(final_for__isnull=False)),
                name="quiz_module_xor_final",
            ),
            models.CheckConstraint(
                condition=Q(passing_score__lte=100), name="quiz_passing_score_pct"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_final(self) -> bool:
        return self.final_for_id is not None


class Question(models.Model):
    """A multiple-choice question; `choices` is a list of strings and `correct_choices`
    the indexes of the right ones (one or several)."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=1000)
    choices = models.JSONField(_("choix"), default=list)
    correct_choices = models.JSONField(_("bonnes réponses"), default=list)
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Pas commencé")
    IN_PROGRESS = "in_progress", _("En cours")
    COMPLETED = "completed", _("Terminé")


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("cours"), on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ENROLLED,
    )
    is_active = models.BooleanField(_("active"), default=True)
    progress_percentage = models.DecimalField(
        _("progression (%)"), max_digits=5, decimal_places=2, default=0
    )
    enrolled_at = models.DateTimeField(_("date d'inscription"), default=timezone.now)
    completed_at = models.DateTimeField(_("date d'achèvement"), null=True, blank=True)
    unenrolled_at = models.DateTimeField(_("date de désinscription"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"], name="enrollment_unique_user_course"
            ),
            models.CheckConstraint(
                condition=Q(progress_percentage__gte=0) & Q(progress_percentage__lte=100),
                name="enrollment_progress_pct",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "is_active"], name="enrollment_course_active_idx"),
            models.Index(fields=["user", "is_active", "-enrolled_at"], name="enrollment_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"


class LessonCompletion(models.Model):
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("inscription"),
        on_delete=models.CASCADE,
        related_name="lesson_completions",
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("leçon"), on_delete=models.CASCADE, related_name="completions"
    )
    completed_at = models.DateTimeField(_("date d'achèvement"), default=timezone.now)

    class Meta:
        verbose_name = _("leçon terminée")
        verbose_name_plural = _("leçons terminées")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson"], name="lesson_completion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.lesson_id}"


class LessonTime(models.Model):
    """Time spent on a lesson as its player reports it (seconds), credited within bounds
    (services.lesson_time_report): the report's own time is never more than the wall
    clock since the previous report allows."""

    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("inscription"),
        on_delete=models.CASCADE,
        related_name="lesson_times",
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("leçon"), on_delete=models.CASCADE, related_name="times"
    )
    seconds = models.PositiveIntegerField(_("temps passé (secondes)"), default=0)
    percent = models.PositiveSmallIntegerField(_("avancement déclaré (%)"), default=0)
    started_at = models.DateTimeField(_("commencée le"), default=timezone.now)
    reported_at = models.DateTimeField(_("dernier relevé"), default=timezone.now)

    class Meta:
        verbose_name = _("temps passé sur une leçon")
        verbose_name_plural = _("temps passés sur les leçons")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="lesson_time_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.lesson_id} ({self.seconds}s)"


class QuizAttempt(models.Model):
    enrollment = models.ForeignKey(
        Enrollment,
        verbose_name=_("inscription"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="attempts"
    )
    attempt_number = models.PositiveSmallIntegerField(_("tentative n°"))
    answers = models.JSONField(_("réponses"), default=dict)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("réussi"))
    submitted_at = models.DateTimeField(_("date de remise"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("tentative de quiz")
        verbose_name_plural = _("tentatives de quiz")
        constraints = [
            # Two simultaneous submissions cannot both be attempt N: max_attempts holds.
            models.UniqueConstraint(
                fields=["enrollment", "quiz", "attempt_number"], name="quiz_attempt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id} #{self.attempt_number} ({self.enrollment_id})"
