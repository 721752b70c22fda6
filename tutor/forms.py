"""The learner's message form (the page's no-JS path and tutor.js both post it)."""

from django import forms
from django.conf import settings

from .errors import InvalidMessage
from .services import clean_message


class MessageForm(forms.Form):
    content = forms.CharField(
        label="Your message",
        strip=False,  # clean_message trims; the one rule for a message lives in tutor.services
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.MALLARD_TUTOR_MAX_MESSAGE_CHARS
        self.fields["content"].help_text = f"Up to {limit} characters. Ctrl+Enter sends."
        self.fields["content"].widget.attrs["maxlength"] = str(limit)

    def clean_content(self) -> str:
        try:
            return clean_message(self.cleaned_data.get("content", ""))
        except InvalidMessage as exc:
            raise forms.ValidationError(exc.message) from exc
