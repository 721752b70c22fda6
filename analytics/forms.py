from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .selectors import Period

#: the longest period a page sums (days)
MAX_DAYS = 366
DEFAULT_DAYS = 30


def default_period(today: date | None = None) -> Period:
    """The last ``DEFAULT_DAYS`` complete UTC days (the rollup covers days that have ended)."""
    end = (today or timezone.now().date()) - timedelta(days=1)
    return Period(start=end - timedelta(days=DEFAULT_DAYS - 1), end=end)


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The first day must not be after the last."))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return data


def period_from(params) -> tuple[PeriodForm, Period]:
    """The period a page shows: the one asked for when it is valid, else the default (the form then
    carries the errors to show)."""
    default = default_period()
    if "start" not in params and "end" not in params:
        return PeriodForm(initial={"start": default.start, "end": default.end}), default
    form = PeriodForm(params)
    if form.is_valid():
        return form, Period(start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    return form, default
