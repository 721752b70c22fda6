"""``manage.py bench_librelingo``: time ``import_librelingo`` on a synthetic course (docs/performance.md).

Writes a course of ``--skills`` skills (6 words and 4 phrases each) to a temporary directory, imports
it as course ``bench-ll`` (which must not exist), imports it again (the idempotent no-op), prints wall
time and query counts for both, and deletes the course and its tokens.
"""

import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.course_files.librelingo import import_librelingo
from courses.course_files.librelingo.synthetic import write_course
from courses.models import Course, Exercise, Token

SLUG = "bench-ll"


class Command(BaseCommand):
    help = "Time import_librelingo on a synthetic course of --skills skills (creates and deletes course bench-ll)."

    def add_arguments(self, parser):
        parser.add_argument("--skills", type=int, default=50)

    def handle(self, *args, **options):
        if Course.objects.filter(slug=SLUG).exists():
            raise CommandError(f"course {SLUG!r} exists: delete it first")
        with tempfile.TemporaryDirectory() as tmp:
            directory = write_course(Path(tmp) / "course", skills=options["skills"])
            try:
                for label in ("first import", "second import (no-op)"):
                    with CaptureQueriesContext(connection) as queries:
                        start, cpu = time.perf_counter(), time.process_time()
                        report = import_librelingo(directory=directory, slug=SLUG)
                        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
                    self.stdout.write(
                        f"{label}: {elapsed:.2f} s wall, {cpu:.2f} s CPU, {len(queries)} queries, "
                        f"{report.total('created')} rows created, changed={report.changed}"
                    )
                exercises = Exercise.objects.filter(course__slug=SLUG).count()
                self.stdout.write(f"{options['skills']} skills, {exercises} exercises")
            finally:
                tokens = list(Token.objects.filter(exercises__course__slug=SLUG).values_list("pk", flat=True))
                Course.objects.filter(slug=SLUG).delete()
                Token.objects.filter(pk__in=tokens, exercises__isnull=True).delete()
