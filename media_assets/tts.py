"""Offline text-to-speech with espeak-ng, encoded with lame (MP3) and oggenc (Ogg Vorbis).

``synthesize_course_audio`` gives every token of a course's target language and every ``listen`` /
``speak`` exercise of the course that has no audio yet a TTS asset: one asset per (language, text),
shared by every item that says the same text, with these variants (all stored through
``services.add_variant``, so their metadata is read from the real files):

    normal speed: MP3 64 kbit/s (low), MP3 128 kbit/s (high), Vorbis q2 (low), Vorbis q5 (high)
    slow speed:   MP3 64 kbit/s (low), Vorbis q2 (low)

This is the one place where ``media_assets`` reads ``courses`` (the app that otherwise depends on
it): the command exists to fill ``Token.audio`` and ``Exercise.audio``.
"""

import hashlib
import re
import shutil
import subprocess  # fixed argv lists; the text goes on stdin, never through a shell
import tempfile
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import File
from django.db import transaction

from .models import Asset, AssetVariant
from .services import add_or_get_variant, delete_variant

AUDIO_EXERCISE_TYPES = ("listen", "speak")
NORMAL_WPM = 160  # espeak-ng's default is 175 words per minute: a little slower suits learners
SLOW_WPM = 100
BATCH_SIZE = 24  # texts synthesised before their results are stored (bounds the temporary files)


@dataclass(frozen=True)
class Encoding:
    format: str
    quality: str
    speed: str
    argv: tuple[str, ...]  # the encoder's command, before the input and output paths

    @property
    def slot(self) -> tuple[str, str, str]:
        return (self.format, self.quality, self.speed)


def _encodings_for(speed: str) -> list[Encoding]:
    mp3 = [("low", "64"), ("high", "128")]
    ogg = [("low", "2"), ("high", "5")]
    if speed == "slow":
        mp3, ogg = mp3[:1], ogg[:1]
    return [Encoding("mp3", q, speed, ("lame", "--quiet", "-b", kbps)) for q, kbps in mp3] + [
        Encoding("ogg", q, speed, ("oggenc", "--quiet", "-q", level)) for q, level in ogg
    ]


ENCODINGS = _encodings_for("normal") + _encodings_for("slow")
REQUIRED_SLOTS = frozenset(e.slot for e in ENCODINGS)
TOOLS = {"espeak-ng": "espeak-ng", "lame": "lame", "oggenc": "vorbis-tools"}


class TTSUnavailable(RuntimeError):
    """TTS cannot start (a tool or the voice is missing): nothing was made."""


class TTSFailed(RuntimeError):
    """A tool failed part-way: the texts stored before the failure are kept (each in its own transaction)."""


def missing_tools() -> list[str]:
    """The Debian packages to install for TTS (empty when espeak-ng, lame and oggenc are all there)."""
    return [package for tool, package in TOOLS.items() if shutil.which(tool) is None]


def espeak_version() -> str:
    """``espeak-ng 1.51``: recorded on every asset as its provider."""
    if shutil.which("espeak-ng") is None:
        raise TTSUnavailable("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", out)
    return f"espeak-ng {match.group(1)}" if match else "espeak-ng"


def render(text: str, *, voice: str, workdir: Path) -> list[tuple[Encoding, Path]]:
    """Speak ``text`` at normal and slow speed and encode every variant; returns the files made."""
    made = []
    for speed, wpm in (("normal", NORMAL_WPM), ("slow", SLOW_WPM)):
        wav = workdir / f"{speed}.wav"
        _run(["espeak-ng", "-v", voice, "-s", str(wpm), "-b", "1", "--stdin", "-w", str(wav)], stdin=text)
        for encoding in _encodings_for(speed):
            out = workdir / f"{speed}-{encoding.quality}.{encoding.format}"
            if encoding.format == "mp3":
                _run([*encoding.argv, str(wav), str(out)])
            else:
                # oggenc picks a random stream serial; one derived from the sound makes the bytes
                # reproducible, so the same sound is the same file (and stored once).
                serial = zlib.crc32(wav.read_bytes() + encoding.quality.encode()) & 0x7FFFFFFF
                _run([*encoding.argv, "--serial", str(serial), "-o", str(out), str(wav)])
            made.append((encoding, out))
    return made


def _run(argv: list[str], *, stdin: str | None = None) -> None:
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise TTSFailed(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()[:300]}")


@dataclass
class Report:
    course: str
    voice: str
    provider: str = ""
    dry_run: bool = False
    texts: int = 0
    assets_created: int = 0
    assets_reused: int = 0
    variants_created: Counter = field(default_factory=Counter)  # by format
    linked: Counter = field(default_factory=Counter)  # "token" / "exercise"
    skipped_no_text: int = 0
    same_sound: int = 0  # texts that espeak-ng says exactly like another text (they share its asset)
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return self.assets_created + sum(self.variants_created.values())

    def lines(self) -> list[str]:
        verb = "would link" if self.dry_run else "linked"
        variants = ", ".join(f"{n} {fmt}" for fmt, n in sorted(self.variants_created.items())) or "none"
        lines = [
            f"{'[dry run] ' if self.dry_run else ''}synthesize_audio {self.course} (voice {self.voice}"
            f"{', ' + self.provider if self.provider else ''}):",
            f"  {self.texts} distinct texts; {verb} {self.linked['token']} tokens "
            f"and {self.linked['exercise']} exercises",
            f"  {self.assets_created} assets created, {self.assets_reused} reused; "
            f"{sum(self.variants_created.values())} variant files created ({variants})",
        ]
        if self.same_sound:
            lines.append(f"  {self.same_sound} texts sound exactly like another text and share its asset")
        if self.skipped_no_text:
            lines.append(f"  {self.skipped_no_text} exercises skipped: no text to speak, or a text too long")
        if self.dry_run:
            pass
        elif self.texts == 0:
            lines.append("  nothing to do: every token and listen/speak exercise has audio (0 created)")
        else:
            lines.append(f"  {self.created} created in {self.seconds:.1f} s")
        return lines


def synthesize_course_audio(
    *, course, voice: str | None = None, force: bool = False, dry_run: bool = False, limit: int | None = None
) -> Report:
    """Make TTS audio for the course's tokens and listen/speak exercises that lack it (see module doc).

    Idempotent: items that have audio are skipped, and a TTS asset that has every variant is reused,
    so a second run creates nothing. ``force`` re-synthesises the TTS assets of these items (e.g.
    after a change of voice) and links every item to the asset of its current text; uploaded audio
    is never replaced. ``limit`` caps the number of distinct texts handled (for tests and trials).
    """
    from courses.exercise_types import get_type
    from courses.models import Exercise, Token

    language = course.to_language.code
    voice = voice or language
    report = Report(course=course.slug, voice=voice, dry_run=dry_run)
    started = time.monotonic()

    # Texts to speak → the items that say them. Items with uploaded audio are never touched.
    wanted: dict[str, dict[str, list[int]]] = {}
    tokens = Token.objects.filter(language=course.to_language).order_by("pk")
    exercises = Exercise.objects.filter(course=course, type__in=AUDIO_EXERCISE_TYPES).order_by("pk")
    if force:
        tokens = tokens.exclude(audio__source=Asset.Source.UPLOADED)
        exercises = exercises.exclude(audio__source=Asset.Source.UPLOADED)
    else:
        tokens, exercises = tokens.filter(audio__isnull=True), exercises.filter(audio__isnull=True)
    for pk, text in tokens.values_list("pk", "text"):
        wanted.setdefault(text.strip(), {"token": [], "exercise": []})["token"].append(pk)
    for pk, type_name, payload in exercises.values_list("pk", "type", "payload"):
        text = _exercise_text(get_type, type_name, payload)
        if not text:
            report.skipped_no_text += 1
            continue
        wanted.setdefault(text, {"token": [], "exercise": []})["exercise"].append(pk)
    wanted.pop("", None)
    for text in [t for t in wanted if len(t) > Asset._meta.get_field("text").max_length]:
        report.skipped_no_text += len(wanted.pop(text)["exercise"])  # too long to be one asset's text
    texts = list(wanted)[:limit] if limit is not None else list(wanted)
    report.texts = len(texts)

    existing = {
        a.text: a
        for a in Asset.objects.filter(
            source=Asset.Source.TTS, kind=Asset.Kind.AUDIO, language=language, text__in=texts
        ).prefetch_related("variants")
    }
    if dry_run:
        for text in texts:
            asset = existing.get(text)
            if asset is None:
                report.assets_created += 1
            else:
                report.assets_reused += 1
            have = set() if asset is None or force else {(v.format, v.quality, v.speed) for v in asset.variants.all()}
            for encoding in ENCODINGS:
                if encoding.slot not in have:
                    report.variants_created[encoding.format] += 1
            report.linked["token"] += len(wanted[text]["token"])
            report.linked["exercise"] += len(wanted[text]["exercise"])
        return report

    report.provider = espeak_version()
    missing = missing_tools()
    if missing:
        raise TTSUnavailable(f"missing Debian packages: {', '.join(missing)} (apt-get install {' '.join(missing)})")
    try:
        _run(["espeak-ng", "-v", voice, "-q", "--stdin"], stdin="a")
    except TTSFailed:
        raise TTSUnavailable(f"espeak-ng has no voice {voice!r} (`espeak-ng --voices` lists them)") from None

    with tempfile.TemporaryDirectory(prefix="mallard-tts-") as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            needs = [t for t in batch if force or not _complete(existing.get(t))]
            dirs = {}
            for i, text in enumerate(needs):
                dirs[text] = Path(tmp) / f"{start + i}"
                dirs[text].mkdir()
            # espeak-ng and the encoders run two at a time (one per core); storing stays in this thread.
            jobs = [pool.submit(render, t, voice=voice, workdir=dirs[t]) for t in needs]
            rendered = {t: job.result() for t, job in zip(needs, jobs, strict=True)}
            for text in batch:
                _store_text(
                    text=text,
                    language=language,
                    voice=voice,
                    provider=report.provider,
                    files=rendered.get(text, []),
                    force=force,
                    items=wanted[text],
                    report=report,
                )
                if text in dirs:
                    shutil.rmtree(dirs[text], ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


def _exercise_text(get_type, type_name: str, payload) -> str:
    try:
        text = get_type(type_name).audio_text(payload)
    except (KeyError, TypeError):
        text = payload.get("text") if isinstance(payload, dict) else None
    return (text or "").strip()


def _complete(asset: Asset | None) -> bool:
    return asset is not None and {(v.format, v.quality, v.speed) for v in asset.variants.all()} >= REQUIRED_SLOTS


def _store_text(
    *, text: str, language: str, voice: str, provider: str, files, force: bool, items: dict, report: Report
) -> None:
    """Store one text's files as variants of its shared asset and link the items, in one transaction."""
    with transaction.atomic():
        same_sound = _same_sound_asset(text=text, language=language, files=files)
        if same_sound is not None:
            # espeak-ng says two texts identically ("tú" and "tu"): identical bytes are stored once, so
            # these items share the asset that already holds them.
            report.same_sound += 1
            _link(asset=same_sound, items=items, force=force, report=report)
            return
        asset, created = Asset.objects.select_for_update(no_key=True).get_or_create(
            source=Asset.Source.TTS,
            kind=Asset.Kind.AUDIO,
            language=language,
            text=text,
            defaults={"title": text[:200], "tts_provider": provider, "tts_voice": voice},
        )
        report.assets_created += created
        report.assets_reused += not created
        if files:
            if force and not created:
                for variant in list(asset.variants.filter(speed__in=["normal", "slow"])):
                    delete_variant(variant=variant)
            have = {(v.format, v.quality, v.speed) for v in asset.variants.all()}
            for encoding, path in files:
                if encoding.slot in have:
                    continue
                with path.open("rb") as fh:
                    _variant, made = add_or_get_variant(
                        asset=asset,
                        uploaded_file=File(fh, name=path.name),
                        quality=encoding.quality,
                        speed=encoding.speed,
                        claimed_format=encoding.format,
                    )
                report.variants_created[encoding.format] += made
            if (asset.tts_provider, asset.tts_voice) != (provider, voice):
                asset.tts_provider, asset.tts_voice = provider, voice
                asset.save(update_fields=["tts_provider", "tts_voice"])
        _link(asset=asset, items=items, force=force, report=report)


def _same_sound_asset(*, text: str, language: str, files) -> Asset | None:
    """Another asset that already holds one of these very files, if any."""
    if not files:
        return None
    checksums = [hashlib.sha256(path.read_bytes()).hexdigest() for _encoding, path in files]
    other = (
        AssetVariant.objects.filter(checksum_sha256__in=checksums)
        .exclude(asset__source=Asset.Source.TTS, asset__language=language, asset__text=text)
        .select_related("asset")
        .first()
    )
    return other.asset if other else None


def _link(*, asset: Asset, items: dict, force: bool, report: Report) -> None:
    """Point the items at ``asset``: one UPDATE per kind. Without --force only items still without audio
    are linked, so audio an author attached meanwhile is never overwritten."""
    from courses.models import Exercise, Token

    tokens = Token.objects.filter(pk__in=items["token"])
    exercises = Exercise.objects.filter(pk__in=items["exercise"])
    if not force:
        tokens, exercises = tokens.filter(audio__isnull=True), exercises.filter(audio__isnull=True)
    report.linked["token"] += tokens.update(audio=asset)
    report.linked["exercise"] += exercises.update(audio=asset)
