"""``core.staticfiles.ManifestStaticFilesStorage``: WhiteNoise's manifest storage whose URLs are
looked up once per process — the same URLs, a missing name still refused, the memo bounded."""

import json

import pytest
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from core import staticfiles
from core.staticfiles import ManifestStaticFilesStorage

MANIFEST = {"paths": {"css/site.css": "css/site.0123abcd.css", "js/a.js": "js/a.feed.js"}, "version": "1.1"}


@pytest.fixture
def root(tmp_path):
    (tmp_path / "staticfiles.json").write_text(json.dumps(MANIFEST))
    return tmp_path


@override_settings(DEBUG=False, STATIC_URL="/static/")
def test_the_urls_are_whitenoises_and_looked_up_once(root, monkeypatch):
    ours = ManifestStaticFilesStorage(location=str(root), base_url="/static/")
    theirs = CompressedManifestStaticFilesStorage(location=str(root), base_url="/static/")
    looked_up = []
    original = CompressedManifestStaticFilesStorage.url

    def counting(self, name, force=False):
        looked_up.append(name)
        return original(self, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counting)
    for name in ["css/site.css", "js/a.js", "css/site.css", "css/site.css"]:
        assert ours.url(name) == original(theirs, name)
    assert looked_up == ["css/site.css", "js/a.js"]  # each name once
    assert ours.url("css/site.css") == "/static/css/site.0123abcd.css"


@override_settings(DEBUG=False, STATIC_URL="/static/")
def test_a_name_missing_from_the_manifest_is_refused_every_time(root):
    storage = ManifestStaticFilesStorage(location=str(root), base_url="/static/")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
    assert storage._urls == {}


@override_settings(DEBUG=False, STATIC_URL="/static/")
def test_the_memo_is_bounded(root, monkeypatch):
    monkeypatch.setattr(staticfiles, "MAX_NAMES", 1)
    storage = ManifestStaticFilesStorage(location=str(root), base_url="/static/")
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert storage.url("js/a.js") == "/static/js/a.feed.js"
    assert list(storage._urls) == ["css/site.css"]
