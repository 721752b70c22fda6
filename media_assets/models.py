import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Asset(models.Model):
    """A piece of media (a word's pronunciation, an exercise's audio, a picture) with its variants."""

    class Kind(models.TextChoices):
        AUDIO = "audio", _("Audio")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    class Source(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        TTS = "tts", _("Text-to-speech")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.AUDIO)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # What the asset says (audio) or shows (image alt text).
    text = models.CharField(_("text"), max_length=500, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("ISO code of the spoken language")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.UPLOADED)
    tts_provider = models.CharField(_("TTS provider"), max_length=50, blank=True)
    tts_voice = models.CharField(_("TTS voice"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        indexes = [models.Index(fields=["source", "language", "text"])]
        constraints = [
            # Text-to-speech shares one asset per spoken (language, text): the TTS command relies on it.
            models.UniqueConstraint(
                fields=["kind", "language", "text"], condition=Q(source="tts"), name="asset_unique_tts_text"
            ),
            models.CheckConstraint(
                condition=Q(source="uploaded") | ~Q(tts_provider=""), name="asset_tts_names_provider"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.text or f"{self.get_kind_display()} #{self.pk}"


def content_addressed_name(*, checksum: str, format: str) -> str:
    return f"assets/{checksum[:2]}/{checksum}.{format}"


def variant_upload_to(instance: "AssetVariant", filename: str) -> str:
    """A file saved through the field (not ``services.add_variant``, which names it itself) is named by its
    content hash too (a random name before the hash is known), never by the name it was uploaded under."""
    if instance.checksum_sha256 and instance.format:
        return content_addressed_name(checksum=instance.checksum_sha256, format=instance.format)
    return f"assets/{uuid.uuid4().hex}"


class AssetVariant(models.Model):
    """One encoded file of an asset: a format at a quality (and speed, for slow replay)."""

    class Format(models.TextChoices):
        MP3 = "mp3", "MP3"
        OGG = "ogg", "Ogg Vorbis"
        OPUS = "opus", "Ogg Opus"
        WAV = "wav", "WAV"
        M4A = "m4a", "AAC (M4A)"
        FLAC = "flac", "FLAC"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"
        WEBP = "webp", "WebP"
        SVG = "svg", "SVG"
        MP4 = "mp4", "MP4"
        WEBM = "webm", "WebM"

    class Quality(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Speed(models.TextChoices):
        NORMAL = "normal", _("Normal")
        SLOW = "slow", _("Slow")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="variants", verbose_name=_("asset"))
    file = models.FileField(_("file"), upload_to=variant_upload_to)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    quality = models.CharField(_("quality"), max_length=8, choices=Quality.choices, default=Quality.MEDIUM)
    speed = models.CharField(_("speed"), max_length=8, choices=Speed.choices, default=Speed.NORMAL)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    sample_rate = models.PositiveIntegerField(_("sample rate"), null=True, blank=True)
    bit_rate = models.PositiveIntegerField(_("bit rate"), null=True, blank=True, help_text=_("bits per second"))
    channels = models.PositiveSmallIntegerField(_("channels"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, help_text=_("pixels (images)"))
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, help_text=_("pixels (images)"))
    # Identical bytes are stored once: a second upload of the same file reuses this row
    # (same asset) or is refused naming this row (another asset); see services.add_variant.
    checksum_sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, unique=True)
    # The name the file had on the author's machine (informative only: the format comes from the content).
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset variant")
        verbose_name_plural = _("asset variants")
        constraints = [
            models.UniqueConstraint(fields=["asset", "format", "quality", "speed"], name="asset_variant_unique_kind"),
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="asset_variant_nonempty"),
            models.CheckConstraint(condition=Q(quality__in=["low", "medium", "high"]), name="asset_variant_quality"),
            models.CheckConstraint(condition=Q(speed__in=["normal", "slow"]), name="asset_variant_speed"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} [{self.format}/{self.quality}/{self.speed}]"

    def get_absolute_url(self) -> str:
        """``/media/a/<sha256>.<format>``: named by the file's content hash, so a URL (and the name a
        download gets) says nothing the bytes do not; never the asset's text, title or original name."""
        return reverse("media_assets:variant", kwargs={"checksum": self.checksum_sha256, "extension": self.format})

    @property
    def stored_name(self) -> str:
        """Where the file is kept in storage: content-addressed, ``assets/<sha[:2]>/<sha256>.<format>``."""
        return content_addressed_name(checksum=self.checksum_sha256, format=self.format)

    @property
    def mime_type(self) -> str:
        """The Content-Type the file is served with and the ``<source type>`` browsers choose by."""
        return MIME_TYPES.get(self.format, "application/octet-stream")

    @property
    def source_type(self) -> str:
        """The ``<source type>`` value: names the codec where a container holds several (Ogg)."""
        return SOURCE_TYPES.get(self.format, self.mime_type)


MIME_TYPES = {
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "flac": "audio/flac",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "mp4": "video/mp4",
    "webm": "video/webm",
}

SOURCE_TYPES = {"ogg": 'audio/ogg; codecs="vorbis"', "opus": 'audio/ogg; codecs="opus"'}
