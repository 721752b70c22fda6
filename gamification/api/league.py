"""The weekly league in the API: ``GET me/league/`` (docs/api.md, "League").

The same selector as the league page (``gamification.league_selectors.league_table``): only the
caller's own cohort, only display names and avatars of the other learners, never an e-mail address.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import error_responses
from gamification.league_selectors import LeagueTable, league_table
from gamification.models import DIVISIONS

LEAGUE_STATUSES = ["member", "not_joined", "hidden", "pending"]
ZONES = ["promotion", "demotion", ""]


class DivisionSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, max_value=len(DIVISIONS) - 1, help_text="0 = Bronze … 9 = Diamond.")
    name = serializers.ChoiceField(choices=list(DIVISIONS))


class LeagueRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="Null for a learner with no XP this week (not ranked).")
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)
    xp = serializers.IntegerField(help_text="XP earned this week.")
    is_me = serializers.BooleanField()
    zone = serializers.ChoiceField(choices=ZONES, help_text='Where this rank moves if the week ended now; "" neither.')


class LeagueResultSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="The Monday (UTC) the week started.")
    rank = serializers.IntegerField(allow_null=True, help_text="Null when not ranked (no XP, or hidden).")
    xp = serializers.IntegerField()
    move = serializers.ChoiceField(choices=[-1, 0, 1], help_text="-1 moved down, 0 stayed, 1 moved up.")
    division_before = DivisionSerializer()
    division_after = DivisionSerializer()
    gems = serializers.IntegerField()
    sentence = serializers.CharField(help_text='E.g. "You finished 3rd and moved up to Sapphire."')


class LeagueSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="The Monday (UTC) this league week started.")
    ends_at = serializers.DateTimeField(help_text="The next Monday 00:00 UTC.")
    seconds_left = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=LEAGUE_STATUSES,
        help_text="member: in a cohort; not_joined: no XP yet this week; hidden: hidden from leaderboards; "
        "pending: last week's results are being counted.",
    )
    division = DivisionSerializer()
    promotion_zone = serializers.IntegerField(help_text="How many ranks move up if the week ended now.")
    demotion_zone = serializers.IntegerField(help_text="How many ranks move down if the week ended now.")
    my_rank = serializers.IntegerField(allow_null=True)
    my_xp = serializers.IntegerField()
    cohort = LeagueRowSerializer(many=True, help_text="Your cohort's table, best first; empty unless a member.")
    last_result = LeagueResultSerializer(allow_null=True, help_text="Your latest closed week.")


def _division(index: int) -> dict:
    return {"index": index, "name": DIVISIONS[index]}


def league_data(table: LeagueTable) -> dict:
    result = table.last_result
    return {
        "week_start": table.week_start,
        "ends_at": table.ends_at,
        "seconds_left": max(0, int(table.time_left.total_seconds())),
        "status": table.status,
        "division": _division(table.division),
        "promotion_zone": table.promoted,
        "demotion_zone": table.demoted,
        "my_rank": table.my_rank,
        "my_xp": table.my_xp,
        "cohort": [
            {
                "rank": row.rank,
                "display_name": row.name,
                "avatar_url": row.avatar_url,
                "xp": row.xp,
                "is_me": row.is_me,
                "zone": row.zone,
            }
            for row in table.rows
        ],
        "last_result": None
        if result is None
        else {
            "week_start": result.week_start,
            "rank": result.rank,
            "xp": result.xp,
            "move": result.move,
            "division_before": _division(result.division_before),
            "division_after": _division(result.division_after),
            "gems": result.gems,
            "sentence": result.sentence,
        },
    }


@extend_schema(
    tags=["me"],
    summary="Your weekly league: division, your cohort's table, time left, last week's result",
    responses={200: LeagueSerializer, **error_responses()},
)
class LeagueView(APIView):
    def get(self, request):
        table = league_table(user=request.user, now=timezone.now())
        return Response(LeagueSerializer(league_data(table)).data)
