import hashlib

import factory
from django.core.files.base import ContentFile

from media_assets.models import Asset, AssetVariant
from media_assets.tests.helpers import wav_bytes


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    kind = Asset.Kind.AUDIO
    text = factory.Sequence(lambda n: f"hola {n}")
    language = "es"


class AssetVariantFactory(factory.django.DjangoModelFactory):
    """A real WAV (a tenth of a second, its pitch from the sequence, so every file's bytes differ)
    with the metadata it really has. Written directly, without ``add_variant``'s checks."""

    class Meta:
        model = AssetVariant
        exclude = ("data",)

    asset = factory.SubFactory(AssetFactory)
    data = factory.Sequence(lambda n: wav_bytes(seconds=0.1, hz=200 + n))
    file = factory.LazyAttribute(lambda o: ContentFile(o.data, name="tone.wav"))
    format = AssetVariant.Format.WAV
    quality = AssetVariant.Quality.HIGH
    size_bytes = factory.LazyAttribute(lambda o: len(o.data))
    duration_ms = 100
    sample_rate = 16000
    bit_rate = 16000 * 16
    channels = 1
    checksum_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.data).hexdigest())
    original_name = "tone.wav"
