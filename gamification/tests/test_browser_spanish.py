"""The interface in Spanish, end to end in Debian's Chromium (docs/i18n.md): a browser that asks for
Spanish signs up, enrols in the English demo course (demo/english.yaml, English for Spanish speakers),
plays its first lesson — every exercise type it holds — with the keyboard and clicks, and reads the end
screen: every page in Spanish, the account keeping Spanish as its interface language, the answers
checked as always. The right answers are read from the exercises' payloads, server side.

Run alone with ``pytest -m browser``.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import User
from core.tests.browser import open_chromium
from courses.answers import expand_alternates
from courses.course_files import import_course
from courses.models import Course, Exercise, Lesson
from courses.tests.course_files.helpers import DEMOS
from gamification.tests.test_browser_a11y import FEEDBACK, digit_of, exercise_type, press
from media_assets.tests.factories import AssetFactory, AssetVariantFactory

WAIT = 20  # seconds: an upper bound for each explicit wait, never a sleep


@pytest.fixture
def spanish_browser():
    """Headless Chromium whose user asks for Spanish (Accept-Language: es), at a phone's width."""
    driver = open_chromium(width=360, height=800, language="es")
    try:
        yield driver
    finally:
        driver.quit()


def first_solution(solutions: list[str]) -> str:
    """A right answer to type: the first reading of the first solution ("[thank you/thanks]" → "thank you")."""
    return expand_alternates(solutions[0])[0]


def click_choice(driver, selector: str, text: str) -> None:
    """Pick the item of ``selector`` whose text is ``text`` with its number key (player-keys.js)."""
    press(driver, digit_of(driver, selector, text))


def type_answer(driver, text: str) -> None:
    field = WebDriverWait(driver, WAIT).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, '#exercise-form input[type="text"][name="answer"]'))
    )
    field.send_keys(text)


def answer(driver, exercise: Exercise, *, right: bool) -> None:
    """Answer the exercise on screen, right (from its payload) or wrong, without pressing Enter."""
    kind, payload = exercise.type, exercise.payload
    assert exercise_type(driver) == kind
    if kind in ("translate", "listen") or (kind == "fill_blank" and not payload.get("choices")):
        solution = payload["text"] if kind == "listen" else first_solution(payload["solutions"])
        type_answer(driver, solution if right else "zzz")
    elif kind in ("multiple_choice", "picture"):
        choices = [c["label"] if isinstance(c, dict) else c for c in payload["choices"]]
        index = payload["answer"] if right else (payload["answer"] + 1) % len(choices)
        selector = ".ex-choice" if kind == "multiple_choice" else ".pic-card .pic-label"
        click_choice(driver, selector, choices[index])
    elif kind == "fill_blank":  # with choices: radios
        solution = first_solution(payload["solutions"])
        wrong = next(c for c in payload["choices"] if c != solution)
        driver.find_element(
            By.XPATH, f'//label[@class="ex-choice"][normalize-space()="{solution if right else wrong}"]'
        ).click()
    elif kind == "speak":
        driver.find_element(By.CSS_SELECTOR, f'label[for$="-said-{"yes" if right else "no"}"]').click()
    elif kind == "word_bank":
        assert right, "a wrong word-bank answer is not played here"
        for word in re.findall(r"[\w'\u2019]+", first_solution(payload["solutions"])):
            click_choice(driver, "[data-wb-tiles] button", word)
    elif kind == "match_pairs":
        assert right, "a wrong match is not played here"
        lefts = [b.text.strip() for b in driver.find_elements(By.CSS_SELECTOR, 'button[data-side="left"]')]
        pairs = [(a, b) if a in lefts else (b, a) for a, b in payload["pairs"]]
        for left, right_text in pairs:
            click_choice(driver, 'button[data-side="left"]', left)
            click_choice(driver, 'button[data-side="right"]', right_text)
            # each pair is judged by the server as it is made: wait for its verdict (or the sent answer)
            WebDriverWait(driver, WAIT).until(
                lambda d, left=left: (
                    d.find_elements(*FEEDBACK)
                    or d.execute_script(
                        "return [...document.querySelectorAll('button[data-side=\"left\"]')]"
                        ".some(b => b.textContent.trim() === arguments[0] && b.disabled)",
                        left,
                    )
                )
            )
    else:
        raise AssertionError(f"exercise type not played: {kind}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_spanish_speaker_signs_up_finishes_a_lesson_and_sees_the_end_screen_in_spanish(
    live_server, spanish_browser, settings, tmp_path
):
    browser = spanish_browser
    assert import_course(source=DEMOS["en"]).course_slug == "en"
    course = Course.objects.get(slug="en")
    # The demo ships no audio and a listen exercise without any is never served: give each its own
    # stored audio (as test_browser_a11y does) so the lesson plays its listen exercises too.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for exercise in Exercise.objects.filter(course=course, type__in=("listen", "speak"), audio__isnull=True):
        exercise.audio = AssetVariantFactory(asset=AssetFactory(text=exercise.payload["text"])).asset
        exercise.save(update_fields=["audio"])
    wait = WebDriverWait(browser, WAIT)

    # Sign up: the form is in Spanish because the browser asks for Spanish.
    browser.get(live_server.url + reverse("account_signup"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert browser.find_element(By.ID, "auth-title").text == "Crea tu cuenta"
    browser.find_element(By.NAME, "email").send_keys("pato@example.com")
    browser.find_element(By.NAME, "display_name").send_keys("Pato")
    browser.find_element(By.NAME, "password1").send_keys("cuac-cuac-1234")
    browser.find_element(By.NAME, "password2").send_keys("cuac-cuac-1234")
    browser.find_element(By.NAME, "password2").submit()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nav-stats")))
    assert User.objects.get(email="pato@example.com").locale == "es"
    # at a phone's width the links sit behind the Menu button: read the header's text, shown or not
    nav = browser.find_element(By.CSS_SELECTOR, ".site-header").get_attribute("textContent")
    assert "Menú" in nav and "Aprender" in nav and "Ajustes" in nav

    # Enrol in the English course and open the lesson the path offers first.
    browser.get(live_server.url + reverse("home"))
    assert "Elige un curso para empezar" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Inglés para hispanohablantes" in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.CSS_SELECTOR, f'form[action="{reverse("enroll", args=[course.slug])}"] button').click()
    wait.until(EC.url_contains(reverse("course_path", args=[course.slug])))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    next_lesson = browser.find_element(By.CSS_SELECTOR, ".lesson.next")
    start = next_lesson.find_element(By.CSS_SELECTOR, "form").get_attribute("action")
    lesson = Lesson.objects.select_related("unit").get(slug=start.rstrip("/").split("/")[-2])
    unit = lesson.unit
    with translation.override("es"):  # the course's own text, as a Spanish interface reads it
        assert f"Unidad {unit.ordinal}: {unit.title}" in browser.find_element(By.ID, f"unit-{unit.slug}").text
    assert "Empezar" in next_lesson.find_element(By.TAG_NAME, "button").text
    next_lesson.find_element(By.TAG_NAME, "button").send_keys(Keys.ENTER)

    # The first exercise wrong, the rest right (the wrong one comes back later): feedback in Spanish.
    wait.until(EC.url_contains("/runs/"))
    wait.until(EC.presence_of_element_located((By.ID, "exercise-form")))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert browser.find_element(By.ID, "check-button").text == "Comprobar"
    played = []
    while "/done/" not in browser.current_url:
        wait.until(EC.presence_of_element_located((By.ID, "exercise-form")))
        pk = browser.find_element(By.CSS_SELECTOR, '#exercise-form input[name="exercise"]').get_attribute("value")
        exercise = Exercise.objects.get(pk=pk)
        right = bool(played)
        answer(browser, exercise, right=right)
        played.append(exercise.type)
        # A match sends itself once its last pair is found; the others wait for Enter.
        wait.until(lambda d: d.find_element(By.ID, "check-button").is_enabled() or d.find_elements(*FEEDBACK))
        if not browser.find_elements(*FEEDBACK):
            press(browser, Keys.ENTER)
        box = wait.until(EC.visibility_of_element_located(FEEDBACK))
        title = box.find_element(By.ID, "feedback-title").text
        assert ("¡Correcto!" if right else "No exactamente") in title, (exercise.type, box.text)
        if not right:
            assert "Respuesta correcta:" in box.text
        wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "continue")
        assert browser.switch_to.active_element.text in {"Continuar", "Ver resultados"}
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(EC.staleness_of(box))
        assert len(played) <= 30, played
    kinds = list(lesson.exercises.values_list("type", flat=True))
    assert sorted(played) == sorted([*kinds, played[0]]), (played, kinds)  # each once, the wrong one twice
    with translation.override("es"):
        print(f"Lesson {lesson.title!r} played:", played)

    # The end screen, in Spanish.
    wait.until(EC.url_contains("/done/"))
    assert browser.find_element(By.ID, "done-title").text == "¡Lección completada!"
    labels = browser.find_element(By.CSS_SELECTOR, ".stats-grid").text
    assert "XP ganados" in labels and "Racha de días" in labels and "Gemas" in labels
    assert browser.find_element(By.ID, "mistakes-title").text == "Repasa tus errores"
    assert browser.find_element(By.ID, "done-continue").text == "Continuar"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
