"""Authoring admin for media: an asset with its file variants inline.

An author uploads a file and picks its quality and speed; everything else (format, size, duration,
sample rate, bit rate, channels, checksum) is read from the file by ``services.add_variant`` and shown
read-only. A bad file is refused on the form with the reason, and nothing is stored.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .inspection import EXTENSIONS
from .models import Asset, AssetVariant

ACCEPT = ",".join(f".{ext}" for ext in sorted(EXTENSIONS)) + ",audio/*,image/png,image/jpeg,image/webp"


class StoredFileWidget(forms.Widget):
    """Stands in for the file input on a stored variant (a visible cell keeps the table's columns aligned)."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<span class="help">{}</span>', _("Stored (delete the row to replace it)"))


class VariantInlineForm(forms.ModelForm):
    upload = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=gettext_lazy(
            "MP3, Ogg (Vorbis or Opus), WAV, FLAC or M4A; PNG, JPEG or WebP for pictures. "
            "The format and the metadata are read from the file itself."
        ),
    )

    class Meta:
        model = AssetVariant
        fields = ["quality", "speed"]

    def __init__(self, *args, parent_asset: Asset | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_asset = parent_asset  # may be unsaved (the asset's add page)
        if self.instance.pk:
            # A stored file never changes: delete the variant and upload again to replace it.
            self.fields["upload"].disabled = True
            self.fields["upload"].widget = StoredFileWidget()
            self.fields["quality"].disabled = True
            self.fields["speed"].disabled = True
        self.checked = None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or cleaned.get("DELETE"):
            return cleaned
        upload = cleaned.get("upload")
        if not upload:
            raise ValidationError({"upload": _("Choose a file to upload.")})
        asset = self.parent_asset
        try:
            self.checked = services.check_upload(asset=asset, uploaded_file=upload)
            services.find_stored_variant(
                asset=asset,
                upload=self.checked,
                quality=cleaned.get("quality") or "medium",
                speed=cleaned.get("speed") or "normal",
            )
        except ValidationError as exc:
            raise ValidationError({"upload": exc.messages}) from None
        return cleaned


class VariantInlineFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "parent_asset": self.instance}

    def clean(self):
        super().clean()
        seen_bytes, seen_slots = {}, {}
        for form in self.forms:
            checked = getattr(form, "checked", None)
            if checked is None or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            slot = (checked.info.format, form.cleaned_data["quality"], form.cleaned_data["speed"])
            if checked.checksum in seen_bytes:
                raise ValidationError(
                    _("The same file is uploaded twice (%(name)s).") % {"name": seen_bytes[checked.checksum]}
                )
            if slot in seen_slots:
                raise ValidationError(_("Two uploads are both %(slot)s: keep one.") % {"slot": "/".join(slot)})
            seen_bytes[checked.checksum] = checked.original_name
            seen_slots[slot] = True


class AssetVariantInline(admin.TabularInline):
    model = AssetVariant
    form = VariantInlineForm
    formset = VariantInlineFormSet
    extra = 1
    fields = [
        "upload",
        "quality",
        "speed",
        "format",
        "player",
        "size",
        "duration",
        "sample_rate",
        "bit_rate",
        "channels",
        "dimensions",
        "checksum",
        "original_name",
    ]
    readonly_fields = [
        "format",
        "player",
        "size",
        "duration",
        "sample_rate",
        "bit_rate",
        "channels",
        "dimensions",
        "checksum",
        "original_name",
    ]

    @admin.display(description=gettext_lazy("Play"))
    def player(self, obj):
        if not obj.pk:
            return ""
        if obj.format in ("png", "jpeg", "webp"):
            return format_html('<img src="{}" alt="" height="48">', obj.get_absolute_url())
        return format_html(
            '<audio controls preload="none" src="{}" aria-label="{}"></audio>', obj.get_absolute_url(), str(obj)
        )

    @admin.display(description=gettext_lazy("Size"))
    def size(self, obj):
        return f"{obj.size_bytes / 1024:.1f} KiB" if obj.pk else ""

    @admin.display(description=gettext_lazy("Duration"))
    def duration(self, obj):
        return f"{obj.duration_ms / 1000:.2f} s" if obj.duration_ms else ""

    @admin.display(description=gettext_lazy("Pixels"))
    def dimensions(self, obj):
        return f"{obj.width} x {obj.height}" if obj.width else ""

    @admin.display(description="SHA-256")
    def checksum(self, obj):
        if not obj.pk:
            return ""
        return format_html('<code title="{}">{}…</code>', obj.checksum_sha256, obj.checksum_sha256[:12])


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "source", "language", "variant_count", "total_size", "created_at"]
    list_filter = ["kind", "source", "language"]
    search_fields = ["text", "title"]
    readonly_fields = ["source", "tts_provider", "tts_voice", "player", "created_at"]
    fields = ["kind", "title", "text", "language", "player", "source", "tts_provider", "tts_voice", "created_at"]
    inlines = [AssetVariantInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(variant_count=Count("variants"), total_size=Sum("variants__size_bytes"))
        )

    @admin.display(description=gettext_lazy("Variants"), ordering="variant_count")
    def variant_count(self, obj):
        return obj.variant_count

    @admin.display(description=gettext_lazy("Size"), ordering="total_size")
    def total_size(self, obj):
        return f"{(obj.total_size or 0) / 1024:.1f} KiB"

    @admin.display(description=gettext_lazy("Listen"))
    def player(self, obj):
        if not obj.pk or obj.kind != Asset.Kind.AUDIO:
            return "—"
        html = render_to_string(
            "media_assets/audio.html", {"asset": obj, "audio_quality": "high", "label": obj.text or str(obj)}
        )
        return html or _("No audio variant yet.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not AssetVariant:
            return super().save_formset(request, form, formset, change)
        asset = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                services.delete_variant(variant=inline_form.instance)
                formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None) or {}
            if inline_form.instance.pk or data.get("DELETE") or not data.get("upload"):
                continue
            try:
                variant = services.add_variant(
                    asset=asset, uploaded_file=data["upload"], quality=data["quality"], speed=data["speed"]
                )
            except ValidationError as exc:  # a concurrent upload got there first
                messages.error(request, f"{data['upload'].name}: {' '.join(exc.messages)}")
                continue
            formset.new_objects.append(variant)

    def delete_model(self, request, obj):
        services.delete_asset(asset=obj)

    def delete_queryset(self, request, queryset):
        for asset in queryset:
            services.delete_asset(asset=asset)
