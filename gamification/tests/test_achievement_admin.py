"""Authors (Content editor group) manage achievements and their levels in admin, validated."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import UserFactory
from gamification.models import Achievement, AchievementLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return client


def form(levels, **fields):
    data = {
        "code": "globetrotter",
        "name": "Globetrotter",
        "description": "Pass lessons.",
        "icon": "🌍",
        "condition_type": "lesson_count",
        "is_active": "on",
        "levels-TOTAL_FORMS": len(levels),
        "levels-INITIAL_FORMS": 0,
        "levels-MIN_NUM_FORMS": 0,
        "levels-MAX_NUM_FORMS": 1000,
        **fields,
    }
    for i, (level, threshold, xp) in enumerate(levels):
        data |= {f"levels-{i}-level": level, f"levels-{i}-threshold": threshold, f"levels-{i}-xp_reward": xp}
    return data


def test_an_author_adds_an_achievement_with_levels(editor):
    response = editor.post(reverse("admin:gamification_achievement_add"), form([(1, 5, 10), (2, 20, 30)]))
    assert response.status_code == 302, response.content
    achievement = Achievement.objects.get(code="globetrotter")
    assert list(achievement.levels.values_list("level", "threshold", "xp_reward")) == [(1, 5, 10), (2, 20, 30)]
    # The audit trail records the achievement and each level.
    assert LogEntry.objects.get_for_model(Achievement).filter(object_pk=str(achievement.pk)).count() == 1
    assert LogEntry.objects.get_for_model(AchievementLevel).count() == 2
    assert editor.get(reverse("admin:gamification_achievement_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("levels", "fields", "message"),
    [
        ([(1, 5, 10), (3, 20, 30)], {}, "without gaps"),
        ([(1, 5, 10), (2, 5, 30)], {}, "duplicate data for threshold"),
        ([(1, 20, 10), (2, 5, 30)], {}, "higher threshold"),
        ([], {}, "at least one level"),
        ([(1, 0, 10)], {}, "at least 1"),
        ([(1, 5, 10_001)], {}, "At most"),
        ([(1, 5, -1)], {}, "greater than or equal to 0"),
        ([(1, 5, 10)], {"condition_type": "nonsense"}, "Select a valid choice"),
        ([(1, 5, 10)], {"icon": "<b>"}, "without spaces or markup"),
        ([(1, 5, 10)], {"code": "first-lesson"}, "already exists"),
    ],
)
def test_bad_definitions_are_form_errors_and_nothing_is_saved(editor, levels, fields, message):
    before = (Achievement.objects.count(), AchievementLevel.objects.count())
    response = editor.post(reverse("admin:gamification_achievement_add"), form(levels, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Achievement.objects.count(), AchievementLevel.objects.count()) == before
