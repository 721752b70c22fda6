"""python manage.py import_course FILE [--dry-run]: load a course file (docs/course-format.md).

The report and the problems are printed in the site's language (``settings.LANGUAGE_CODE``, English
unless set), whatever language the calling thread had active (docs/i18n.md, "Management commands").
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

from accounts.audit import AuditedCommand
from courses.course_files import CourseFileError, import_course


class Command(AuditedCommand):
    help = "Import (create or update by slug) a course from a YAML course file; all-or-nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path to the course file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            try:
                report = import_course(source=file, dry_run=dry_run)
            except CourseFileError as exc:
                for problem in exc.problems:
                    self.stderr.write(str(problem))
                message = gettext("%(file)s: %(count)s problem(s); nothing was written")
                raise CommandError(message % {"file": file, "count": len(exc.problems)}, returncode=1) from None
            self.stdout.write(str(report))
