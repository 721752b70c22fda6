"""``manage.py import_librelingo DIR``: import a LibreLingo course directory (docs/course-format.md).

Like ``import_course``, prints in the site's language (``settings.LANGUAGE_CODE``); the LibreLingo
reader's own problems are in English (docs/i18n.md, "Management commands").
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

from accounts.audit import AuditedCommand
from courses.course_files import CourseFileError
from courses.course_files.librelingo import import_librelingo


class Command(AuditedCommand):
    help = (
        "Import a LibreLingo course directory (course.yaml, its modules and skills) as a Mallard course: "
        "lessons, lexicon and generated exercises. Idempotent by slug; nothing is written on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the course directory, the one that holds course.yaml")
        parser.add_argument("--slug", help="the course's slug (default: the target language's tag, e.g. es)")
        parser.add_argument("--publish", action="store_true", help="publish the course (default: a draft)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the content of an existing course that was not imported from this LibreLingo course",
        )
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self.run(options)

    def run(self, options) -> None:
        try:
            report = import_librelingo(
                directory=options["directory"],
                slug=options["slug"],
                publish=options["publish"],
                replace=options["replace"],
                dry_run=options["dry_run"],
            )
        except CourseFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            message = gettext("%(file)s: %(count)s problem(s); nothing was written")
            raise CommandError(message % {"file": options["directory"], "count": len(exc.problems)}) from None
        self.stdout.write(str(report))
