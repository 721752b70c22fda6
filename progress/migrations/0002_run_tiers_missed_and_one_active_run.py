from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="lessonrun",
            name="missed_ids",
            field=models.JSONField(default=list, help_text="Exercise ids answered wrongly at least once in this run"),
        ),
        migrations.AddField(
            model_name="lessonrun",
            name="tier_after",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="lessonrun",
            name="tier_before",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="lessonrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "lesson"), ("status", "active")),
                fields=("user", "lesson"),
                name="run_one_active_per_lesson",
            ),
        ),
        migrations.AddConstraint(
            model_name="lessonrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "review"), ("status", "active")),
                fields=("user", "course"),
                name="run_one_active_review_per_course",
            ),
        ),
    ]
