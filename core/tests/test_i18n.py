"""The interface's Spanish catalogue is complete, and the language follows the learner (docs/i18n.md)."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from core.i18n import catalogue_files, compile_catalogue

ROOT = Path(settings.BASE_DIR)
# What makemessages must not read: installed packages, generated and uploaded files.
NOT_SOURCE = shutil.ignore_patterns(
    ".venv", ".git", "media", "staticfiles", "__pycache__", "*.mo", "db.sqlite3*", ".*_cache", "node_modules"
)


@pytest.mark.slow
def test_makemessages_leaves_no_untranslated_or_fuzzy_string_in_the_spanish_catalogue(tmp_path):
    """Run the documented ``make messages`` step on a copy of the sources: every string it finds has a
    Spanish translation that is not fuzzy, and msgfmt accepts the placeholders of each one."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=NOT_SOURCE, symlinks=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "es", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    po_path = copy / "locale" / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} strings without Spanish (docs/i18n.md): {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy strings (docs/i18n.md): {fuzzy[:20]}"
    assert len(catalogue) > 20
    check = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po_path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr


def test_catalogues_compile_with_polib_alone(tmp_path):
    """The install step's compiler: a .mo that Django's gettext reads, without GNU gettext."""
    import gettext

    (source,) = [po for po in catalogue_files() if po.parts[-3] == "es"]
    copy = tmp_path / "django.po"
    shutil.copy(source, copy)
    mo = compile_catalogue(copy)
    translations = gettext.GNUTranslations(mo.open("rb"))
    assert translations.gettext("Log in") == "Iniciar sesión"
    assert (
        translations.ngettext(
            "Day streak · %(freezes)s streak freeze held", "Day streak · %(freezes)s streak freezes held", 2
        )
        == "Racha de días · %(freezes)s protectores de racha"
    )


def test_make_run_and_make_test_can_call_the_compile_command():
    """`make run` and `make test` run `manage.py compile_catalogues`: the command must be found (its
    app is installed) and write every catalogue's .mo beside its .po."""
    result = subprocess.run(
        [sys.executable, "manage.py", "compile_catalogues", "--force"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for po in catalogue_files():
        assert f"Compiled {po.with_suffix('.mo')}" in result.stdout


@pytest.mark.django_db
def test_a_visitor_gets_the_language_of_accept_language(client):
    page = client.get(reverse("account_login"), headers={"accept-language": "es-ES,es;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "es"
    assert '<html lang="es"' in page.text
    assert "Saltar al contenido" in page.text
    english = client.get(reverse("account_login"), headers={"accept-language": "de, en;q=0.5"})
    assert '<html lang="en"' in english.text
    assert "Skip to content" in english.text


@pytest.mark.django_db
def test_a_visitor_can_switch_language_in_the_footer(client):
    page = client.get(reverse("account_login"))
    assert 'action="/i18n/setlang/"' in page.text
    switched = client.post(reverse("set_language"), {"language": "es", "next": reverse("account_login")})
    assert switched.status_code == 302
    assert "Saltar al contenido" in client.get(reverse("account_login")).text


@pytest.mark.django_db
def test_the_learners_setting_wins_over_the_browser(client, user):
    user.locale = "es"
    user.save(update_fields=["locale"])
    client.force_login(user)
    page = client.get(reverse("settings"), headers={"accept-language": "en"})
    assert '<html lang="es"' in page.text
    assert "Cerrar sesión" in page.text
    user.locale = "en"
    user.save(update_fields=["locale"])
    page = client.get(reverse("settings"), headers={"accept-language": "es"})
    assert '<html lang="en"' in page.text
    assert "Log out" in page.text


@pytest.mark.django_db
def test_the_settings_page_changes_the_interface_language(client, user):
    client.force_login(user)
    form = client.get(reverse("settings")).context["form"]
    data = {name: value for name, value in form.initial.items() if name in form.fields and value is not None}
    data["locale"] = "es"
    response = client.post(reverse("settings"), {k: v for k, v in data.items() if v is not False})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    user.refresh_from_db()
    assert user.locale == "es"
    data["locale"] = "fr"
    refused = client.post(reverse("settings"), {k: v for k, v in data.items() if v is not False})
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.locale == "es"


@pytest.mark.django_db
def test_signing_up_in_spanish_keeps_spanish_as_the_interface_language(client, django_user_model):
    password = "quack-quack-1234"
    response = client.post(
        reverse("account_signup"),
        {
            "email": "lucia@example.com",
            "password1": password,
            "password2": password,
            "display_name": "Lucía",
            "time_zone": "Europe/Madrid",
        },
        headers={"accept-language": "es-MX,es;q=0.9"},
    )
    assert response.status_code == 302
    assert django_user_model.objects.get(email="lucia@example.com").locale == "es"
    english = client.post(reverse("account_logout"))
    assert english.status_code == 302
    client.post(
        reverse("account_signup"),
        {
            "email": "ann@example.com",
            "password1": password,
            "password2": password,
            "display_name": "Ann",
            "time_zone": "UTC",
        },
        headers={"accept-language": "en-GB"},
    )
    assert django_user_model.objects.get(email="ann@example.com").locale == "en"
