"""The interface in Spanish, end to end in Debian's Chromium (docs/i18n.md): a browser that asks for
Spanish signs up, enrols, finishes a lesson with the keyboard and reads the end screen — every page
in Spanish, the account keeping Spanish as its interface language, the answers checked as always.

Run alone with ``pytest -m browser``.
"""

import shutil
import tempfile

import pytest
from django.urls import reverse
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import User
from courses.tests.factories import CourseFactory, LessonFactory, SectionFactory, UnitFactory, lesson_with_exercises

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 20  # seconds: an upper bound for each explicit wait, never a sleep


@pytest.fixture
def spanish_browser():
    """Headless Chromium whose user asks for Spanish (Accept-Language: es)."""
    profile_dir = tempfile.mkdtemp(prefix="mallard-chromium-es-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--lang=es",
        "--window-size=360,800",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "es,es-ES"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(360, 800)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_spanish_speaker_signs_up_finishes_a_lesson_and_sees_the_end_screen_in_spanish(live_server, spanish_browser):
    browser = spanish_browser
    course = CourseFactory(title="Inglés para hispanohablantes", slug="en-es")
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1), ordinal=1, title="Saludos", icon="👋")
    lesson_with_exercises(count=2, lesson=LessonFactory(unit=unit, ordinal=1, title="¡Hola!"))
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

    # Enrol and open the first lesson.
    browser.get(live_server.url + reverse("home"))
    assert "Elige un curso para empezar" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, f'form[action="{reverse("enroll", args=[course.slug])}"] button').click()
    wait.until(EC.url_contains(reverse("course_path", args=[course.slug])))
    assert "Unidad 1: Saludos" in browser.find_element(By.ID, f"unit-{unit.slug}").text
    next_lesson = browser.find_element(By.CSS_SELECTOR, ".lesson.next")
    assert "Empezar" in next_lesson.find_element(By.TAG_NAME, "button").text
    next_lesson.find_element(By.TAG_NAME, "button").send_keys(Keys.ENTER)

    # One mistake, then the right answers: feedback in Spanish; the interface never changes the answer.
    wait.until(EC.url_contains("/runs/"))
    assert browser.find_element(By.ID, "check-button").text == "Comprobar"
    for i, text in enumerate(["Goodbye", "Hello", "Hello"]):
        field = wait.until(EC.element_to_be_clickable((By.NAME, "answer")))
        field.send_keys(text)
        field.send_keys(Keys.ENTER)
        box = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#feedback .feedback")))
        title = box.find_element(By.ID, "feedback-title").text
        assert ("No exactamente" if i == 0 else "¡Correcto!") in title
        if i == 0:
            assert "Respuesta correcta:" in box.text
        wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "continue")
        assert browser.switch_to.active_element.text in {"Continuar", "Ver resultados"}
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(EC.staleness_of(box))

    # The end screen, in Spanish.
    wait.until(EC.url_contains("/done/"))
    assert browser.find_element(By.ID, "done-title").text == "¡Lección completada!"
    labels = browser.find_element(By.CSS_SELECTOR, ".stats-grid").text
    assert "XP ganados" in labels and "Racha de días" in labels and "Gemas" in labels
    assert browser.find_element(By.ID, "mistakes-title").text == "Repasa tus errores"
    assert browser.find_element(By.ID, "done-continue").text == "Continuar"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
