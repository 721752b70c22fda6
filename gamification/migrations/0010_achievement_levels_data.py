"""Each existing achievement becomes level 1 of itself (its condition value and reward); awards keep
them. Five achievements with levels are added (docs/game-rules.md, "Achievements"). Idempotent by code."""

from django.db import migrations

#: Each continues where a one-level achievement leaves off (Week Warrior at 7 days, XP Collector at
#: 50 XP, First Lesson, Perfect Practice).
LEVELLED = [
    (
        "wildfire",
        "Wildfire",
        "Keep a long streak going.",
        "🔥",
        "streak_days",
        [(14, 50), (30, 100), (60, 150), (100, 250), (365, 500)],
    ),
    (
        "sage",
        "Sage",
        "Earn lots of XP.",
        "⭐",
        "xp_total",
        [(1000, 50), (2500, 100), (5000, 150), (10000, 250), (25000, 500)],
    ),
    (
        "scholar",
        "Scholar",
        "Pass many lessons.",
        "📚",
        "lesson_count",
        [(10, 40), (25, 60), (50, 100), (100, 150), (250, 300)],
    ),
    (
        "sharpshooter",
        "Sharpshooter",
        "Pass many lessons without a single mistake.",
        "🎯",
        "perfect_lessons",
        [(10, 40), (25, 60), (50, 100), (100, 200)],
    ),
    (
        "wordsmith",
        "Wordsmith",
        "Master words (a word is mastered when you will still remember it in three weeks).",
        "📖",
        "words_mastered",
        [(10, 20), (50, 50), (100, 100), (250, 150), (500, 250), (1000, 500)],
    ),
]


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Achievement = apps.get_model("gamification", "Achievement")
    AchievementLevel = apps.get_model("gamification", "AchievementLevel")
    UserAchievement = apps.get_model("gamification", "UserAchievement")
    for a in Achievement.objects.using(db).all():
        AchievementLevel.objects.using(db).get_or_create(
            achievement=a, level=1, defaults={"threshold": a.condition_value, "xp_reward": a.xp_reward}
        )
        UserAchievement.objects.using(db).filter(achievement=a).update(
            threshold=a.condition_value, xp_reward=a.xp_reward
        )
    for code, name, description, icon, condition_type, levels in LEVELLED:
        achievement, created = Achievement.objects.using(db).get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "icon": icon,
                "condition_type": condition_type,
                # Level 1's values in the old columns, removed by the next migration.
                "condition_value": levels[0][0],
                "xp_reward": levels[0][1],
            },
        )
        if created:
            AchievementLevel.objects.using(db).bulk_create(
                AchievementLevel(achievement=achievement, level=n, threshold=threshold, xp_reward=xp)
                for n, (threshold, xp) in enumerate(levels, start=1)
            )


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Achievement = apps.get_model("gamification", "Achievement")
    Achievement.objects.using(db).filter(code__in=[a[0] for a in LEVELLED], holders__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("gamification", "0009_achievement_levels")]

    operations = [migrations.RunPython(forwards, backwards)]
