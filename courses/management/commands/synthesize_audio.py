"""manage.py synthesize_audio --course SLUG [--dry-run] [--voice es] [--force] [--limit N]"""

from django.core.management.base import BaseCommand, CommandError

from courses.audio import synthesize_course_audio
from courses.models import Course
from media_assets.tts import TTSFailed, TTSUnavailable


class Command(BaseCommand):
    help = (
        "Make text-to-speech audio (espeak-ng → MP3 and Ogg Vorbis, low and high quality, normal and slow) "
        "for every token of the course's target language and every listen/speak exercise that has none. "
        "Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, help="slug of the course, e.g. es")
        parser.add_argument("--voice", help="espeak-ng voice (default: the course's target language code)")
        parser.add_argument("--dry-run", action="store_true", help="report what would be made, change nothing")
        parser.add_argument(
            "--force", action="store_true", help="re-synthesise existing TTS audio too (uploaded audio is kept)"
        )
        parser.add_argument("--limit", type=int, help="handle at most this many distinct texts")

    def handle(self, *args, course, voice, dry_run, force, limit, **options):
        try:
            course_obj = Course.objects.select_related("to_language").get(slug=course)
        except Course.DoesNotExist:
            known = ", ".join(Course.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"no course with slug {course!r} (known: {known})") from None
        if limit is not None and limit < 0:
            raise CommandError("--limit must be 0 or more")
        try:
            report = synthesize_course_audio(course=course_obj, voice=voice, force=force, dry_run=dry_run, limit=limit)
        except TTSUnavailable as exc:
            raise CommandError(f"{exc}. No audio was made.") from exc
        except TTSFailed as exc:
            raise CommandError(f"{exc}. Audio stored before the failure is kept; run again to continue.") from exc
        for line in report.lines():
            self.stdout.write(line)
