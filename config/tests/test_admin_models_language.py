"""The admin names apps, models and their fields in the staff user's interface language: the index's
app and model names, change-list titles, column headers and filters come from the models' verbose
names and choices (docs/i18n.md, "The admin")."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses.tests.factories import LessonFactory
from gamification.models import JobRun
from gamification.tests.factories import WalletFactory
from media_assets.models import Asset

pytestmark = pytest.mark.django_db


def headers(html: str) -> list[str]:
    """The change list's column headers, as shown (sorting links and markup stripped)."""
    cells = re.findall(r'<th scope="col" class="[^"]*column-(\w+)[^"]*">(.*?)</th>', html, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for name, cell in cells if name != "action_checkbox"]


@pytest.fixture
def pages(client):
    LessonFactory()
    WalletFactory(user=UserFactory())
    JobRun.objects.create(job="close_streaks", started_at="2026-11-30T01:00Z", as_of="2026-11-30T01:00Z")
    Asset.objects.create(title="hola")

    def get(locale: str) -> dict[str, str]:
        client.force_login(UserFactory(is_staff=True, is_superuser=True, locale=locale))
        names = {
            "index": reverse("admin:index"),
            "lessons": reverse("admin:courses_lesson_changelist"),
            "wallets": reverse("admin:gamification_wallet_changelist"),
            "job runs": reverse("admin:gamification_jobrun_changelist"),
            "assets": reverse("admin:media_assets_asset_changelist"),
        }
        return {name: client.get(url).content.decode() for name, url in names.items()}

    return get


def test_a_spanish_speaking_staff_user_gets_apps_models_and_columns_in_spanish(pages):
    html = pages("es")
    index = html["index"]
    for app in ("Cursos", "Progreso", "Gamificación", "Cuentas", "Multimedia", "Analíticas"):
        assert f">{app}</a>" in index, app
    for model in ("Lecciones", "Unidades", "Secciones", "Ejercicios", "Cursos", "Monederos", "Logros"):
        assert f">{model}</a>" in index, model
    assert ">Lessons</a>" not in index and ">Gamification</a>" not in index

    lessons = html["lessons"]
    assert "lección" in re.search(r"<h1>(.*?)</h1>", lessons).group(1)
    assert headers(lessons) == [
        "Slug",
        "Título",
        "Unidad",
        "Tipo",
        "Dificultad",
        "Minutos estimados",
        "Ejercicios",
        "Publicado",
    ]
    assert "Por dificultad" in lessons and "Fácil" in lessons  # a filter and a choice's label

    wallets = html["wallets"]
    assert "monedero" in re.search(r"<h1>(.*?)</h1>", wallets).group(1)
    assert headers(wallets)[:5] == ["Usuario", "XP total", "Gemas", "Vidas", "Protectores de racha"]

    runs = html["job runs"]
    assert "ejecución de tarea" in re.search(r"<h1>(.*?)</h1>", runs).group(1)
    assert headers(runs)[:2] == ["Tarea", "Empezado el"] and "Filas cambiadas" in headers(runs)
    assert "Por resultado" in runs and "En marcha" in runs  # the outcome filter and its choices

    assert headers(html["assets"])[1:] == ["Tipo", "Origen", "Idioma", "Variantes", "Tamaño", "Creado el"]
    assert "Texto a voz" in html["assets"]  # the source filter's choices


def test_english_stays_english(pages):
    html = pages("en")
    assert ">Lessons</a>" in html["index"] and ">Gamification</a>" in html["index"]
    assert headers(html["lessons"])[:6] == ["Slug", "Title", "Unit", "Kind", "Difficulty", "Estimated minutes"]
    assert headers(html["wallets"])[:5] == ["User", "XP total", "Gems", "Hearts", "Streak freezes"]
    assert "Rows changed" in headers(html["job runs"])
    assert headers(html["assets"])[1:] == ["Kind", "Source", "Language", "Variants", "Size", "Created at"]
