"""Offline text-to-speech with espeak-ng, encoded with lame (MP3) and oggenc (Ogg Vorbis).

The audio engine: ``render`` speaks a text and encodes it; ``synthesize_texts`` gives each of a list of
texts a TTS asset, one per (language, text), with these variants (all stored through
``services.add_variant``, so their metadata is read from the real files):

    normal speed: MP3 64 kbit/s (low), MP3 128 kbit/s (high), Vorbis q2 (low), Vorbis q5 (high)
    slow speed:   MP3 64 kbit/s (low), Vorbis q2 (low)

It knows nothing of what the texts belong to: a caller (``courses.audio`` for a course's tokens and
exercises) chooses the texts and, through ``on_stored``, links its own rows to each text's asset in the
transaction that stored it.
"""

import hashlib
import re
import shutil
import subprocess  # fixed argv lists; the text goes on stdin, never through a shell
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import File
from django.db import transaction

from .models import Asset, AssetVariant
from .services import add_or_get_variant, delete_variant

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
class TTSStats:
    """What ``synthesize_texts`` made (or, from ``plan``, would make)."""

    provider: str = ""
    assets_created: int = 0
    assets_reused: int = 0
    variants_created: Counter = field(default_factory=Counter)  # by format
    same_sound: int = 0  # texts that espeak-ng says exactly like another text (they share its asset)

    @property
    def created(self) -> int:
        return self.assets_created + sum(self.variants_created.values())


def tts_assets(*, language: str, texts: list[str]) -> dict[str, Asset]:
    """The TTS audio assets that already say these texts in ``language``, by text (variants prefetched)."""
    assets = Asset.objects.filter(
        source=Asset.Source.TTS, kind=Asset.Kind.AUDIO, language=language, text__in=texts
    ).prefetch_related("variants")
    return {a.text: a for a in assets}


def plan(*, language: str, texts: list[str], force: bool = False) -> TTSStats:
    """What ``synthesize_texts`` would create for these texts, without running a tool or writing a row."""
    stats = TTSStats()
    existing = tts_assets(language=language, texts=texts)
    for text in texts:
        asset = existing.get(text)
        if asset is None:
            stats.assets_created += 1
        else:
            stats.assets_reused += 1
        have = set() if asset is None or force else {(v.format, v.quality, v.speed) for v in asset.variants.all()}
        for encoding in ENCODINGS:
            if encoding.slot not in have:
                stats.variants_created[encoding.format] += 1
    return stats


def check_ready(*, voice: str) -> str:
    """Raise TTSUnavailable unless espeak-ng (with ``voice``), lame and oggenc can run; return the provider."""
    provider = espeak_version()
    missing = missing_tools()
    if missing:
        raise TTSUnavailable(f"missing Debian packages: {', '.join(missing)} (apt-get install {' '.join(missing)})")
    try:
        _run(["espeak-ng", "-v", voice, "-q", "--stdin"], stdin="a")
    except TTSFailed:
        raise TTSUnavailable(f"espeak-ng has no voice {voice!r} (`espeak-ng --voices` lists them)") from None
    return provider


def synthesize_texts(
    *,
    texts: list[str],
    language: str,
    voice: str,
    force: bool = False,
    on_stored: Callable[[str, Asset], None] | None = None,
) -> TTSStats:
    """Give every text a TTS asset with all its variants; return what was made.

    Idempotent: a TTS asset that has every variant is reused without running a tool, so a second run
    creates nothing. ``force`` re-synthesises the texts' assets (e.g. after a change of voice). Each text
    is stored in its own transaction, and ``on_stored(text, asset)`` runs inside it, so a caller's links
    to the asset commit with it (an interrupted run keeps what it finished). Raises TTSUnavailable before
    anything is made, TTSFailed when a tool fails part-way.
    """
    stats = TTSStats(provider=check_ready(voice=voice))
    existing = tts_assets(language=language, texts=texts)
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
                with transaction.atomic():
                    asset = _store_text(
                        text=text,
                        language=language,
                        voice=voice,
                        provider=stats.provider,
                        files=rendered.get(text, []),
                        force=force,
                        stats=stats,
                    )
                    if on_stored is not None:
                        on_stored(text, asset)
                if text in dirs:
                    shutil.rmtree(dirs[text], ignore_errors=True)
    return stats


def _complete(asset: Asset | None) -> bool:
    return asset is not None and {(v.format, v.quality, v.speed) for v in asset.variants.all()} >= REQUIRED_SLOTS


def _store_text(*, text: str, language: str, voice: str, provider: str, files, force: bool, stats: TTSStats) -> Asset:
    """Store one text's files as variants of its shared asset (in the caller's transaction); return the
    asset that says the text."""
    same_sound = _same_sound_asset(text=text, language=language, files=files)
    if same_sound is not None:
        # espeak-ng says two texts identically ("tú" and "tu"): identical bytes are stored once, so
        # these items share the asset that already holds them.
        stats.same_sound += 1
        return same_sound
    asset, created = Asset.objects.select_for_update(no_key=True).get_or_create(
        source=Asset.Source.TTS,
        kind=Asset.Kind.AUDIO,
        language=language,
        text=text,
        defaults={"title": text[:200], "tts_provider": provider, "tts_voice": voice},
    )
    stats.assets_created += created
    stats.assets_reused += not created
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
            stats.variants_created[encoding.format] += made
        if (asset.tts_provider, asset.tts_voice) != (provider, voice):
            asset.tts_provider, asset.tts_voice = provider, voice
            asset.save(update_fields=["tts_provider", "tts_voice"])
    return asset


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
