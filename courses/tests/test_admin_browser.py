"""The authoring admin in Debian's Chromium at 1280 px: the exercise form's payload example and help
follow the type as it changes (js/admin-exercise-form.js, under the nonce CSP), and the content pages'
inline tables fit the screen (no horizontal scrolling) with no critical axe violation (every inline
control is named). Run alone with ``pytest -m browser``."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from accounts.tests.factories import UserFactory
from core.tests.browser import AxeReport, check_a11y, open_chromium, set_width
from courses.exercise_types import REGISTRY
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium():
    driver = open_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def log_in_editor(driver, client, live_server):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    driver.get(live_server.url + reverse("healthz"))
    driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})


def payload(driver) -> dict:
    return json.loads(driver.find_element(By.ID, "id_payload").get_property("value"))


def visible_help(driver) -> list[str]:
    return [
        d.get_attribute("data-type")
        for d in driver.find_elements(By.CSS_SELECTOR, ".payload-help details[data-type]")
        if d.is_displayed()
    ]


def test_the_payload_example_and_help_follow_the_type(live_server, chromium, client):
    log_in_editor(chromium, client, live_server)
    chromium.get(live_server.url + reverse("admin:courses_exercise_add"))
    kind = Select(chromium.find_element(By.ID, "id_type"))
    first = kind.first_selected_option.get_attribute("value")
    assert payload(chromium) == REGISTRY[first].example
    assert visible_help(chromium) == [first]

    kind.select_by_value("translate")  # untouched example: replaced, help follows
    assert payload(chromium) == REGISTRY["translate"].example
    assert visible_help(chromium) == ["translate"]
    assert chromium.find_element(By.CSS_SELECTOR, 'details[data-type="translate"]').get_attribute("open") is not None

    box = chromium.find_element(By.ID, "id_payload")
    box.clear()
    box.send_keys('{"text": "Gracias", "solutions": ["Thank you"]}')
    kind.select_by_value("listen")  # the author's own payload is kept; the help still follows
    assert payload(chromium) == {"text": "Gracias", "solutions": ["Thank you"]}
    assert visible_help(chromium) == ["listen"]
    logs = [e for e in chromium.get_log("browser") if e["level"] == "SEVERE" and e["source"] != "network"]
    assert not logs, logs  # no CSP refusal, no script error


OVERFLOW = """
const page = document.documentElement;
const tables = [...document.querySelectorAll('.inline-group table, #changelist table')];
return {
  page: page.scrollWidth - page.clientWidth,
  tables: tables.map(t => [t.closest('.inline-group, #changelist').id, t.scrollWidth - t.parentElement.clientWidth])
                .filter(([, over]) => over > 0),
};
"""


def test_content_pages_fit_1280px_with_no_critical_axe_violation(live_server, chromium, client):
    course = CourseFactory(slug="es")
    section = SectionFactory(course=course, ordinal=1)
    unit = UnitFactory(section=section, ordinal=1)
    lesson = LessonFactory(unit=unit, ordinal=1, title="Greetings and introductions for travellers")
    exercise = ExerciseFactory(course=course, type="translate", prompt="Translate this sentence into English, please")
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    log_in_editor(chromium, client, live_server)
    set_width(chromium, 1280)
    pages = {
        "course": reverse("admin:courses_course_change", args=[course.pk]),
        "section": reverse("admin:courses_section_change", args=[section.pk]),
        "unit": reverse("admin:courses_unit_change", args=[unit.pk]),
        "lesson": reverse("admin:courses_lesson_change", args=[lesson.pk]),
        "exercise": reverse("admin:courses_exercise_change", args=[exercise.pk]),
        "lesson list": reverse("admin:courses_lesson_changelist"),
        "unit list": reverse("admin:courses_unit_changelist"),
        "exercise list": reverse("admin:courses_exercise_changelist"),
    }
    found = {}
    report = AxeReport(impacts=("critical",))
    for name, url in pages.items():
        chromium.get(live_server.url + url)
        found[name] = chromium.execute_script(OVERFLOW)
        check_a11y(chromium, f"admin {name}", report, widths=(1280,), themes=("light", "dark"), impacts=("critical",))
    assert found == {name: {"page": 0, "tables": []} for name in pages}
    assert not report.problems, report.text()
