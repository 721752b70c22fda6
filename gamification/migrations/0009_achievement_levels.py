"""Achievements with levels: AchievementLevel rows, and an award per learner, achievement and level."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("gamification", "0008_daily_goal_in_lessons")]

    operations = [
        migrations.CreateModel(
            name="AchievementLevel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("level", models.PositiveSmallIntegerField()),
                ("threshold", models.PositiveIntegerField()),
                ("xp_reward", models.PositiveIntegerField(default=0)),
                (
                    "achievement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="levels",
                        to="gamification.achievement",
                    ),
                ),
            ],
            options={
                "ordering": ["achievement", "level"],
                "constraints": [
                    models.UniqueConstraint(fields=("achievement", "level"), name="achievement_level_unique"),
                    models.UniqueConstraint(fields=("achievement", "threshold"), name="achievement_threshold_unique"),
                    models.CheckConstraint(condition=models.Q(("level__gte", 1)), name="achievement_level_positive"),
                    models.CheckConstraint(
                        condition=models.Q(("threshold__gte", 1)), name="achievement_threshold_positive"
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="userachievement", name="level", field=models.PositiveSmallIntegerField(default=1)
        ),
        migrations.AddField(
            model_name="userachievement", name="threshold", field=models.PositiveIntegerField(default=1)
        ),
        migrations.AddField(
            model_name="userachievement", name="xp_reward", field=models.PositiveIntegerField(default=0)
        ),
        migrations.RemoveConstraint(model_name="userachievement", name="user_achievement_unique"),
        migrations.AddConstraint(
            model_name="userachievement",
            constraint=models.UniqueConstraint(
                fields=("user", "achievement", "level"), name="user_achievement_level_unique"
            ),
        ),
    ]
