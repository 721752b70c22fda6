"""Forms allauth builds its sign-up pages from.

``SignupForm`` is ``ACCOUNT_SIGNUP_FORM_CLASS``: allauth mixes its fields into both the e-mail
sign-up form and the social sign-up form (the one a TikTok learner fills in to give an e-mail
address). The values are validated here and written by ``AccountAdapter.save_user`` in the same
INSERT as the user.
"""

import zoneinfo
from functools import cache

from django import forms

from .models import User
from .validators import validate_time_zone


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class SignupForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        max_length=User._meta.get_field("display_name").max_length,
        help_text="Shown on leaderboards. You can change it later.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        initial="UTC",
        validators=[validate_time_zone],
        help_text="Your day, streak and daily goal follow this zone. We try to detect it.",
        widget=forms.Select(attrs={"data-detect-time-zone": "true"}),
    )

    def clean_display_name(self) -> str:
        from .services import clean_display_name

        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user) -> None:
        """Nothing to do: ``AccountAdapter.save_user`` already stored these fields."""
