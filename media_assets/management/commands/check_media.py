"""manage.py check_media [--delete-orphans]: files without rows, rows without files."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from media_assets.services import audit_storage


class Command(BaseCommand):
    help = (
        "Compare media storage with the AssetVariant rows: list files no row points at (orphans, left by a "
        "rolled-back upload) and variants whose file is missing. Exits with an error when a file is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete-orphans", action="store_true", help="delete orphan files older than an hour")

    def handle(self, *args, delete_orphans, **options):
        audit = audit_storage(now=timezone.now(), delete_orphans=delete_orphans)
        for name in audit.orphan_files:
            self.stdout.write(f"orphan file: {name}")
        self.stdout.write(
            f"{len(audit.orphan_files)} orphan files ({audit.deleted} deleted), "
            f"{len(audit.missing_files)} variants with a missing file"
        )
        if audit.missing_files:
            ids = ", ".join(str(pk) for pk in audit.missing_files[:50])
            raise CommandError(f"variants whose file is missing from storage: {ids}")
