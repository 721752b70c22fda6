"""Validate a media file by its CONTENT and read its metadata. Pure functions: no database, no storage.

The file name only states a *claim* ("this is an MP3"); the bytes must prove it:

1. the magic bytes at the start name the real format (``sniff``);
2. that format must be the one claimed (an Ogg file claimed as ``ogg`` may hold Vorbis or Opus);
3. the stream must be whole: MP3 frames are walked to the end, Ogg pages are walked to the
   end-of-stream page, a WAV's RIFF size must match the bytes present, images are fully decoded;
4. mutagen (audio) or Pillow (images) must parse it, and the metadata comes from that parse.

Every failure raises ``django.core.exceptions.ValidationError`` with a message an author can act on.
"""

import io
import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

AUDIO_FORMATS = ("mp3", "ogg", "opus", "wav", "flac", "m4a")
IMAGE_FORMATS = ("png", "jpeg", "webp")

FORMAT_NAMES = {
    "mp3": "MP3",
    "ogg": "Ogg Vorbis",
    "opus": "Ogg Opus",
    "wav": "WAV",
    "flac": "FLAC",
    "m4a": "AAC (M4A)",
    "png": "PNG",
    "jpeg": "JPEG",
    "webp": "WebP",
    "mp4": "MP4 video",
    "webm": "WebM",
    "svg": "SVG",
}

# File-name extensions and the format each one claims.
EXTENSIONS = {
    "mp3": "mp3",
    "ogg": "ogg",
    "oga": "ogg",
    "opus": "opus",
    "wav": "wav",
    "wave": "wav",
    "flac": "flac",
    "m4a": "m4a",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "webp": "webp",
}


@dataclass(frozen=True)
class MediaInfo:
    kind: str  # "audio" or "image"
    format: str
    duration_ms: int | None = None
    sample_rate: int | None = None
    bit_rate: int | None = None
    channels: int | None = None
    width: int | None = None
    height: int | None = None


def format_from_name(name: str | None) -> str | None:
    """The format a file name claims by its extension, or None."""
    if not name or "." not in name:
        return None
    return EXTENSIONS.get(name.rsplit(".", 1)[1].lower())


def sniff(data: bytes) -> str | None:
    """The format the bytes really are, from their magic numbers; None when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data.startswith(b"OggS"):
        first_page = data[:300]
        if b"OpusHead" in first_page:
            return "opus"
        if b"\x01vorbis" in first_page:
            return "ogg"
        return "ogg-other"
    if data.startswith(b"fLaC"):
        return "flac"
    if data[4:8] == b"ftyp":
        return "m4a" if data[8:12] in (b"M4A ", b"M4B ") else "mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if data.startswith(b"ID3") or _mpeg_frame_length(data, 0) is not None:
        return "mp3"
    head = data[:256].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048]):
        return "svg"
    return None


def inspect_media(data: bytes, *, claimed_format: str | None) -> MediaInfo:
    """Check that ``data`` is a whole file of ``claimed_format`` and return what it holds."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if not claimed_format:
        raise ValidationError(
            _("Cannot tell which format this file is meant to be: give it one of the extensions %(extensions)s."),
            params={"extensions": ", ".join(f".{e}" for e in sorted(EXTENSIONS))},
            code="unknown_format",
        )
    claimed = claimed_format.lower()
    if claimed not in AUDIO_FORMATS + IMAGE_FORMATS:
        raise ValidationError(
            _("%(format)r files are not accepted."), code="unsupported_format", params={"format": claimed_format}
        )
    actual = sniff(data)
    # An Ogg container claimed as "ogg" may carry Vorbis or Opus: the claim (an Ogg file) holds.
    if actual != claimed and not (claimed == "ogg" and actual == "opus"):
        what = FORMAT_NAMES.get(actual or "") or _("not a recognised audio or image file")
        if actual and actual not in FORMAT_NAMES:
            what = _("an Ogg stream that is neither Vorbis nor Opus")
        raise ValidationError(
            _("The file is named as %(claimed)s, but its content is %(actual)s."),
            code="format_mismatch",
            params={"claimed": FORMAT_NAMES[claimed], "actual": what},
        )
    if actual in IMAGE_FORMATS:
        return _inspect_image(data, actual)
    return _inspect_audio(data, actual)


# --- audio ----------------------------------------------------------------------------------


def _inspect_audio(data: bytes, fmt: str) -> MediaInfo:
    import mutagen
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    if fmt == "mp3":
        _check_mp3_stream(data)
    elif fmt in ("ogg", "opus"):
        _check_ogg_pages(data)
    elif fmt == "wav":
        _check_riff_size(data)
    parser = {"mp3": MP3, "ogg": OggVorbis, "opus": OggOpus, "wav": WAVE, "flac": FLAC, "m4a": MP4}[fmt]
    try:
        parsed = parser(io.BytesIO(data))
    except (mutagen.MutagenError, struct.error, ValueError, EOFError) as exc:
        raise ValidationError(
            _("The file starts like %(format)s but cannot be read as one (%(problem)s). Is it damaged?"),
            code="corrupt",
            params={"format": FORMAT_NAMES[fmt], "problem": exc},
        ) from exc
    info = parsed.info
    length = float(getattr(info, "length", 0) or 0)
    if length <= 0:
        raise ValidationError(
            _("The %(format)s file holds no sound (zero length)."),
            code="no_audio",
            params={"format": FORMAT_NAMES[fmt]},
        )
    sample_rate = 48000 if fmt == "opus" else getattr(info, "sample_rate", None)
    bit_rate = getattr(info, "bitrate", None) or round(len(data) * 8 / length)
    return MediaInfo(
        kind="audio",
        format=fmt,
        duration_ms=round(length * 1000),
        sample_rate=sample_rate or None,
        bit_rate=bit_rate or None,
        channels=getattr(info, "channels", None) or None,
    )


_MP3_BITRATES = {
    (3, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),  # MPEG-1 layer I
    (3, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),  # MPEG-1 layer II
    (3, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III
    (2, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),  # MPEG-2/2.5 layer I
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 layer II, III
}
_MP3_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame_length(data: bytes, pos: int) -> int | None:
    """Length in bytes of the MPEG audio frame whose header starts at ``pos``, or None if none does."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    b1, b2 = data[pos + 1], data[pos + 2]
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version == 1 or layer == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None  # reserved values (free-format streams are not accepted either)
    table = (3 if version == 3 else 2, layer if version == 3 or layer == 3 else 2)
    bitrate = _MP3_BITRATES[table][bitrate_index] * 1000
    sample_rate = _MP3_SAMPLE_RATES[version][rate_index]
    if layer == 3:  # layer I
        return (12 * bitrate // sample_rate + padding) * 4
    if layer == 1 and version != 3:  # layer III, MPEG-2/2.5
        return 72 * bitrate // sample_rate + padding
    return 144 * bitrate // sample_rate + padding


def _check_mp3_stream(data: bytes) -> None:
    """Walk the frames from the start to the end: a frame cut short means a truncated file."""
    pos = 0
    if data.startswith(b"ID3") and len(data) >= 10:
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        pos = 10 + size + (10 if data[5] & 0x10 else 0)
        if pos >= len(data):
            raise ValidationError(_("The MP3 file holds a tag but no audio (truncated?)."), code="truncated")
    frames = 0
    while pos < len(data):
        length = _mpeg_frame_length(data, pos)
        if length is None:
            break
        if pos + length > len(data):
            raise ValidationError(
                _(
                    "The MP3 file is truncated: its last frame (byte %(byte)s) needs %(needed)s bytes, "
                    "only %(left)s are there."
                ),
                code="truncated",
                params={"byte": pos, "needed": length, "left": len(data) - pos},
            )
        pos += length
        frames += 1
    if frames == 0:
        raise ValidationError(_("The file is named as MP3 but holds no MPEG audio frame."), code="corrupt")
    rest = data[pos:]
    # What may follow the last frame: an ID3v1 or APE tag, or padding. Anything else is damage.
    if rest and not (rest.startswith((b"TAG", b"APETAGEX", b"LYRICS", b"ID3")) or not rest.strip(b"\x00")):
        raise ValidationError(
            _("The MP3 stream breaks off at byte %(byte)s after %(frames)s frames (truncated or damaged)."),
            code="truncated",
            params={"byte": pos, "frames": frames},
        )


def _check_ogg_pages(data: bytes) -> None:
    """Walk the Ogg pages: each must be whole and the last one must end the stream."""
    pos, last_flags = 0, 0
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS" or pos + 27 > len(data):
            raise ValidationError(
                _("The Ogg stream is damaged at byte %(byte)s."), code="corrupt", params={"byte": pos}
            )
        last_flags, segments = data[pos + 5], data[pos + 26]
        header_end = pos + 27 + segments
        if header_end > len(data):
            raise ValidationError(_("The Ogg file is truncated (its last page is cut short)."), code="truncated")
        page_end = header_end + sum(data[pos + 27 : header_end])
        if page_end > len(data):
            raise ValidationError(_("The Ogg file is truncated (its last page is cut short)."), code="truncated")
        pos = page_end
    if not last_flags & 0x04:
        raise ValidationError(
            _("The Ogg file is truncated (it stops before its end-of-stream page)."), code="truncated"
        )


def _check_riff_size(data: bytes) -> None:
    declared = struct.unpack("<I", data[4:8])[0] + 8 if len(data) >= 8 else 0
    if len(data) < declared:
        raise ValidationError(
            _("The WAV file is truncated: its header announces %(declared)s bytes, only %(size)s are there."),
            code="truncated",
            params={"declared": declared, "size": len(data)},
        )


# --- images ---------------------------------------------------------------------------------


def _inspect_image(data: bytes, fmt: str) -> MediaInfo:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # a full decode: catches truncation that verify() lets through
            width, height = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("The file starts like %(format)s but cannot be decoded (%(problem)s). Is it damaged?"),
            code="corrupt",
            params={"format": FORMAT_NAMES[fmt], "problem": exc},
        ) from exc
    return MediaInfo(kind="image", format=fmt, width=width, height=height)
