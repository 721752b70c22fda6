from django.apps import AppConfig


class MediaAssetsConfig(AppConfig):
    name = "media_assets"
    verbose_name = "Media"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # The audit trail (docs/operations.md): uploads, edits and deletions of media by staff or commands.
        for name in ("Asset", "AssetVariant"):
            auditlog.register(self.get_model(name))
