"""The settings page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def valid(**overrides):
    data = {
        "display_name": "Duck Learner",
        "daily_xp_goal": "240",
        "time_zone": "Europe/Madrid",
        "theme": "dark",
        "audio_quality": "low",
        "sound_effects": "",
        "notify_streak_reminders": "on",
        "streak_reminder_hour": "19",
    }
    data.update(overrides)
    return data


def test_settings_need_login(client):
    response = client.get(reverse("settings"))
    assert response.status_code == 302 and "login" in response.url


def test_settings_page_shows_every_control_with_a_label(client, learner):
    html = client.get(reverse("settings")).content.decode()
    for name in (
        "display_name",
        "daily_xp_goal",
        "time_zone",
        "theme",
        "audio_quality",
        "sound_effects",
        "notify_streak_reminders",
        "notify_reengagement",
        "streak_reminder_hour",
    ):
        assert f'name="{name}"' in html
    assert '<option value="America/New_York">' in html
    assert html.count("<label") >= 9


def test_settings_are_saved(client, learner):
    response = client.post(reverse("settings"), valid())
    assert response.status_code == 302 and response.url == reverse("settings")
    learner.refresh_from_db()
    assert learner.display_name == "Duck Learner"
    assert learner.daily_xp_goal == 240
    assert learner.time_zone == "Europe/Madrid"
    assert learner.theme == "dark"
    assert learner.audio_quality == "low"
    assert learner.sound_effects is False
    assert learner.notify_streak_reminders is True and learner.notify_reengagement is False
    assert learner.streak_reminder_hour == 19
    page = client.get(reverse("settings")).content.decode()
    assert "Settings saved." in page
    assert 'data-theme="dark"' in page  # the theme applies at once


@pytest.mark.parametrize(
    ("field", "value"),
    [("daily_xp_goal", "25"), ("time_zone", "Mars/Olympus"), ("theme", "neon"), ("display_name", "   ")],
)
def test_bad_settings_change_nothing(client, learner, field, value):
    before = {f: getattr(learner, f) for f in ("display_name", "daily_xp_goal", "time_zone", "theme")}
    response = client.post(reverse("settings"), valid(**{field: value}))
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    learner.refresh_from_db()
    assert {f: getattr(learner, f) for f in before} == before
