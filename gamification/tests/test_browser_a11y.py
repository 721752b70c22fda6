"""Accessibility, measured, in Debian's Chromium: one browser session walks every learner page and every
exercise type with the keyboard alone, counting Tabs, and runs axe-core at each state at 1280 px and
360 px in the light and dark themes (core/tests/browser.py). Any violation of impact serious or critical
fails, with the list. Run alone with ``pytest -m browser``; ``-s`` prints the Tab counts.
"""

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
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
from gamification.tests.helpers import set_wallet
from media_assets.tests.factories import AssetFactory, AssetVariantFactory

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


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


def every_type_course():
    course = CourseFactory(title="Spanish for English speakers", slug="es")
    unit = UnitFactory(section=SectionFactory(course=course, ordinal=1), ordinal=1, title="Greetings", icon="👋")
    lesson = LessonFactory(unit=unit, ordinal=1, title="Every kind")
    LessonFactory(unit=unit, ordinal=2, title="Next one")
    tokens = [
        TokenFactory(
            language=course.to_language,
            text=text,
            translation=translation,
            audio=AssetVariantFactory(asset=AssetFactory(text=text)).asset,
        )
        for text, translation in (("hola", "hello"), ("gato", "cat"), ("perro", "dog"))
    ]
    for ordinal, (kind, prompt, payload) in enumerate(EXERCISES, start=1):
        audio = AssetVariantFactory(asset=AssetFactory(text=payload["text"])).asset if kind == "listen" else None
        exercise = ExerciseFactory(course=course, type=kind, prompt=prompt, payload=payload, audio=audio)
        LessonExerciseFactory(lesson=lesson, exercise=exercise, ordinal=ordinal)
        if ordinal == 1:
            exercise.tokens.add(*tokens)  # the unit's word list on the path
    return course, lesson


def log_in(driver, client, live_server, user):
    client.force_login(user)
    driver.get(live_server.url + reverse("healthz"))
    driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})


# --- Playing with the keyboard alone --------------------------------------------------------------

FEEDBACK = (By.CSS_SELECTOR, "#feedback .feedback")
ANSWER_CONTROL = (
    "(el) => !!el.closest('#exercise-form .ex') && el.matches('input, select, textarea, button')"
    " && !el.closest('.special-keys') && !el.classList.contains('hint-word')"
)


def exercise_type(driver) -> str:
    classes = driver.find_element(By.CSS_SELECTOR, "#exercise-form .ex").get_attribute("class").split()
    return {
        "ex-translate": "translate",
        "ex-choices": "multiple_choice",
        "ex-word-bank": "word_bank",
        "ex-picture": "picture",
        "ex-match": "match_pairs",
        "ex-fill": "fill_blank",
        "ex-listen": "listen",
        "ex-speak": "speak",
    }[next(c for c in classes if c.startswith("ex-") and c != "ex")]


def tabs_to_answer_control(driver, limit: int = 8) -> int:
    """Tabs pressed from the page as loaded until focus is on an answer control (0: it already is)."""
    for tabs in range(limit + 1):
        if driver.execute_script(f"return ({ANSWER_CONTROL})(document.activeElement)"):
            return tabs
        ActionChains(driver).send_keys(Keys.TAB).perform()
    raise AssertionError(f"no answer control after {limit} Tabs: {driver.switch_to.active_element.tag_name}")


def press(driver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def digit_of(driver, selector: str, text: str) -> str:
    """The digit that picks the item of ``selector`` whose text is ``text``: 1-based, in page order, among
    the items that take up room (a chosen tile keeps its place, hidden but laid out, as in player-keys.js)."""
    items = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".filter(e => e.offsetWidth || e.offsetHeight || e.getClientRects().length)"
        ".map(e => e.textContent.trim())",
        selector,
    )
    matches = [i for i, item in enumerate(items, start=1) if text in (item, item.split()[-1] if item else "")]
    assert matches, f"{text!r} not in {items}"
    return str(matches[0])


def answer_with_keys(driver, kind: str, *, right: bool) -> None:
    """Answer the exercise on screen with the keyboard alone (digits or typing), without pressing Enter."""
    typed = {"translate": "Hello", "fill_blank": "estoy", "listen": "Buenos días"}
    if kind in typed:
        driver.switch_to.active_element.send_keys(typed[kind] if right else "zzz")
    elif kind == "multiple_choice":
        press(driver, digit_of(driver, ".ex-choice", "perro" if right else "gato"))
    elif kind == "picture":
        press(driver, digit_of(driver, ".pic-card .pic-label", "el gato" if right else "el perro"))
    elif kind == "speak":
        press(driver, "1" if right else "2")
    elif kind == "word_bank":
        for word in ("El", "gato", "duerme") if right else ("perro",):
            press(driver, digit_of(driver, "[data-wb-tiles] button", word))
            assert driver.execute_script("return !!document.activeElement.closest('.ex-word-bank')")
    elif kind == "match_pairs":
        partners = dict(EXERCISES[4][2]["pairs"])
        for left in list(partners):
            press(driver, digit_of(driver, 'button[data-side="left"]', left))
            press(driver, digit_of(driver, 'button[data-side="right"]', partners[left]))
            # Each pair is judged by the server as it is made: wait for the verdict (or the sent answer).
            wait = WebDriverWait(driver, WAIT)
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
    else:
        raise AssertionError(kind)


def check_and_see_feedback(driver, wait, state: str, report: AxeReport):
    """Enter checks; the feedback replaces the Check bar and focus is on Continue; axe runs on it."""
    # A match sends itself once its last pair is found (checked pair by pair); the others wait for Enter.
    wait.until(lambda d: d.find_element(By.ID, "check-button").is_enabled() or d.find_elements(*FEEDBACK))
    if not driver.find_elements(*FEEDBACK):
        press(driver, Keys.ENTER)
    box = wait.until(EC.visibility_of_element_located(FEEDBACK))
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "continue")
    assert not driver.find_element(By.CSS_SELECTOR, ".player-actions").is_displayed()  # one action row
    check_a11y(driver, state, report)
    return box


def play_exercise(driver, wait, report: AxeReport, tabs: dict, *, right: bool = True) -> str:
    """One exercise at both widths: Tabs counted after a load at each, axe before and after Check."""
    kind = exercise_type(driver)
    set_width(driver, 1280)
    driver.refresh()
    wait.until(EC.presence_of_element_located((By.ID, "exercise-form")))
    at_wide = tabs_to_answer_control(driver)
    set_width(driver, 360)
    driver.refresh()
    wait.until(EC.presence_of_element_located((By.ID, "exercise-form")))
    at_phone = tabs_to_answer_control(driver)
    tabs.setdefault(kind, (at_wide, at_phone))
    check = driver.find_element(By.ID, "check-button")
    if kind != "speak" or driver.find_elements(By.CSS_SELECTOR, "[data-speak-mic]:not([hidden])") == []:
        assert not check.is_enabled(), f"{kind}: Check is enabled before there is an answer"
    # The Check bar sits at the bottom edge of a phone's screen, where a thumb reaches it.
    bottom, height = driver.execute_script(
        "return [document.querySelector('.player-actions').getBoundingClientRect().bottom, window.innerHeight]"
    )
    assert height - 2 <= bottom <= height + 2, (kind, bottom, height)
    check_a11y(driver, f"{kind} (before Check)", report)
    answer_with_keys(driver, kind, right=right)
    box = check_and_see_feedback(driver, wait, f"{kind} (after Check, {'right' if right else 'wrong'})", report)
    press(driver, Keys.ENTER)  # Enter continues
    wait.until(EC.staleness_of(box))
    return kind


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_learner_page_by_keyboard_with_no_serious_axe_violation(live_server, chromium, client, media_root):
    course, lesson = every_type_course()
    user = UserFactory(display_name="Duck")
    log_in(chromium, client, live_server, user)
    wait = WebDriverWait(chromium, WAIT)
    report = AxeReport()
    tabs: dict[str, tuple[int, int]] = {}

    chromium.get(live_server.url + reverse("home"))
    check_a11y(chromium, "catalog", report)
    chromium.find_element(By.CSS_SELECTOR, f'form[action="{reverse("enroll", args=[course.slug])}"] button').click()
    wait.until(EC.url_contains(reverse("course_path", args=[course.slug])))
    chromium.find_element(By.CSS_SELECTOR, ".word-list summary").click()
    check_a11y(chromium, "path (word list open)", report)
    # A word's button plays through the page's one shared player.
    chromium.find_element(By.CSS_SELECTOR, ".word-list [data-word-audio]").click()
    wait.until(lambda d: d.execute_script("return document.querySelector('[data-word-player]').currentTime > 0"))
    # At 360 px the header is one row (brand, stats, Menu); Menu opens the links under it.
    set_width(chromium, 360)
    header = "return document.querySelector('.site-header nav').getBoundingClientRect().height"
    assert chromium.execute_script(header) <= 64
    assert all(stat.is_displayed() for stat in chromium.find_elements(By.CSS_SELECTOR, ".nav-stats .stat"))
    assert not chromium.find_element(By.CSS_SELECTOR, ".nav-links a").is_displayed()
    toggle = chromium.find_element(By.CSS_SELECTOR, "[data-nav-toggle]")
    toggle.click()
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".nav-links a").is_displayed())
    assert toggle.get_attribute("aria-expanded") == "true"
    check_a11y(chromium, "path (header menu open)", report, widths=(360,))
    toggle.click()
    set_width(chromium, 1280)
    chromium.find_element(By.CSS_SELECTOR, ".lesson.next button").send_keys(Keys.ENTER)
    wait.until(EC.url_contains("/runs/"))
    run_url = chromium.current_url

    # Esc asks to quit in a dialog; Esc again keeps learning, on the same exercise.
    wait.until(EC.presence_of_element_located((By.ID, "exercise-form")))
    press(chromium, Keys.ESCAPE)
    wait.until(lambda d: d.execute_script("return document.getElementById('quit-dialog').open"))
    assert chromium.switch_to.active_element.get_attribute("data-quit-cancel") is not None
    check_a11y(chromium, "quit dialog", report)
    press(chromium, Keys.ESCAPE)
    wait.until(lambda d: not d.execute_script("return document.getElementById('quit-dialog').open"))
    assert chromium.current_url == run_url

    # Every type once (the first one wrong: it comes back at the end), then the end screen.
    played = [play_exercise(chromium, wait, report, tabs, right=False)]
    while "/done/" not in chromium.current_url:
        played.append(play_exercise(chromium, wait, report, tabs))
    assert sorted(set(played)) == sorted(kind for kind, _, _ in EXERCISES)
    assert played.count(played[0]) == 2  # the wrong one came back
    check_a11y(chromium, "end screen", report)

    # Review from the path, then Esc → Quit leaves it for the path.
    chromium.get(live_server.url + reverse("course_path", args=[course.slug]))
    review = reverse("start_review", args=[course.slug])
    chromium.find_element(By.CSS_SELECTOR, f'form[action="{review}"] button').click()
    wait.until(lambda d: "/runs/" in d.current_url or "nothing-due" in d.current_url)
    check_a11y(chromium, "review", report)
    if "/runs/" in chromium.current_url:
        press(chromium, Keys.ESCAPE)
        wait.until(lambda d: d.execute_script("return document.getElementById('quit-dialog').open"))
        press(chromium, Keys.TAB, Keys.ENTER)  # from "Keep learning" to "Quit"
        wait.until(EC.url_contains(reverse("course_path", args=[course.slug])))

    # Out of hearts: one heart left, a wrong answer ends the run.
    set_wallet(user, hearts=1)
    chromium.get(live_server.url + reverse("course_path", args=[course.slug]))
    start = reverse("start_lesson", args=[lesson.slug])
    chromium.find_element(By.CSS_SELECTOR, f'form[action="{start}"] button').click()
    wait.until(EC.presence_of_element_located((By.ID, "exercise-form")))
    answer_with_keys(chromium, exercise_type(chromium), right=False)
    box = check_and_see_feedback(chromium, wait, "out of hearts (feedback)", report)
    press(chromium, Keys.ENTER)
    wait.until(EC.staleness_of(box))
    wait.until(EC.url_contains("/done/"))
    check_a11y(chromium, "end screen (out of hearts)", report)

    for state, url in (
        ("hearts", reverse("out_of_hearts")),
        ("profile", reverse("profile")),
        ("settings", reverse("settings")),
        ("recent activity", reverse("activity")),
        ("league", reverse("league")),
        ("shop", reverse("shop")),
        ("words", reverse("course_words", args=[course.slug])),
        ("e-mail addresses", reverse("account_email")),
        ("password change", reverse("account_change_password")),
    ):
        chromium.get(live_server.url + url)
        check_a11y(chromium, state, report)

    print("Tabs from load to the first answer control (1280 px, 360 px):", tabs)
    print(f"axe: {report.runs} runs, {len(report.problems)} serious or critical violations")
    assert not report.problems, report.text()
    assert all(wide <= 2 and phone <= 2 for wide, phone in tabs.values()), tabs


# --- Admin: the content change pages (0 critical) and the analytics charts at 360 px -----------------

CHART_LABEL_PX = """
return [...document.querySelectorAll(arguments[0])].map(t => {
  const svg = t.ownerSVGElement, box = svg.viewBox.baseVal;
  const rect = svg.getBoundingClientRect();  // the drawing keeps its aspect: the smaller ratio scales it
  const scale = box && box.width ? Math.min(rect.width / box.width, rect.height / box.height) : 1;
  return parseFloat(getComputedStyle(t).fontSize) * scale;
});
"""


def smallest_chart_label(driver, selector: str) -> float:
    sizes = driver.execute_script(CHART_LABEL_PX, selector)
    assert sizes, f"no chart label matches {selector}"
    return min(sizes)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_change_pages_have_no_critical_axe_violation_and_charts_read_at_360_px(live_server, chromium, client):
    from datetime import timedelta

    from analytics.rollup import rollup_analytics
    from analytics.tests.fixtures import DAY, build_scene

    scene = build_scene()
    rollup_analytics(day=DAY - timedelta(days=1))
    rollup_analytics(day=DAY)
    lesson = scene.l1
    exercise = scene.typed
    admin = UserFactory(is_staff=True, is_superuser=True)
    log_in(chromium, client, live_server, admin)
    report = AxeReport(impacts=("critical",))
    for model, pk in (
        ("section", lesson.unit.section_id),
        ("unit", lesson.unit_id),
        ("lesson", lesson.pk),
        ("exercise", exercise.pk),
    ):
        chromium.get(live_server.url + reverse(f"admin:courses_{model}_change", args=[pk]))
        # 1280 px in both themes: courses/tests/test_admin_browser.py; here the phone's width.
        check_a11y(
            chromium, f"admin {model} change page", report, widths=(360,), themes=("light",), impacts=("critical",)
        )
    assert not report.problems, report.text()

    # The analytics charts' labels stay readable (at least 11 px as rendered) on a phone.
    period = f"?start={(DAY - timedelta(days=6)).isoformat()}&end={DAY.isoformat()}"
    chromium.get(live_server.url + reverse("admin:analytics_course", args=[scene.course.pk]) + period)
    set_width(chromium, 360)
    assert smallest_chart_label(chromium, ".analytics-chart text") >= 11

    # And the profile's XP chart.
    log_in(chromium, client, live_server, UserFactory())
    chromium.get(live_server.url + reverse("profile"))
    assert smallest_chart_label(chromium, "svg.chart text") >= 11
    set_width(chromium, 1280)
    assert smallest_chart_label(chromium, "svg.chart text") >= 11
