"""python manage.py import_course FILE [--dry-run]: load a course file (docs/course-format.md)."""

from django.core.management.base import CommandError

from accounts.audit import AuditedCommand
from courses.course_files import CourseFileError, import_course


class Command(AuditedCommand):
    help = "Import (create or update by slug) a course from a YAML course file; all-or-nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="path to the course file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        try:
            report = import_course(source=file, dry_run=dry_run)
        except CourseFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{file}: {len(exc.problems)} problem(s); nothing was written", returncode=1) from None
        self.stdout.write(str(report))
