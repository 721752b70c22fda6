"""Forms allauth builds its sign-up pages from.

``SignupForm`` is ``ACCOUNT_SIGNUP_FORM_CLASS``: allauth mixes its fields into both the e-mail
sign-up form and the social sign-up form (the one a TikTok learner fills in to give an e-mail
address). The values are validated here and written by ``AccountAdapter.save_user`` in the same
INSERT as the user.
"""

import zoneinfo
from functools import cache

from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from .models import User
from .validators import validate_time_zone

#: mark_safe of a lazy (translated) string, evaluated when shown in the learner's language.
mark_safe_lazy = lazy(mark_safe, str)


#: The league page (gamification's; named, not imported) explains the weekly leaderboards.
LEADERBOARD_HELP = mark_safe_lazy(
    format_lazy(
        gettext_lazy(
            'Shown on the weekly <a href="{}">league leaderboards</a> (never your e-mail). You can change it later.'
        ),
        reverse_lazy("league"),
    )
)


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class SignupForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Display name"),
        max_length=User._meta.get_field("display_name").max_length,
        help_text=LEADERBOARD_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=time_zone_choices,
        initial="UTC",
        validators=[validate_time_zone],
        help_text=gettext_lazy("Your day, streak and daily goal follow this zone. We try to detect it."),
        widget=forms.Select(attrs={"data-detect-time-zone": "true"}),
    )

    def clean_display_name(self) -> str:
        from .services import clean_display_name

        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user) -> None:
        """Nothing to do: ``AccountAdapter.save_user`` already stored these fields."""
