# The rating dialog opens by itself once per completed enrollment (issue 12).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("courses", "0002_course_rating_stats"),
    ]

    operations = [
        migrations.CreateModel(
            name="RatingPrompt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "shown_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="proposé le"
                    ),
                ),
                (
                    "enrollment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rating_prompt",
                        to="courses.enrollment",
                        verbose_name="inscription",
                    ),
                ),
            ],
            options={
                "verbose_name": "invitation à noter",
                "verbose_name_plural": "invitations à noter",
            },
        ),
    ]
