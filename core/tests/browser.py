"""Browser-test helpers shared by the apps: Debian's Chromium through Selenium, and axe-core.

``open_chromium()`` starts one headless Chromium (close it with ``driver.quit()``). ``check_a11y(driver,
state)`` runs the vendored axe-core (assets/axe-core, version and licence in its README) on the page as
it is, at 1280 px and 360 px wide, in the light and the dark theme, without reloading the page: the
window is resized and ``data-theme`` on ``<html>`` is flipped in place, then put back. Any violation of
impact serious or critical fails the test with a readable list (rule, impact, help, the first nodes and
the state, width and theme it was found in).
"""

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE_JS = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 360)
THEMES = ("light", "dark")
FAILING_IMPACTS = ("serious", "critical")
HEIGHT = 900


def open_chromium(*, width: int = 1280, height: int = HEIGHT, language: str | None = None) -> webdriver.Chrome:
    """Headless Chromium; with ``language`` (e.g. "es") its pages are asked for in that language
    (--lang and Accept-Language)."""
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
        "--mute-audio",
        "--force-prefers-reduced-motion",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(argument)
    if language:
        options.add_argument(f"--lang={language}")
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(width, height)  # headless ignores a --window-size below its minimum
    original_quit = driver.quit

    def quit_and_clean() -> None:
        original_quit()
        shutil.rmtree(profile_dir, ignore_errors=True)

    driver.quit = quit_and_clean  # type: ignore[method-assign]
    return driver


def viewport_width(driver) -> int:
    return driver.execute_script("return document.documentElement.clientWidth")


def set_width(driver, width: int) -> None:
    """Resize the window so that the page's viewport (not the window) is ``width`` px wide."""
    driver.set_window_size(width, HEIGHT)
    inner = viewport_width(driver)
    if inner != width:  # scroll bars or window chrome: correct once
        driver.set_window_size(width + (width - inner), HEIGHT)


_RUN_AXE = """
const done = arguments[arguments.length - 1];
const impacts = arguments[0];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.filter(v => impacts.includes(v.impact)).map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary,
                                            html: n.html.slice(0, 160)})),
      count: v.nodes.length}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: [], count: 0}]));
"""


@dataclass
class AxeReport:
    """What ``check_a11y`` found across the states of one walk (a test may collect first, assert at the end)."""

    impacts: tuple[str, ...] = FAILING_IMPACTS
    runs: int = 0
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        return f"{len(self.problems)} axe violation(s) in {self.runs} runs:\n" + "\n".join(self.problems)


def _inject_axe(driver) -> None:
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE_JS.read_text(encoding="utf-8"))


def axe_violations(driver, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict]:
    _inject_axe(driver)
    driver.set_script_timeout(60)
    return driver.execute_async_script(_RUN_AXE, list(impacts))


def _describe(state: str, width: int, theme: str, violation: dict) -> str:
    lines = [
        f"- [{state} @ {width}px, {theme}] {violation['id']} ({violation['impact']}, {violation['count']} node(s)):"
        f" {violation['help']}"
    ]
    for node in violation["nodes"]:
        summary = " ".join((node["summary"] or "").split())
        lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def check_a11y(
    driver,
    state: str,
    report: AxeReport | None = None,
    *,
    widths: tuple[int, ...] = WIDTHS,
    themes: tuple[str, ...] = THEMES,
    impacts: tuple[str, ...] = FAILING_IMPACTS,
) -> AxeReport:
    """Run axe on the current page at each width and theme; add what it finds to ``report`` (or fail now)."""
    collect = report is not None
    report = report or AxeReport(impacts=impacts)
    original_theme = driver.execute_script("return document.documentElement.dataset.theme || ''")
    original_width = viewport_width(driver)
    for width in widths:
        set_width(driver, width)
        for theme in themes:
            driver.execute_script("document.documentElement.dataset.theme = arguments[0]", theme)
            report.runs += 1
            for violation in axe_violations(driver, impacts):
                report.problems.append(_describe(state, width, theme, violation))
    driver.execute_script(
        "if (arguments[0]) document.documentElement.dataset.theme = arguments[0];"
        " else delete document.documentElement.dataset.theme",
        original_theme,
    )
    set_width(driver, original_width)
    if not collect:
        assert not report.problems, report.text()
    return report
