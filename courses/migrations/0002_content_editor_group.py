"""The "Content editor" group: add/change/delete/view on the content models and nothing else.

Permissions are normally created after migrations (post_migrate); on a fresh database they do not
exist yet when this runs, so it creates the ones it needs first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Content editor"
CONTENT_MODELS = {
    "courses": [
        "language",
        "course",
        "section",
        "unit",
        "lesson",
        "lessonprerequisite",
        "lessonexercise",
        "exercise",
        "token",
    ],
    "media_assets": ["asset", "assetvariant"],
}
ACTIONS = ["add", "change", "delete", "view"]


def create_group(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    for label in CONTENT_MODELS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for models in CONTENT_MODELS.values() for model in models for action in ACTIONS]
    permissions = Permission.objects.using(db).filter(
        content_type__app_label__in=list(CONTENT_MODELS), codename__in=codenames
    )
    found = {p.codename for p in permissions}
    missing = sorted(set(codenames) - found)
    if missing:
        raise RuntimeError(f"permissions not found: {', '.join(missing)}")
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    apps.get_model("auth", "Group").objects.using(db).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("media_assets", "0002_variant_metadata_and_tts_constraints"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
