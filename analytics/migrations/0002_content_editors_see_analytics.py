"""Content editors may read course analytics and the daily metric rollups (view permission only).

Without these permissions the "Course analytics" page and the Course/Exercise daily metrics pages
answer 403 to the Content editor group. Permissions are normally created after migrations
(post_migrate); on a fresh database they do not exist yet, so they are created first (as the
migration that creates the group does).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Content editor"
READ_MODELS = {
    "analytics": ["lessonday", "lessontime", "exerciseday", "exercisetime", "wronganswerday"],
    "gamification": ["coursedailymetric", "exercisedailymetric"],
}


def grant(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    for label in READ_MODELS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    for label, models in READ_MODELS.items():
        codenames = [f"view_{model}" for model in models]
        permissions = list(Permission.objects.using(db).filter(content_type__app_label=label, codename__in=codenames))
        if len(permissions) != len(codenames):
            raise RuntimeError(f"view permissions missing for {label}: {codenames}")
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(db).filter(name=GROUP).first()
    if group is None:
        return
    for label, models in READ_MODELS.items():
        group.permissions.remove(
            *Permission.objects.using(db).filter(
                content_type__app_label=label, codename__in=[f"view_{m}" for m in models]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_course_analytics_rollups"),
        ("courses", "0002_content_editor_group"),
        ("gamification", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
