"""Licences and special characters of a course: the course file keeps them, learners see the
attribution, and a course whose licence requires attribution cannot be published without it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.tests.api import API, client_for
from courses import licences, services
from courses.course_files import CourseFileError, export_course, import_course
from courses.models import Course
from courses.special_characters import keys_for

from .course_files.helpers import fixture
from .factories import CourseFactory, LanguageFactory

pytestmark = pytest.mark.django_db

HEAD = """format: 1
course:
  slug: lic
  title: Licensed
  from_language: {code: en, name: English}
  to_language: {code: eu, name: Basque}
"""


def write(tmp_path, text: str):
    path = tmp_path / "course.yaml"
    path.write_text(HEAD + text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("short_name", "name", "expected"),
    [
        ("CC BY-SA 4.0", "Attribution-ShareAlike 4.0 International", True),
        ("CC BY 4.0", "", True),
        ("", "GNU General Public License v3", True),
        ("CC0 1.0", "CC0 1.0 Universal", False),
        ("", "Public Domain", False),
        ("", "", False),
    ],
)
def test_which_licences_require_attribution(short_name, name, expected):
    assert licences.requires_attribution(short_name=short_name, name=name) is expected


def test_licence_source_and_special_characters_round_trip_through_the_course_file():
    import_course(source=fixture("rich.yaml"))
    course = Course.objects.get(slug="xs")
    assert (course.license_short_name, course.license_url) == (
        "CC BY-SA 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/legalcode",
    )
    assert course.license_name == "Attribution-ShareAlike 4.0 International"
    assert course.source_repository == "https://example.org/courses/spanish-for-testers"
    assert course.special_characters == ["ñ", "á", "é", "¿", "¡"]
    assert export_course(course=course) == fixture("rich.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "line", "path", "message"),
    [
        (
            "  license: {short_name: CC BY-SA 4.0, url: 'https://creativecommons.org/licenses/by-sa/4.0/'}\n"
            "  published: true\n",
            8,
            "course.published",
            "CC BY-SA 4.0 requires attribution: give the source the content comes from before publishing.",
        ),
        (
            "  license: {short_name: CC BY 4.0}\n  source: https://example.org/x\n  published: true\n",
            9,
            "course.published",
            "CC BY 4.0 requires attribution: give the link to the licence before publishing.",
        ),
        ("  license: {url: not-a-link}\n", 7, "course.license.url", "'not-a-link' is not an http(s) link"),
        ("  license: {shortname: CC BY}\n", 7, "course.license.shortname", "unknown key 'shortname' in a licence"),
        ("  special_characters: [ñ, ñ]\n", 7, "course.special_characters[1]", "'ñ' is listed twice"),
        ("  special_characters: [abcdef]\n", 7, "course.special_characters[0]", "'abcdef' is not a key"),
    ],
)
def test_bad_licences_and_keys_are_refused_with_their_line(tmp_path, text, line, path, message):
    with pytest.raises(CourseFileError) as caught:
        import_course(source=write(tmp_path, text))
    problems = [(p.line, p.path) for p in caught.value.problems]
    assert (line, path) in problems
    assert any(message in p.message for p in caught.value.problems)
    assert not Course.objects.filter(slug="lic").exists()


#: A course publishable by the publishing rules: one section, unit and lesson with one exercise.
TREE = """sections:
  - ordinal: 1
    title: S
    cefr: A1
    units:
      - ordinal: 1
        title: U
        lessons:
          - ordinal: 1
            title: L
            exercises:
              - type: translate
                payload: {text: Hola, solutions: [Hello]}
"""


def test_a_public_domain_course_may_be_published_without_attribution(tmp_path):
    import_course(source=write(tmp_path, "  license: {short_name: CC0 1.0}\n  published: true\n" + TREE))
    assert Course.objects.get(slug="lic").is_published


def test_publishing_service_refuses_a_course_missing_its_attribution():
    course = CourseFactory(is_published=False, license_short_name="CC BY-SA 4.0", license_url="https://x.example/l")
    with pytest.raises(ValidationError) as caught:
        services.publish_course(course=course)
    assert set(caught.value.message_dict) == {"source_repository"}
    course.refresh_from_db()
    assert not course.is_published
    Course.objects.filter(pk=course.pk).update(source_repository="https://example.org/src")
    services.publish_course(course=course)
    course.refresh_from_db()
    assert course.is_published


def test_admin_refuses_to_publish_without_attribution(admin_client):
    course = CourseFactory(is_published=False, license_short_name="CC BY 4.0")
    url = reverse("admin:courses_course_change", args=[course.pk])
    data = {
        "from_language": course.from_language_id,
        "to_language": course.to_language_id,
        "title": course.title,
        "description": "",
        "slug": course.slug,
        "license_name": "",
        "license_short_name": "CC BY 4.0",
        "license_url": "",
        "source_repository": "",
        "special_characters": "[]",
        "is_published": "on",
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "requires attribution" in response.content.decode()
    course.refresh_from_db()
    assert not course.is_published


def test_learners_see_the_attribution_in_the_catalog_and_the_api(client, user):
    course = CourseFactory(
        license_name="Attribution-ShareAlike 4.0 International",
        license_short_name="CC BY-SA 4.0",
        license_url="https://creativecommons.org/licenses/by-sa/4.0/",
        source_repository="https://example.org/courses/basque",
        to_language=LanguageFactory(code="eu", name="Basque", native_name="Euskara"),
    )
    page = client.get(reverse("home")).content.decode()
    assert 'href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license external noopener"' in page
    assert ">CC BY-SA 4.0</a>" in page and 'href="https://example.org/courses/basque"' in page
    body = client_for(user).get(f"{API}courses/{course.slug}/").json()
    assert body["license"] == {
        "name": "Attribution-ShareAlike 4.0 International",
        "short_name": "CC BY-SA 4.0",
        "url": "https://creativecommons.org/licenses/by-sa/4.0/",
    }
    assert body["source_repository"] == "https://example.org/courses/basque"
    assert body["special_characters"] == ["ñ"]  # Basque's defaults: the course lists none


def test_a_course_without_a_licence_shows_no_attribution(client):
    CourseFactory(title="Home-made")
    assert "licensed under" not in client.get(reverse("home")).content.decode()


def test_special_characters_are_the_courses_own_or_the_languages_defaults():
    spanish = CourseFactory()
    assert keys_for(spanish) == ["ñ", "á", "é", "í", "ó", "ú", "ü", "¿", "¡"]
    spanish.special_characters = ["ñ", "Ñ"]
    assert keys_for(spanish) == ["ñ", "Ñ"]
    assert keys_for(CourseFactory(to_language=LanguageFactory(code="xx", name="X"))) == []
