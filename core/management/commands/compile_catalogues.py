"""``manage.py compile_catalogues``: build the interface's ``.mo`` files from ``locale/`` (docs/i18n.md)."""

from django.core.management.base import BaseCommand

from core.i18n import catalogue_files, compile_catalogue, compile_catalogues


class Command(BaseCommand):
    help = "Compile the translation catalogues in locale/ with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile every catalogue, even up-to-date ones.")

    def handle(self, *args, force: bool = False, **options):
        written = [compile_catalogue(po) for po in catalogue_files()] if force else compile_catalogues()
        for mo in written:
            self.stdout.write(f"Compiled {mo}")
