"""Every admin page checks its permission, including the pages apps add to admin themselves.

Custom admin pages (a ModelAdmin's ``get_urls``) are wrapped in ``admin_site.admin_view``, which only
checks that the user is active staff: each page must then check a permission of its own. These
tests walk every registered ModelAdmin, so a page added later is checked too: staff without any
permission get no custom page, and the Content editor group reads what authors need (content,
course analytics, the daily metric rollups) and nothing of learners' accounts or wallets.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, reverse

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STANDARD = ("_changelist", "_add", "_history", "_delete", "_change")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def custom_pages() -> list[tuple[str, str, bool]]:
    """(name, url, takes an argument) of every page a ModelAdmin adds beside the standard ones."""
    pages = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name or pattern.name.endswith(STANDARD):
                continue
            route = str(pattern.pattern)
            url = "/" + prefix + CONVERTER.sub("1", route).lstrip("^").rstrip("$")
            pages.append((pattern.name, url, bool(CONVERTER.search(route))))
    return pages


def test_there_are_custom_pages_to_check():
    names = {name for name, _, _ in custom_pages()}
    assert {"analytics_course", "analytics_lesson", "courses_lesson_preview", "courses_course_import_file"} <= names


@pytest.mark.parametrize(("name", "url", "has_argument"), custom_pages(), ids=lambda v: v if isinstance(v, str) else "")
def test_staff_without_permissions_get_no_custom_page(client, name, url, has_argument):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(url)
    # 403; a page about one object may first say it does not exist (404); a POST-only page 405.
    allowed = {403, 404, 405} if has_argument else {403, 405}
    assert response.status_code in allowed, f"{name} ({url}) answered {response.status_code}"


AUTHOR_PAGES = [
    "admin:courses_course_changelist",
    "admin:courses_lesson_changelist",
    "admin:courses_exercise_changelist",
    "admin:courses_course_import_file",
    "admin:media_assets_asset_changelist",
    "admin:analytics_lessonday_changelist",
    "admin:gamification_coursedailymetric_changelist",
    "admin:gamification_exercisedailymetric_changelist",
    "admin:progress_problemreport_changelist",
]
NOT_FOR_AUTHORS = [
    "admin:accounts_user_changelist",
    "admin:auth_group_changelist",
    "admin:gamification_jobrun_changelist",
]


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return client


def test_outside_content_content_editors_only_read():
    perms = set(
        Group.objects.get(name="Content editor")
        .permissions.exclude(content_type__app_label__in=["courses", "media_assets"])
        .values_list("content_type__app_label", "codename")
    )
    assert {
        ("analytics", "view_lessonday"),
        ("gamification", "view_coursedailymetric"),
        ("gamification", "view_exercisedailymetric"),
    } <= perms
    # Reading, besides working the learners' problem reports (accept, reject, resolve: their change
    # permission) and managing the achievements' definitions.
    achievements = {
        f"{a}_{m}" for a in ("add", "change", "delete", "view") for m in ("achievement", "achievementlevel")
    }
    assert achievements <= {codename for _, codename in perms}
    assert all(
        codename.startswith("view_") or codename == "change_problemreport" or codename in achievements
        for _, codename in perms
    ), perms
    assert not any(label == "accounts" for label, _ in perms)


@pytest.mark.parametrize("page", AUTHOR_PAGES)
def test_content_editors_read_content_and_analytics(editor, page):
    assert editor.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", NOT_FOR_AUTHORS)
def test_content_editors_get_no_account_group_or_job_page(editor, page):
    assert editor.get(reverse(page)).status_code == 403
