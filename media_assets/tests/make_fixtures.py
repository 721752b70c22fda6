"""Write the small encoded audio files the media tests read, into ``media_assets/tests/fixtures/``.

The files are committed, so the tests need no encoder. Run this only to change them (it needs
``lame`` and ``oggenc``: ``apt-get install lame vorbis-tools``)::

    .venv/bin/python -m media_assets.tests.make_fixtures

Each file encodes the same one-second 440 Hz tone, 16 kHz mono (``helpers.wav_bytes(seconds=1.0)``,
the ``wav`` of the ``media_files`` fixture): MP3 at 64 and 128 kbit/s by lame, Ogg Vorbis at
quality 2 and 5 by oggenc (with a fixed stream serial, so a re-run writes the same bytes).
"""

import subprocess  # fixed argv lists
import tempfile
from pathlib import Path

from media_assets.tests.helpers import wav_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# file name → encoder command before the input and output paths
ENCODINGS: dict[str, list[str]] = {
    "tone-64k.mp3": ["lame", "--quiet", "-b", "64"],
    "tone-128k.mp3": ["lame", "--quiet", "-b", "128"],
    "tone-q2.ogg": ["oggenc", "--quiet", "--serial", "1", "-q", "2"],
    "tone-q5.ogg": ["oggenc", "--quiet", "--serial", "1", "-q", "5"],
}


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "tone.wav"
        wav.write_bytes(wav_bytes(seconds=1.0))
        for name, argv in ENCODINGS.items():
            out = FIXTURES / name
            if argv[0] == "oggenc":
                subprocess.run([*argv, "-o", str(out), str(wav)], check=True)
            else:
                subprocess.run([*argv, str(wav), str(out)], check=True)
            print(f"{name}: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
