import factory

from media_assets.models import Asset


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    kind = Asset.Kind.AUDIO
    text = factory.Sequence(lambda n: f"hola {n}")
    language = "es"
