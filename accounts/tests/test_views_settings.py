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


# --- Account pages (allauth's e-mail and password change, in Mallard's look) and the favicon ----------


def test_settings_links_to_the_account_email_and_password_pages(client, learner):
    html = client.get(reverse("settings")).content.decode()
    assert f'href="{reverse("account_email")}"' in html
    assert f'href="{reverse("account_change_password")}"' in html


@pytest.mark.parametrize("name", ["account_email", "account_change_password"])
def test_account_pages_use_mallards_card_and_lead_back_to_settings(client, learner, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="auth-card account-manage"' in html and "css/accounts.css" in html
    assert f'href="{reverse("settings")}"' in html
    assert html.count("<h1") == 1


def test_the_password_change_works_from_its_page(client, user):
    user.set_password("old-password-1234")
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "old-password-1234", "password1": "new-password-5678", "password2": "new-password-5678"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-password-5678")


def test_a_wrong_old_password_is_a_form_error_not_a_500(client, learner):
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": "new-password-5678", "password2": "new-password-5678"},
    )
    assert response.status_code == 200
    assert "auth-card" in response.content.decode()


def test_every_page_links_the_favicon_and_favicon_ico_redirects_to_it(client):
    html = client.get(reverse("home")).content.decode()
    assert 'rel="icon"' in html and "img/favicon.svg" in html and "img/favicon-32.png" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("img/favicon.ico")
