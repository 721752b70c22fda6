"""The playable preview in Debian's Chromium: an author opens a draft lesson from its admin page with
"Play as a learner", plays it in the real player with the keyboard (a typed answer, a match checked pair
by pair through the preview's own pair URL), and reaches the preview's end screen; axe finds no serious
or critical violation on the preview's pages at 1280 and 360 px. Nothing is written (the row counts are
compared in test_preview.py; here, no run exists afterwards). Run alone with ``pytest -m browser``."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.tests.factories import UserFactory
from core.tests.browser import AxeReport, check_a11y, open_chromium
from courses.tests.factories import CourseFactory, ExerciseFactory, LessonExerciseFactory, LessonFactory
from progress.models import ExerciseAttempt, LessonRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 20  # seconds: an upper bound for each explicit wait, never a sleep
FEEDBACK = (By.CSS_SELECTOR, "#feedback .feedback")
PAIRS = {"uno": "one", "dos": "two", "tres": "three"}


@pytest.fixture
def chromium():
    driver = open_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def press(driver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def digit_of(driver, selector: str, text: str) -> str:
    items = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".filter(e => e.offsetWidth || e.offsetHeight || e.getClientRects().length)"
        ".map(e => e.textContent.trim())",
        selector,
    )
    return str(items.index(text) + 1)


def test_an_author_plays_a_draft_lesson_in_the_real_player(live_server, chromium, client):
    course = CourseFactory(slug="es")
    lesson = LessonFactory(unit__section__course=course, is_published=False, title="Numbers")
    translate = ExerciseFactory(
        course=course, type="translate", payload={"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"}
    )
    match = ExerciseFactory(course=course, type="match_pairs", payload={"pairs": [list(p) for p in PAIRS.items()]})
    LessonExerciseFactory(lesson=lesson, exercise=translate, ordinal=1)
    LessonExerciseFactory(lesson=lesson, exercise=match, ordinal=2)
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    chromium.get(live_server.url + reverse("healthz"))
    chromium.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    wait = WebDriverWait(chromium, WAIT)
    report = AxeReport()

    chromium.get(live_server.url + reverse("admin:courses_lesson_change", args=[lesson.pk]))
    chromium.find_element(By.XPATH, "//button[normalize-space()='Play as a learner']").click()
    wait.until(EC.presence_of_element_located((By.ID, "exercise-form")))
    assert "nothing is saved" in chromium.find_element(By.CSS_SELECTOR, ".preview-banner").text
    check_a11y(chromium, "preview: translate", report)

    chromium.find_element(By.CSS_SELECTOR, "input[name='answer']").send_keys("Hello")
    press(chromium, Keys.ENTER)  # Enter checks: player.js posts to the preview's answer URL
    box = wait.until(EC.visibility_of_element_located(FEEDBACK))
    assert "Correct!" in box.text
    check_a11y(chromium, "preview: translate feedback", report)
    press(chromium, Keys.ENTER)  # Enter continues
    wait.until(EC.staleness_of(box))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, 'button[data-side="left"]')))

    for left, right in PAIRS.items():  # each pair judged by the preview's pair URL as it is made
        press(chromium, digit_of(chromium, 'button[data-side="left"]', left))
        press(chromium, digit_of(chromium, 'button[data-side="right"]', right))
        wait.until(
            lambda d, left=left: (
                d.find_elements(*FEEDBACK)
                or d.execute_script(
                    "return [...document.querySelectorAll('button[data-side=\"left\"]')]"
                    ".some(b => b.textContent.trim() === arguments[0] && b.disabled)",
                    left,
                )
            )
        )
    box = wait.until(EC.visibility_of_element_located(FEEDBACK))  # the last pair sends the answer
    assert "Correct!" in box.text
    press(chromium, Keys.ENTER)
    wait.until(EC.url_contains(reverse("preview_done", args=[lesson.pk])))
    assert "2 of 2 exercises right at the first try" in chromium.find_element(By.TAG_NAME, "main").text
    check_a11y(chromium, "preview: end", report)
    assert not report.problems, report.text()
    assert not LessonRun.objects.exists() and not ExerciseAttempt.objects.exists()
