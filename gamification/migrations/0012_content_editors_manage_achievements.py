"""Authors (the "Content editor" group) manage achievements and their levels in admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Content editor"
CODENAMES = [
    f"{action}_{model}"
    for model in ("achievement", "achievementlevel")
    for action in ("add", "change", "delete", "view")
]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    app_config = apps.get_app_config("gamification")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.using(db).filter(content_type__app_label="gamification", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.using(db).filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.using(db).filter(content_type__app_label="gamification", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0011_achievement_levels_only"),
        ("courses", "0002_content_editor_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
