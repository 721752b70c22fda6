"""``manage.py make_sound_effects [--out DIR]``: synthesise the lesson's sound effects and encode them.

Writes ``correct``, ``wrong`` and ``complete`` as ``.mp3`` (lame) and ``.ogg`` (oggenc) into
``static/sounds/`` (or ``--out``). Needs ``lame`` and ``oggenc`` (``apt-get install lame vorbis-tools``).
The files are committed; run this only to change them (``gamification/sounds.py``).
"""

import shutil
import subprocess  # fixed argv lists
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gamification.sounds import EFFECTS, wav_bytes

#: Small files: mono MP3 at 48 kbit/s, Ogg Vorbis at quality 1 with a fixed stream serial (same bytes on a re-run).
LAME = ["lame", "--quiet", "--noreplaygain", "-m", "m", "-b", "48"]
OGGENC = ["oggenc", "--quiet", "--serial", "1", "-q", "1"]


class Command(BaseCommand):
    help = "Synthesise the sound effects (right, wrong, lesson complete) into static/sounds/ as MP3 and Ogg."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "static" / "sounds"))

    def handle(self, *args, out: str, **options):
        missing = [tool for tool in ("lame", "oggenc") if shutil.which(tool) is None]
        if missing:
            raise CommandError(f"needs {' and '.join(missing)} (apt-get install lame vorbis-tools)")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            for name in EFFECTS:
                wav = Path(tmp) / f"{name}.wav"
                wav.write_bytes(wav_bytes(name))
                mp3, ogg = folder / f"{name}.mp3", folder / f"{name}.ogg"
                subprocess.run([*LAME, str(wav), str(mp3)], check=True)  # noqa: S603 - fixed argv
                subprocess.run([*OGGENC, "-o", str(ogg), str(wav)], check=True)  # noqa: S603 - fixed argv
                self.stdout.write(f"{name}: {mp3.stat().st_size} bytes MP3, {ogg.stat().st_size} bytes Ogg")
