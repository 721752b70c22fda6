"""End to end in Debian's Chromium (Selenium + chromedriver), at a phone's 360 px width, keyboard only
in the player: sign up, enrol, finish the first lesson with exactly one mistake, read the profile
(achievements with their progress), the history, buy a streak freeze in the shop and see the league table.

Run alone with ``pytest -m browser``. Set ``MALLARD_SCREENSHOTS=/some/dir`` to keep screenshots of
the player and the profile.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from courses.tests.factories import CourseFactory, LessonFactory, SectionFactory, UnitFactory, lesson_with_exercises
from gamification.models import Streak, Wallet

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 20  # seconds: an upper bound for each explicit wait, never a sleep


@pytest.fixture
def browser():
    profile_dir = tempfile.mkdtemp(prefix="mallard-chromium-")
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
        "--window-size=360,800",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # Headless Chromium does not honour a --window-size narrower than its minimum; this does.
    driver.set_window_size(360, 800)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


def screenshot(driver, name: str) -> None:
    folder = os.environ.get("MALLARD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(360, max(800, min(height + 120, 3000)))
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))
        driver.set_window_size(360, 800)


def assert_fits(driver) -> None:
    """Nothing overflows a 360 px wide viewport (the message names what does)."""
    wide = driver.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 360, wide


def small_course():
    """A published Spanish course: one unit of two lessons, the first with three translate exercises."""
    course = CourseFactory(title="Spanish for English speakers", slug="es")
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1), ordinal=1, title="Greetings", icon="👋")
    first = lesson_with_exercises(count=3, lesson=LessonFactory(unit=unit, ordinal=1, title="Hello!"))
    LessonFactory(unit=unit, ordinal=2, title="Goodbye!")
    return course, first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_up_enrol_finish_a_lesson_with_one_mistake_and_see_the_profile(live_server, browser):
    course, _first_lesson = small_course()
    wait = WebDriverWait(browser, WAIT)

    # Sign up.
    browser.get(live_server.url + reverse("account_signup"))
    assert browser.execute_script("return document.documentElement.clientWidth") <= 360  # a phone's width
    browser.find_element(By.NAME, "email").send_keys("duck@example.com")
    browser.find_element(By.NAME, "display_name").send_keys("Duck")
    browser.find_element(By.NAME, "password1").send_keys("quack-quack-1234")
    browser.find_element(By.NAME, "password2").send_keys("quack-quack-1234")
    browser.find_element(By.NAME, "password2").submit()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nav-stats")))

    # Enrol from the catalog: the path opens with the first lesson marked as next and focused.
    browser.get(live_server.url + reverse("home"))
    browser.find_element(By.CSS_SELECTOR, f'form[action="{reverse("enroll", args=[course.slug])}"] button').click()
    wait.until(EC.url_contains(reverse("course_path", args=[course.slug])))
    next_lesson = browser.find_element(By.CSS_SELECTOR, ".lesson.next")
    assert "Hello!" in next_lesson.text
    assert browser.switch_to.active_element == next_lesson.find_element(By.TAG_NAME, "button")
    assert_fits(browser)
    screenshot(browser, "path")
    browser.switch_to.active_element.send_keys(Keys.ENTER)

    # Play the lesson with the keyboard only: type, Enter checks, Enter continues.
    wait.until(EC.url_contains("/runs/"))
    answers = ["Goodbye", "Hello", "Hello", "Hi"]  # one mistake; that exercise comes back last
    for i, text in enumerate(answers):
        field = wait.until(EC.element_to_be_clickable((By.NAME, "answer")))
        field.send_keys(text)
        if i == 0:
            assert_fits(browser)
            screenshot(browser, "player")
        field.send_keys(Keys.ENTER)
        box = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#feedback .feedback")))
        assert ("incorrect" if i == 0 else "correct") in box.get_attribute("class")
        if i == 0:
            assert "Hello" in box.text  # the accepted solution, after answering
            assert browser.find_element(By.ID, "hearts-value").text == "4"
            assert browser.find_element(By.ID, "nav-hearts").text == "4"
            assert_fits(browser)
            screenshot(browser, "player-feedback")
        wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "continue")
        browser.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(EC.staleness_of(box))  # the next page (next exercise or the end screen) loaded

    # The end screen.
    wait.until(EC.url_contains("/done/"))
    assert browser.find_element(By.ID, "done-xp").text == "+30"
    assert browser.find_element(By.ID, "done-gems").text == "+3"
    assert_fits(browser)
    screenshot(browser, "done")

    # The profile shows what the wallet and the streak hold.
    browser.get(live_server.url + reverse("profile"))
    wallet = Wallet.objects.get(user__email="duck@example.com")
    streak = Streak.objects.get(user__email="duck@example.com")
    assert wallet.xp_total >= 30 and wallet.gems >= 3 and wallet.hearts == 4 and streak.current == 1
    assert browser.find_element(By.ID, "profile-xp").text == str(wallet.xp_total)
    assert browser.find_element(By.ID, "profile-gems").text == str(wallet.gems)
    assert browser.find_element(By.ID, "profile-hearts").text == "4"
    assert browser.find_element(By.ID, "profile-streak").text == "1"
    # Every achievement: the earned ones with a date, the next level as a labelled progress bar.
    assert "Earned" in browser.find_element(By.ID, "achievement-first-lesson").text
    bar = browser.find_element(By.ID, "achievement-wildfire-progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1", "14")
    label = browser.find_element(By.CSS_SELECTOR, 'label[for="achievement-wildfire-progress"]')
    assert "1 / 14 days" in label.text
    assert_fits(browser)
    screenshot(browser, "profile")

    # The history lists the lesson just passed.
    browser.find_element(By.CSS_SELECTOR, f'a[href="{reverse("history")}"]').click()
    row = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".history-table tbody tr")))
    assert "Hello!" in row.text and "Passed" in row.text and "66%" in row.text  # 2 of 3 right at the first try

    # The shop: with gems enough, buy a streak freeze with the keyboard; the profile and the header's
    # streak tooltip show it.
    Wallet.objects.filter(pk=wallet.pk).update(gems=150)
    browser.get(live_server.url + reverse("shop"))
    buy = browser.find_element(By.CSS_SELECTOR, f'form[action="{reverse("buy_streak_freeze")}"] button')
    assert buy.is_enabled()
    buy.send_keys(Keys.ENTER)
    wait.until(EC.text_to_be_present_in_element((By.ID, "freezes-held"), "1 of 2"))
    assert "1 streak freeze held" in browser.find_element(By.CSS_SELECTOR, ".stat-streak").get_attribute("title")
    assert Wallet.objects.get(pk=wallet.pk).streak_freezes == 1
    assert_fits(browser)
    screenshot(browser, "shop")

    # The league: the header's badge leads to the cohort's table, with this learner's row marked.
    browser.find_element(By.CSS_SELECTOR, ".stat-league a").click()
    me = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".league-table tr[aria-current='true']")))
    assert "Duck" in me.text and "You" in me.text and str(wallet.xp_total) in me.text
    assert me.find_element(By.CSS_SELECTOR, "td").text == "1"  # rank 1 of a cohort of one
    assert_fits(browser)
    screenshot(browser, "league")
