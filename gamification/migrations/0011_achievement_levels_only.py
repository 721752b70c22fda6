"""An achievement's thresholds and rewards live in its levels only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("gamification", "0010_achievement_levels_data")]

    operations = [
        migrations.RemoveConstraint(model_name="achievement", name="achievement_value_positive"),
        migrations.RemoveField(model_name="achievement", name="condition_value"),
        migrations.RemoveField(model_name="achievement", name="xp_reward"),
        migrations.AlterModelOptions(name="achievement", options={"ordering": ["condition_type", "code"]}),
        migrations.AlterField(
            model_name="achievement",
            name="condition_type",
            field=models.CharField(
                choices=[
                    ("lesson_count", "Lessons passed"),
                    ("streak_days", "Streak length (days)"),
                    ("perfect_lessons", "Perfect lessons"),
                    ("xp_total", "Total XP"),
                    ("units_completed", "Units completed"),
                    ("words_mastered", "Words mastered"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="achievement",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="published"),
        ),
    ]
