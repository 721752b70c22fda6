"""The audio include in Debian's Chromium: the browser picks a <source>, fetches it with range requests
from the media view, and Replay / Slow replay play it (audio.js). Run alone with ``pytest -m browser``."""

import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from media_assets.services import add_variant
from media_assets.tests.factories import AssetFactory

WAIT = 20  # seconds: an upper bound for each explicit wait, never a sleep


@pytest.fixture
def browser():
    profile_dir = tempfile.mkdtemp(prefix="mallard-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--mute-audio",
        "--window-size=360,800",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


@pytest.mark.browser
@pytest.mark.urls("media_assets.tests.browser_urls")
@pytest.mark.django_db(transaction=True)
def test_replay_and_slow_replay_play_in_chromium(live_server, browser, media_root, upload):
    asset = AssetFactory(text="hola")
    add_variant(asset=asset, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    high_ogg = add_variant(asset=asset, uploaded_file=upload("ogg_high", "b.ogg"), quality="high")
    slow = add_variant(asset=asset, uploaded_file=upload("other_wav", "s.wav"), quality="low", speed="slow")
    wait = WebDriverWait(browser, WAIT)

    browser.get(f"{live_server.url}/player/{asset.pk}?quality=high")
    replay = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-audio-replay]"))
    wait.until(lambda d: replay.is_displayed())  # audio.js revealed it
    slow_replay = browser.find_element(By.CSS_SELECTOR, "[data-audio-slow-replay]")
    assert slow_replay.is_displayed()

    replay.click()
    # The browser chose the best fit it can play (high Ogg before low MP3) and played through it.
    wait.until(lambda d: d.execute_script("return document.querySelector('[data-audio-normal]').currentTime > 0.3"))
    current = browser.execute_script("return document.querySelector('[data-audio-normal]').currentSrc")
    assert current.endswith(high_ogg.get_absolute_url())
    duration = browser.execute_script("return document.querySelector('[data-audio-normal]').duration")
    assert 0.9 < duration < 1.1

    slow_replay.click()
    wait.until(lambda d: d.execute_script("return document.querySelector('[data-audio-slow]').currentTime > 0.1"))
    assert browser.execute_script("return document.querySelector('[data-audio-normal]').paused")
    assert browser.execute_script("return document.querySelector('[data-audio-slow]').currentSrc").endswith(
        slow.get_absolute_url()
    )


@pytest.mark.browser
@pytest.mark.urls("media_assets.tests.browser_urls")
@pytest.mark.django_db(transaction=True)
def test_a_player_inserted_later_is_enhanced(live_server, browser, media_root, upload):
    """A fragment set with innerHTML (the lesson feedback) runs no script: audio.js, already on the page,
    still wires up the player that appears."""
    first = AssetFactory(text="hola")
    add_variant(asset=first, uploaded_file=upload("mp3_low", "a.mp3"), quality="low")
    later = AssetFactory(text="gato")
    add_variant(asset=later, uploaded_file=upload("ogg_low", "b.ogg"), quality="low")
    wait = WebDriverWait(browser, WAIT)

    browser.get(f"{live_server.url}/player/{first.pk}")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-audio-replay]").is_displayed())
    browser.execute_script(
        "return fetch(arguments[0]).then(r => r.text()).then(html => {"
        " const box = document.createElement('div'); box.id = 'later';"
        " box.innerHTML = new DOMParser().parseFromString(html, 'text/html').querySelector('main').innerHTML;"
        " document.body.appendChild(box); })",
        f"{live_server.url}/player/{later.pk}",
    )
    replay = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#later [data-audio-replay]"))
    wait.until(lambda d: replay.is_displayed())
    replay.click()
    wait.until(lambda d: d.execute_script("return document.querySelector('#later audio').currentTime > 0.2"))
