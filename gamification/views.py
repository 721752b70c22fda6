"""The learner's profile and the hearts pages (docs/pages.md). Thin: one selector or service each."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from progress.models import Enrollment

from . import selectors, services
from .charts import xp_chart


@login_required
@require_GET
def profile(request):
    now = timezone.now()
    data = selectors.profile(user=request.user, now=now)
    chart = xp_chart(data.last_14_days, goal=data.daily_goal, today=data.today)
    return render(request, "gamification/profile.html", {"profile": data, "chart": chart})


@login_required
@require_GET
def out_of_hearts(request):
    """Hearts, the next heart's time, and the two ways back: a gem refill or a review session."""
    hearts = selectors.hearts_state(user=request.user, now=timezone.now())
    current = Enrollment.objects.filter(user=request.user, is_current=True).select_related("course").first()
    return render(
        request,
        "gamification/hearts.html",
        {
            "hearts": hearts,
            "current_course": current.course if current else None,
            "price": settings.MALLARD_HEART_REFILL_PRICE_GEMS,
        },
    )


@login_required
@require_POST
def refill_hearts(request):
    """Spend gems to refill hearts, then go back where the learner came from."""
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    try:
        services.refill_hearts(user=request.user, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("out_of_hearts")
    messages.success(request, "Hearts refilled. Good luck!")
    return redirect(target or "out_of_hearts")
