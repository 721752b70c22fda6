"""python manage.py export_course SLUG [-o FILE]: write a course as a course file."""

from pathlib import Path

from django.core.management.base import CommandError

from accounts.audit import AuditedCommand
from courses.course_files import export_course, record_export
from courses.models import Course


class Command(AuditedCommand):
    help = "Export a course to a YAML course file in the canonical layout (stdout by default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="the course slug, e.g. es")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args, slug: str, output: str | None, **options) -> None:
        course = Course.objects.select_related("from_language", "to_language").filter(slug=slug).first()
        if course is None:
            known = ", ".join(Course.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"no course with slug {slug!r} (courses: {known})")
        text = export_course(course=course)
        record_export(course=course, to=output or "stdout")
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
