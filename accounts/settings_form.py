"""The learner's settings form (/settings/). It validates the input; ``accounts.services.update_settings``
(which validates again and writes one UPDATE) does the save.

Kept apart from ``accounts/forms.py`` (allauth's sign-up form) so the two pages do not share a file.
"""

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .forms import mark_safe_lazy, time_zone_choices
from .models import User

# The league page is gamification's (named here, not imported).
LEADERBOARD_NAME_HELP = mark_safe_lazy(
    format_lazy(
        _('Shown on the weekly <a href="{}">league leaderboards</a>, never your e-mail.'), reverse_lazy("league")
    )
)
LEADERBOARD_HIDE_HELP = mark_safe_lazy(
    format_lazy(
        _('You then join no <a href="{}">league</a> and leave your league\'s table; your XP still counts.'),
        reverse_lazy("league"),
    )
)


class SettingsForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Your day, streak and daily goal follow this zone. Changing it never breaks your streak."),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "locale",
            "daily_xp_goal",
            "time_zone",
            "theme",
            "audio_quality",
            "sound_effects",
            "notify_streak_reminders",
            "notify_reengagement",
            "streak_reminder_hour",
            "hide_from_leaderboards",
        ]
        labels = {
            "display_name": _("Display name"),
            "locale": _("Interface language"),
            "daily_xp_goal": _("Daily goal"),
            "audio_quality": _("Audio quality"),
            "sound_effects": _("Sound effects in lessons"),
            "notify_streak_reminders": _("Remind me before my streak ends"),
            "notify_reengagement": _("E-mail me if I haven't practised for a while"),
            "streak_reminder_hour": _("Send the streak reminder from"),
            "hide_from_leaderboards": _("Hide me from leaderboards"),
        }
        help_texts = {
            "display_name": LEADERBOARD_NAME_HELP,
            "hide_from_leaderboards": LEADERBOARD_HIDE_HELP,
            "locale": _("The language of Mallard's pages and e-mails. Your courses stay as they are."),
            "daily_xp_goal": _("How much XP a day counts as a good day."),
            "streak_reminder_hour": _("Your local time. One e-mail that day, only if you have not practised yet."),
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "daily_xp_goal": forms.RadioSelect,
            "theme": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # A form posted without the interface language (an older page) keeps the learner's.
        if self.is_bound and "locale" not in self.data:
            self.fields["locale"].disabled = True


class AvatarForm(forms.Form):
    """The avatar upload on the settings page; ``accounts.avatars.set_avatar`` checks and stores it."""

    avatar = forms.FileField(
        label=_("New picture"),
        help_text=_("A JPEG, PNG, WebP or GIF of at most 2 MB; it is cropped to a square."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
