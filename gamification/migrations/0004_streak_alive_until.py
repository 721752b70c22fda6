import zoneinfo
from datetime import datetime, time, timedelta

from django.db import migrations, models


def fill_alive_until(apps, schema_editor):
    """Existing streaks: alive until the end of the day after their latest day, in the learner's zone
    (exactly what the rule said before the column existed)."""
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Streak = apps.get_model("gamification", "Streak")
    batch = []
    rows = (
        Streak.objects.using(db)
        .filter(last_day__isnull=False)
        .select_related("user")
        .only("id", "last_day", "last_activity_at", "user__time_zone")
    )
    for streak in rows.iterator(chunk_size=2000):
        try:
            zone = zoneinfo.ZoneInfo(streak.user.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        latest = streak.last_day
        if streak.last_activity_at is not None:
            latest = max(latest, streak.last_activity_at.astimezone(zone).date())
        streak.alive_until = datetime.combine(latest + timedelta(days=2), time(0), tzinfo=zone)
        batch.append(streak)
        if len(batch) >= 2000:
            Streak.objects.using(db).bulk_update(batch, ["alive_until"])
            batch = []
    if batch:
        Streak.objects.using(db).bulk_update(batch, ["alive_until"])


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0003_seed_achievements"),
    ]

    operations = [
        migrations.AddField(
            model_name="streak",
            name="alive_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_alive_until, migrations.RunPython.noop),
    ]
