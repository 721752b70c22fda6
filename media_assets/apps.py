from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaAssetsConfig(AppConfig):
    name = "media_assets"
    verbose_name = _("Media")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # The audit trail (docs/operations.md): uploads, edits and deletions of media by staff or commands.
        for name in ("Asset", "AssetVariant"):
            auditlog.register(self.get_model(name))
