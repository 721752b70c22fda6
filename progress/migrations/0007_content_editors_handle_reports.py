"""Content editors work the report queue: view and change problem reports (accepting an answer also
needs their existing change permission on exercises). Permissions are created first on a fresh
database (they are normally created after migrations), as the migration that creates the group does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Content editor"
CODENAMES = ["view_problemreport", "change_problemreport"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    app_config = apps.get_app_config("progress")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    permissions = list(Permission.objects.using(db).filter(content_type__app_label="progress", codename__in=CODENAMES))
    if len(permissions) != len(CODENAMES):
        raise RuntimeError(f"permissions missing for progress: {CODENAMES}")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(db).filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.using(db).filter(content_type__app_label="progress", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0006_problem_reports"),
        ("courses", "0002_content_editor_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
