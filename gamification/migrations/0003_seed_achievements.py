"""Create the five starting achievements (docs/game-rules.md, "Achievements"). Idempotent by code; authors may add more in admin."""

from django.db import migrations

ACHIEVEMENTS = [
    ("first-lesson", "First Lesson", "Pass your first lesson.", "🎓", "lesson_count", 1, 50),
    ("week-warrior", "Week Warrior", "Keep a 7-day streak.", "🔥", "streak_days", 7, 100),
    ("perfect-practice", "Perfect Practice", "Pass a lesson without a single mistake.", "💯", "perfect_lessons", 1, 75),
    ("xp-collector", "XP Collector", "Earn 50 XP.", "⭐", "xp_total", 50, 25),
    ("skill-master", "Skill Master", "Complete every lesson of a unit.", "🏆", "units_completed", 1, 200),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Achievement = apps.get_model("gamification", "Achievement")
    for code, name, description, icon, condition_type, condition_value, xp_reward in ACHIEVEMENTS:
        Achievement.objects.using(db).update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "icon": icon,
                "condition_type": condition_type,
                "condition_value": condition_value,
                "xp_reward": xp_reward,
            },
        )


def unseed(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Achievement = apps.get_model("gamification", "Achievement")
    Achievement.objects.using(db).filter(code__in=[a[0] for a in ACHIEVEMENTS], holders__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("gamification", "0002_achievement_run")]

    operations = [migrations.RunPython(seed, unseed)]
