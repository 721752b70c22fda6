"""The learner's settings page. The form validates; ``accounts.services.update_settings`` writes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .avatars import remove_avatar, set_avatar
from .models import User
from .settings_form import AvatarForm, SettingsForm
from .unsubscribe import TOPICS, InvalidUnsubscribeLink, read_token, unsubscribe


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
            messages.success(request, _("Settings saved.") if changed else _("Nothing to change."))
            return redirect("settings")
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "avatar_form": AvatarForm()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def avatar_page(request):
    """Upload (or, with ``remove``, delete) the learner's avatar; a bad picture is a form error on the
    settings page (400) and changes nothing."""
    if "remove" in request.POST:
        remove_avatar(user=request.user)
        messages.success(request, _("Avatar removed."))
        return redirect("settings")
    avatar_form = AvatarForm(request.POST, request.FILES)
    if avatar_form.is_valid():
        try:
            set_avatar(user=request.user, upload=avatar_form.cleaned_data["avatar"])
        except ValidationError as exc:
            avatar_form.add_error("avatar", exc)
        else:
            messages.success(request, _("Avatar saved."))
            return redirect("settings")
    form = SettingsForm(instance=User.objects.get(pk=request.user.pk))
    return render(request, "accounts/settings.html", {"form": form, "avatar_form": avatar_form}, status=400)


# No CSRF token: the signed link is the credential, and mail providers' one-click unsubscribe
# (RFC 8058: a POST of "List-Unsubscribe=One-Click" to the link) cannot carry one.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request, token: str):
    """GET: say what the link turns off, with a button (link scanners only GET, so they change
    nothing). POST: turn it off. No log-in needed; a tampered link is a 400 page."""
    try:
        if request.method == "POST":
            _user, label = unsubscribe(token=token)
            return render(request, "accounts/unsubscribe.html", {"done": True, "label": label})
        _user, topic = read_token(token)
    except InvalidUnsubscribeLink as exc:
        return render(request, "accounts/unsubscribe.html", {"error": str(exc)}, status=400)
    return render(request, "accounts/unsubscribe.html", {"label": TOPICS[topic][1], "token": token})


@login_required
def activity_page(request):
    """Recent activity: the learner's own activity log, newest first, paginated."""
    page = selectors.recent_activity(user=request.user, page=request.GET.get("page") or 1)
    return render(
        request,
        "accounts/activity.html",
        {"page": page, "retention_days": settings.MALLARD_ACTIVITY_LOG_RETENTION_DAYS},
    )
