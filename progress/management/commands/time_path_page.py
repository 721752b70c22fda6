"""``manage.py time_path_page es long``: how long the path page of each course takes to render, warm.

In this process, through Django's test client (no server, no network): a learner of its own
(``path-timing@mallard.invalid``, enrolled in each course) asks for each course's path page once to warm
the caches (the course structure and the units' fragments), then ``--repeat`` times in turn, the courses
interleaved. Prints each course's lessons, page bytes, statements per view and the median and 90th
percentile of the render time in milliseconds, and the ratio of each median to the first course's.
docs/performance.md, "The path page's HTML", has figures taken with it.
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Lesson
from progress.services import enroll

EMAIL = "path-timing@mallard.invalid"


class Command(BaseCommand):
    help = "Time the path page of each course (warm caches, in-process): median and p90 ms, bytes, statements."

    def add_arguments(self, parser):
        parser.add_argument("courses", nargs="+", help="course slugs; ratios are to the first one")
        parser.add_argument("--repeat", type=int, default=50, help="timed views of each course (default 50)")

    def handle(self, *args, courses: list[str], repeat: int, **options):
        if repeat < 1:
            raise CommandError("--repeat: at least 1.")
        found = {course.slug: course for course in Course.objects.visible().filter(slug__in=courses)}
        missing = [slug for slug in courses if slug not in found]
        if missing:
            raise CommandError(f"No published course with the slug {', '.join(missing)}.")
        user, created = User.objects.get_or_create(email=EMAIL, defaults={"display_name": "Path timing"})
        if created:
            user.set_unusable_password()
            user.save()
        client = Client()
        client.force_login(user)
        urls = {}
        for slug in courses:
            enroll(user=user, course=found[slug], now=timezone.now())
            urls[slug] = reverse("course_path", args=[slug])
        times: dict[str, list[float]] = {slug: [] for slug in courses}
        sizes, statements = {}, {}
        for slug in courses:  # warm: structure and fragments cached, then one view counted
            client.get(urls[slug])
            with CaptureQueriesContext(connection) as queries:
                response = client.get(urls[slug])
            if response.status_code != 200:
                raise CommandError(f"{urls[slug]} answered {response.status_code}.")
            sizes[slug], statements[slug] = len(response.content), len(queries)
        for _ in range(repeat):
            for slug in courses:
                start = time.perf_counter()
                client.get(urls[slug])
                times[slug].append((time.perf_counter() - start) * 1000)
        first = statistics.median(times[courses[0]])
        self.stdout.write("course      lessons   bytes  statements  median ms  p90 ms  ratio")
        for slug in courses:
            lessons = Lesson.objects.visible().filter(unit__section__course=found[slug]).count()
            median = statistics.median(times[slug])
            p90 = statistics.quantiles(times[slug], n=10)[-1] if repeat > 1 else median
            self.stdout.write(
                f"{slug:<10} {lessons:>8} {sizes[slug]:>7} {statements[slug]:>11} {median:>10.1f} {p90:>7.1f}"
                f" {median / first:>6.2f}"
            )
