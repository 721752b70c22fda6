"""The schema and Swagger UI pages: served locally (no CDN) and allowed by the site's CSP."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_is_served_and_validates_without_warnings(client, tmp_path):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.") and "/api/v1/runs/{id}/answers/" in schema["paths"]
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi:")


def test_docs_page_loads_its_assets_locally_under_a_nonce_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp and "style-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/static/drf_spectacular_sidecar/") for src in sources), sources
    assert "//" not in " ".join(sources)  # nothing from another origin
    # Every inline script and style carries the nonce of this response.
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attrs for _tag, attrs in inline)
    # The UI fetches the schema from our own origin.
    assert '"/api/schema/"' in html or "'/api/schema/'" in html or "/api/schema/" in html


def test_api_docs_sends_the_same_cross_origin_opener_policy_as_every_page(client):
    expected = client.get("/healthz")["Cross-Origin-Opener-Policy"]
    assert expected == "same-origin"
    assert client.get("/api/docs/")["Cross-Origin-Opener-Policy"] == expected
    assert client.get("/accounts/login/")["Cross-Origin-Opener-Policy"] == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_in_chromium_without_csp_violations(live_server):
    """Debian's Chromium loads /api/docs/: the operations appear (the UI ran and fetched the schema)
    and the console holds no Content-Security-Policy violation."""
    import shutil
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

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
        "--no-first-run",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"{live_server.url}/api/docs/")
        WebDriverWait(driver, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path")))
        paths = {e.text.replace("\u200b", "") for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        assert "/api/v1/runs/{id}/answers/" in paths
        messages = [entry["message"] for entry in driver.get_log("browser")]
        assert not [m for m in messages if "Content Security Policy" in m or "Refused to" in m], messages
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)
