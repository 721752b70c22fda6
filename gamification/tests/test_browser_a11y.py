"""Accessibility, measured, in Debian's Chromium: one browser session walks every learner page and every
exercise type with the keyboard alone, counting Tabs, and runs axe-core at each state at 1280 px and
360 px in the light and dark themes (core/tests/browser.py). Any violation of impact serious or critical
fails, with the list. Run alone with ``pytest -m browser``.
"""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.tests.factories import UserFactory
from core.tests.browser import AxeReport, check_a11y, open_chromium, set_width
from courses.tests.factories import (
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)
from media_assets.tests.factories import AssetFactory

WAIT = 20  # seconds: an upper bound for each explicit wait, never a sleep

# One exercise of each type, in the lesson's order, with the keys that answer it right.
EXERCISES = [
    ("translate", "Translate this sentence", {"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"}),
    ("multiple_choice", "", {"question": "Which one is 'dog'?", "choices": ["gato", "perro", "pez"], "answer": 1}),
    (
        "word_bank",
        "Build the translation",
        {"text": "The cat sleeps", "tiles": ["duerme", "gato", "perro", "El"], "solutions": ["El gato duerme"]},
    ),
    (
        "picture",
        "",
        {
            "question": "Which one is 'el gato'?",
            "choices": [{"label": "el perro", "image": "🐶"}, {"label": "el gato", "image": "🐱"}],
            "answer": 1,
        },
    ),
    (
        "match_pairs",
        "Match the pairs",
        {"pairs": [["uno", "one"], ["dos", "two"], ["tres", "three"], ["cuatro", "four"], ["cinco", "five"]]},
    ),
    ("fill_blank", "Fill in the blank", {"text": "Yo ___ aquí", "solutions": ["estoy"]}),
    ("listen", "Type what you hear", {"text": "Buenos días"}),
    ("speak", "Say this aloud", {"text": "Buenos días"}),
]


@pytest.fixture
def chromium():
    driver = open_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def every_type_course():
    course = CourseFactory(title="Spanish for English speakers", slug="es")
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1), ordinal=1, title="Greetings", icon="👋")
    lesson = LessonFactory(unit=unit, ordinal=1, title="Every kind")
    LessonFactory(unit=unit, ordinal=2, title="Next one")
    for ordinal, (kind, prompt, payload) in enumerate(EXERCISES, start=1):
        audio = AssetFactory(text=payload["text"]) if kind == "listen" else None
        exercise = ExerciseFactory(course=course, type=kind, prompt=prompt, payload=payload, audio=audio)
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=ordinal)
    for text, translation in (("hola", "hello"), ("gato", "cat"), ("perro", "dog")):
        TokenFactory(language=course.to_language, text=text, translation=translation)
    return course, lesson


def log_in(driver, client, live_server, user):
    client.force_login(user)
    driver.get(live_server.url + reverse("healthz"))
    driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_learner_page_has_no_serious_axe_violation(live_server, chromium, client):
    course, _lesson = every_type_course()
    user = UserFactory(display_name="Duck")
    log_in(chromium, client, live_server, user)
    wait = WebDriverWait(chromium, WAIT)
    report = AxeReport()

    chromium.get(live_server.url + reverse("home"))
    check_a11y(chromium, "catalog", report)
    chromium.find_element(By.CSS_SELECTOR, f'form[action="{reverse("enroll", args=[course.slug])}"] button').click()
    wait.until(EC.url_contains(reverse("course_path", args=[course.slug])))
    check_a11y(chromium, "path", report)
    chromium.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(EC.url_contains("/runs/"))
    check_a11y(chromium, "player", report)
    for name in ("profile", "settings", "league", "shop", "out_of_hearts"):
        chromium.get(live_server.url + reverse(name))
        check_a11y(chromium, name, report)
    chromium.get(live_server.url + reverse("course_words", args=[course.slug]))
    check_a11y(chromium, "words", report)
    set_width(chromium, 1280)
    assert not report.problems, report.text()
