"""Every allauth page the flows use renders inside the site layout, with a label on every control."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class ControlCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_targets: set[str] = set()
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.controls.append({"tag": tag, **attrs})
        if tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])


def parse(response) -> ControlCollector:
    collector = ControlCollector()
    collector.feed(response.content.decode())
    return collector


def assert_site_page(response, *, min_controls=0):
    assert response.status_code == 200
    page = parse(response)
    assert any(href.endswith("css/mallard.css") for href in page.stylesheets)
    assert any(href.endswith("css/accounts.css") for href in page.stylesheets)
    assert 'class="site-header"' in response.content.decode()
    assert len(page.controls) >= min_controls
    unlabelled = [c for c in page.controls if c.get("id") not in page.label_targets]
    assert unlabelled == []
    return page


@pytest.mark.parametrize(
    ("name", "min_controls"),
    [
        ("account_login", 3),  # e-mail, password, remember me
        ("account_signup", 5),  # e-mail, password twice, display name, time zone
        ("account_reset_password", 1),
        ("account_reset_password_done", 0),
        ("account_email_verification_sent", 0),
        ("account_inactive", 0),
    ],
)
def test_anonymous_pages_render_in_site_layout_with_labels(client, name, min_controls):
    assert_site_page(client.get(reverse(name)), min_controls=min_controls)


def test_signup_page_offers_time_zones_and_detects_one(client):
    response = client.get(reverse("account_signup"))
    html = response.content.decode()
    assert '<option value="Europe/Madrid">' in html
    assert "data-detect-time-zone" in html
    assert "js/detect-time-zone.js" in html


def test_logout_page_asks_with_a_post_form(client, user):
    client.force_login(user)
    response = client.get(reverse("account_logout"))
    assert_site_page(response)
    assert 'method="post" action="/accounts/logout/"' in response.content.decode()
    # GET does not log out (ACCOUNT_LOGOUT_ON_GET is off) ...
    assert client.get(reverse("home")).context["user"].is_authenticated
    # ... POST does.
    client.post(reverse("account_logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_pages_not_rewritten_still_use_the_site_layout(client, user):
    """allauth's own templates (e.g. password change) go through our allauth/layouts/base.html."""
    client.force_login(user)
    assert_site_page(client.get(reverse("account_change_password")), min_controls=3)
    assert_site_page(client.get(reverse("account_email")), min_controls=1)


def test_bad_password_reset_key_page(client):
    response = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"}))
    assert_site_page(response)
    assert "does not work any more" in response.content.decode()


def test_bad_email_confirmation_key_page(client):
    response = client.get(reverse("account_confirm_email", kwargs={"key": "not-a-key"}))
    assert_site_page(response)
    assert "expired or is not valid" in response.content.decode()
