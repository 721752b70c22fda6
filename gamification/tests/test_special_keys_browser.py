"""The player's special-character keys in Chromium: a key pressed from the keyboard types its character
at the caret of the answer box (courses/tests/test_special_keys.py checks which keys appear).

Run alone with ``pytest -m browser``.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from accounts.tests.factories import UserFactory
from courses.tests.factories import ExerciseFactory, LessonExerciseFactory, LessonFactory

from .test_browser import WAIT, browser  # noqa: F401 - the Chromium fixture


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_key_inserts_its_character_at_the_caret_and_keeps_the_focus(live_server, browser):  # noqa: F811
    lesson = LessonFactory()
    exercise = ExerciseFactory(
        course=lesson.unit.section.course,
        payload={"text": "Good morning", "solutions": ["Buenos días"], "direction": "to_target"},
    )
    LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=1)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    browser.get(live_server.url + "/")
    browser.add_cookie(
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    )

    # the lesson preview shows the exercise fragments exactly as the player does
    browser.get(live_server.url + reverse("admin:courses_lesson_preview", args=[lesson.pk]))
    field = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "preview-1-answer"))
    field.send_keys("Buenos das", Keys.LEFT, Keys.LEFT)  # the caret between "d" and "as"
    key = browser.find_element(By.CSS_SELECTOR, 'button[data-insert="í"]')
    assert key.get_attribute("aria-label") == "Insert í"
    browser.execute_script("arguments[0].focus()", key)
    browser.switch_to.active_element.send_keys(Keys.ENTER)  # pressed from the keyboard

    WebDriverWait(browser, WAIT).until(lambda d: field.get_attribute("value") == "Buenos días")
    assert browser.switch_to.active_element == field  # the focus is back in the box
    field.send_keys("-")  # and typing goes on right after the inserted character
    assert field.get_attribute("value") == "Buenos dí-as"
