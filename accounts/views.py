"""The learner's settings page. The form validates; ``accounts.services.update_settings`` writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from . import services
from .models import User
from .settings_form import SettingsForm


@login_required
def settings_page(request):
    # The form works on a copy so a rejected submission never leaks half-applied values into the
    # page's header (theme, name) through request.user.
    instance = User.objects.get(pk=request.user.pk)
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_settings(user=request.user, **changed)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, "Settings saved." if changed else "Nothing to change.")
            return redirect("settings")
    return render(request, "accounts/settings.html", {"form": form}, status=400 if form.errors else 200)
