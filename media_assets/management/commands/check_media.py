"""manage.py check_media [--delete-orphans] [--rename]: files without rows, rows without files, and files
not stored under their content hash."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from media_assets.services import audit_storage, rename_to_content_addresses


class Command(BaseCommand):
    help = (
        "Compare media storage with the AssetVariant rows: list files no row points at (orphans, left by a "
        "rolled-back upload), variants whose file is missing, and files stored under a name other than their "
        "content hash (older uploads named after their text; --rename moves them). Exits with an error when a "
        "file is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete-orphans", action="store_true", help="delete orphan files older than an hour")
        parser.add_argument(
            "--rename", action="store_true", help="move files to their content-addressed names (assets/ab/<sha256>.mp3)"
        )

    def handle(self, *args, delete_orphans, rename, **options):
        names = rename_to_content_addresses(dry_run=not rename)
        for old, new in names.renamed:
            self.stdout.write(f"{'renamed' if rename else 'not named by its content'}: {old} -> {new}")
        self.stdout.write(
            f"{len(names.renamed)} files not named by their content ({len(names.renamed) if rename else 0} renamed"
            f"{'' if rename or not names.renamed else '; run with --rename'})"
        )
        for pk in names.unreadable:
            self.stdout.write(f"not renamed: variant {pk}: its file is missing or differs from its checksum")
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
