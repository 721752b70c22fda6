"""API: the course catalog — published courses only, for everyone alike."""

import itertools

import pytest

from core.tests.api import API, assert_error, client_for
from courses.tests.factories import CourseFactory as _CourseFactory
from courses.tests.factories import LanguageFactory

pytestmark = pytest.mark.django_db
_codes = itertools.count(1)


def CourseFactory(**kwargs):  # a factory with a distinct target language each time
    code = f"k{next(_codes)}"
    return _CourseFactory(to_language=LanguageFactory(code=code, name=f"Lang {code}", native_name=code), **kwargs)


def test_course_list_is_paginated_and_shows_published_courses_only(user):
    visible = CourseFactory(title="Alpha")
    CourseFactory(title="Hidden", is_published=False)
    body = client_for(user).get(f"{API}courses/").json()
    assert body["count"] == 1 and body["previous"] is None and body["next"] is None
    assert body["results"] == [
        {
            "slug": visible.slug,
            "title": "Alpha",
            "description": "",
            "from_language": {"code": "en", "name": "English", "native_name": "English"},
            "to_language": {
                "code": visible.to_language.code,
                "name": visible.to_language.name,
                "native_name": visible.to_language.native_name,
            },
            "license": {"name": "", "short_name": "", "url": ""},
            "source_repository": "",
            "special_characters": [],
        }
    ]


def test_course_list_pages(user, settings):
    for i in range(3):
        CourseFactory(title=f"Course {i}")
    api = client_for(user)
    from rest_framework.pagination import PageNumberPagination

    original = PageNumberPagination.page_size
    PageNumberPagination.page_size = 2
    try:
        first = api.get(f"{API}courses/").json()
        second = api.get(f"{API}courses/", {"page": 2}).json()
    finally:
        PageNumberPagination.page_size = original
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"].endswith("page=2")
    assert len(second["results"]) == 1 and second["next"] is None
    assert_error(api.get(f"{API}courses/", {"page": 7}), 404, "not_found")
    for bad in ("abc", "-1", "1.5", "\uff12"):
        assert_error(api.get(f"{API}courses/", {"page": bad}), 404, "not_found")
    assert_error(api.get(f"{API}courses/?page=1&page=2"), 404, "not_found")


def test_course_detail(user):
    course = CourseFactory()
    body = client_for(user).get(f"{API}courses/{course.slug}/").json()
    assert body["slug"] == course.slug and body["to_language"]["code"] == course.to_language.code


@pytest.mark.parametrize("slug", ["no-such-course", "bad%20slug", "x" * 65])
def test_unknown_course_is_404(user, slug):
    assert_error(client_for(user).get(f"{API}courses/{slug}/"), 404, "not_found")


def test_unpublished_course_is_invisible_even_to_staff_and_authors(user):
    hidden = CourseFactory(is_published=False)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    api = client_for(user)
    assert api.get(f"{API}courses/").json()["count"] == 0
    assert_error(api.get(f"{API}courses/{hidden.slug}/"), 404, "not_found")
    assert_error(api.post(f"{API}courses/{hidden.slug}/enrol/"), 404, "not_found")
    assert_error(api.get(f"{API}courses/{hidden.slug}/path/"), 404, "not_found")


def test_the_catalog_needs_credentials(db):
    from rest_framework.test import APIClient

    assert_error(APIClient().get(f"{API}courses/"), 401, "not_authenticated")
