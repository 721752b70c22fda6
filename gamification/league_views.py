"""The league page (docs/pages.md): the learner's cohort this week, zones, time left, last result.

A visitor who is not logged in (the sign-up page links here) sees how leagues work and a sign-up link.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .league_selectors import league_table
from .models import DIVISION_LABELS
from .services.leagues import DEMOTED, PROMOTED, REWARD_GEMS


@require_GET
def league(request):
    table = league_table(user=request.user, now=timezone.now()) if request.user.is_authenticated else None
    return render(
        request,
        "gamification/league.html",
        {
            "league": table,
            "divisions": DIVISION_LABELS,
            "promoted": PROMOTED,
            "demoted": DEMOTED,
            "reward_gems": sorted(REWARD_GEMS.items()),
        },
    )
