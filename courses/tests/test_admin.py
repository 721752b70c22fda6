"""Authoring in admin: the Content editor group, every content page, inline reordering, the exercise
form's payload errors, prerequisites, read-only slugs and the lesson preview."""

import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from courses import services
from courses.admin import CourseAdmin
from courses.exercise_types import REGISTRY
from courses.models import (
    Checkpoint,
    Course,
    Exercise,
    Language,
    Lesson,
    LessonExercise,
    LessonPrerequisite,
    Section,
    Token,
    Unit,
)
from courses.tests.factories import (
    CheckpointFactory,
    CourseFactory,
    ExerciseFactory,
    LessonExerciseFactory,
    LessonFactory,
    SectionFactory,
    TokenFactory,
    UnitFactory,
)
from media_assets.models import Asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


@pytest.fixture
def tree():
    course = CourseFactory(slug="es")
    section = SectionFactory(course=course, ordinal=1, slug="es-sec-01")
    unit = UnitFactory(section=section, ordinal=1, slug="es-u-01-01")
    lessons = [LessonFactory(unit=unit, ordinal=n, slug=f"es-l-01-01-0{n}") for n in (1, 2, 3)]
    exercise = ExerciseFactory(course=course, slug="es-e-01-01-01-01")
    link = LessonExerciseFactory(lesson=lessons[0], exercise=exercise, ordinal=1)
    services.set_prerequisites(lesson=lessons[2], prerequisites=[lessons[0]])
    token = TokenFactory(language=course.to_language, text="hola")
    asset = Asset.objects.create(kind=Asset.Kind.AUDIO, text="hola", language="es")
    checkpoint = CheckpointFactory(unit=unit, draw=None)
    checkpoint.exercises.set([exercise])
    return {
        "course": course,
        "checkpoint": checkpoint,
        "section": section,
        "unit": unit,
        "lessons": lessons,
        "exercise": exercise,
        "link": link,
        "token": token,
        "asset": asset,
        "prerequisite": LessonPrerequisite.objects.get(lesson=lessons[2]),
    }


def form_data(response) -> dict:
    """The POST a browser would send back from an admin change/add page, unchanged."""
    data = {}

    def add_form(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if value is None or (field.disabled if hasattr(field, "disabled") else False):
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, dict | list):
                data[bound.html_name] = json.dumps(value)
            else:
                data[bound.html_name] = str(value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.forms:
            add_form(form)
    return data


CONTENT_MODELS = [
    ("courses", "language", lambda t: t["course"].to_language),
    ("courses", "course", lambda t: t["course"]),
    ("courses", "section", lambda t: t["section"]),
    ("courses", "unit", lambda t: t["unit"]),
    ("courses", "lesson", lambda t: t["lessons"][0]),
    ("courses", "lessonprerequisite", lambda t: t["prerequisite"]),
    ("courses", "lessonexercise", lambda t: t["link"]),
    ("courses", "exercise", lambda t: t["exercise"]),
    ("courses", "token", lambda t: t["token"]),
    ("courses", "checkpoint", lambda t: t["checkpoint"]),
    ("media_assets", "asset", lambda t: t["asset"]),
]


@pytest.mark.parametrize(("app", "model", "get"), CONTENT_MODELS, ids=[m for _, m, _ in CONTENT_MODELS])
def test_content_editor_can_use_every_content_page(client, editor, tree, app, model, get):
    obj = get(tree)
    for url in (
        reverse(f"admin:{app}_{model}_changelist"),
        reverse(f"admin:{app}_{model}_changelist") + "?q=es",
        reverse(f"admin:{app}_{model}_add"),
        reverse(f"admin:{app}_{model}_change", args=[obj.pk]),
        reverse(f"admin:{app}_{model}_delete", args=[obj.pk]),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "url", ["/admin/accounts/user/", "/admin/auth/group/", "/admin/accounts/user/add/", "/admin/auth/group/add/"]
)
def test_content_editor_cannot_reach_users_or_groups(client, editor, url):
    assert client.get(url).status_code == 403


def test_content_editor_group_has_exactly_the_content_permissions():
    """Of the content apps' permissions; what else the group may read (analytics, metrics) is held by
    config/tests/test_admin_permissions.py."""
    group = Group.objects.get(name="Content editor")
    perms = set(
        group.permissions.filter(content_type__app_label__in=["courses", "media_assets"]).values_list(
            "content_type__app_label", "codename"
        )
    )
    models = ["language", "course", "section", "unit", "lesson", "lessonprerequisite", "lessonexercise"]
    models += ["exercise", "token", "checkpoint"]
    expected = {("courses", f"{a}_{m}") for m in models for a in ("add", "change", "delete", "view")}
    expected |= {
        ("media_assets", f"{a}_{m}") for m in ("asset", "assetvariant") for a in ("add", "change", "delete", "view")
    }
    assert perms == expected
    assert Permission.objects.filter(content_type__app_label="courses").count() >= len(models) * 4


def test_changelist_filters_render(client, editor, tree):
    course = tree["course"]
    urls = [
        f"/admin/courses/lesson/?unit__section__course__id__exact={course.pk}&kind=core&difficulty=easy&is_published=1",
        f"/admin/courses/exercise/?course__id__exact={course.pk}&type=translate&is_published__exact=1",
        f"/admin/courses/unit/?section__course__id__exact={course.pk}",
        f"/admin/courses/section/?course__id__exact={course.pk}&cefr_level__exact=A1",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["cl"].result_count >= 1, url
    response = client.get("/admin/courses/exercise/?type=listen")
    assert response.context["cl"].result_count == 0


def test_changelists_run_a_fixed_number_of_queries(client, editor, tree, django_assert_max_num_queries):
    unit = tree["unit"]
    for n in range(4, 12):
        LessonFactory(unit=unit, ordinal=n, slug=f"es-l-01-01-{n:02d}")
    with django_assert_max_num_queries(12):
        assert client.get("/admin/courses/lesson/").status_code == 200


def test_content_editor_adds_a_checkpoint_and_the_form_refuses_bad_items(client, editor, tree):
    unit, section, exercise = tree["unit"], tree["section"], tree["exercise"]
    tree["checkpoint"].delete()
    url = reverse("admin:courses_checkpoint_add")
    base = {"pass_percent": "80", "title": "", "time_limit_sec": "", "draw": ""}
    response = client.post(url, {**base, "unit": unit.pk, "section": section.pk, "draw": "5"})
    assert "either a unit or a section" in response.content.decode()
    response = client.post(url, {**base, "unit": unit.pk})
    assert "Give the fixed list of exercises, or a number to draw at random." in response.content.decode()
    response = client.post(url, {**base, "unit": unit.pk, "draw": "5", "exercises": [exercise.pk]})
    assert "not both" in response.content.decode()
    response = client.post(
        url, {**base, "unit": unit.pk, "lessons": [tree["lessons"][1].pk], "exercises": [exercise.pk]}
    )
    assert "is in none of the lessons the checkpoint covers" in response.content.decode()
    assert not Checkpoint.objects.exists()
    response = client.post(url, {**base, "unit": unit.pk, "exercises": [exercise.pk], "time_limit_sec": "120"})
    assert response.status_code == 302
    checkpoint = Checkpoint.objects.get()
    assert (checkpoint.slug, checkpoint.time_limit_sec, checkpoint.is_published) == ("es-cp-01-01", 120, False)
    assert list(checkpoint.exercises.all()) == [exercise]


# --- inline reordering -----------------------------------------------------------------------------


def test_swap_two_lessons_through_the_unit_inline(client, editor, tree):
    unit, (a, b, c) = tree["unit"], tree["lessons"]
    url = reverse("admin:courses_unit_change", args=[unit.pk])
    data = form_data(client.get(url))
    rows = {data[f"lessons-{i}-id"]: i for i in range(3)}
    data[f"lessons-{rows[str(a.pk)]}-ordinal"] = "2"
    data[f"lessons-{rows[str(b.pk)]}-ordinal"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert list(unit.lessons.order_by("ordinal").values_list("pk", "slug")) == [
        (b.pk, "es-l-01-01-02"),
        (a.pk, "es-l-01-01-01"),
        (c.pk, "es-l-01-01-03"),
    ]


def test_rotate_three_and_add_one_at_the_end_through_the_inline(client, editor, tree):
    unit, (a, b, c) = tree["unit"], tree["lessons"]
    url = reverse("admin:courses_unit_change", args=[unit.pk])
    data = form_data(client.get(url))
    rows = {data[f"lessons-{i}-id"]: i for i in range(3)}
    for lesson, ordinal in ((a, 3), (b, 1), (c, 2)):
        data[f"lessons-{rows[str(lesson.pk)]}-ordinal"] = str(ordinal)
    data["lessons-3-title"] = "Brand new"  # the blank extra row; ordinal left blank: at the end
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(unit.lessons.order_by("ordinal").values_list("title", "ordinal")) == [
        (b.title, 1),
        (c.title, 2),
        (a.title, 3),
        ("Brand new", 4),
    ]
    assert Lesson.objects.get(title="Brand new").slug == "es-l-01-01-04"


def test_duplicate_ordinals_in_one_submit_are_a_form_error(client, editor, tree):
    unit, (a, _, _) = tree["unit"], tree["lessons"]
    url = reverse("admin:courses_unit_change", args=[unit.pk])
    data = form_data(client.get(url))
    rows = {data[f"lessons-{i}-id"]: i for i in range(3)}
    data[f"lessons-{rows[str(a.pk)]}-ordinal"] = "2"  # b keeps 2
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert Lesson.objects.get(pk=a.pk).ordinal == 1


def test_swap_exercises_in_the_lesson_inline(client, editor, tree):
    lesson = tree["lessons"][0]
    second = LessonExerciseFactory(lesson=lesson, exercise=ExerciseFactory(course=tree["course"]), ordinal=2)
    url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    data = form_data(client.get(url))
    rows = {data[f"lesson_exercises-{i}-id"]: i for i in range(2)}
    data[f"lesson_exercises-{rows[str(tree['link'].pk)]}-ordinal"] = "2"
    data[f"lesson_exercises-{rows[str(second.pk)]}-ordinal"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(lesson.lesson_exercises.order_by("ordinal").values_list("pk", flat=True)) == [
        second.pk,
        tree["link"].pk,
    ]


def test_sections_added_through_the_course_inline_get_slugs(client, editor, tree):
    course = tree["course"]
    url = reverse("admin:courses_course_change", args=[course.pk])
    data = form_data(client.get(url))
    data["sections-1-title"] = "Travel"
    data["sections-1-cefr_level"] = "A2"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Section.objects.get(title="Travel").slug == "es-sec-02"


# --- slugs -----------------------------------------------------------------------------------------


def test_slug_is_read_only_once_created(client, editor, tree):
    lesson = tree["lessons"][1]
    url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    data = form_data(client.get(url))
    data["slug"] = "hacked"
    data["title"] = "Retitled"
    assert client.post(url, data).status_code == 302
    lesson.refresh_from_db()
    assert (lesson.slug, lesson.title) == ("es-l-01-01-02", "Retitled")


def test_lesson_added_in_admin_gets_its_slug(client, editor, tree):
    response = client.post(
        reverse("admin:courses_lesson_add"),
        {
            "unit": tree["unit"].pk,
            "ordinal": 4,
            "title": "Food",
            "kind": "core",
            "difficulty": "easy",
            "estimated_minutes": 5,
            "is_published": "on",
            "lesson_exercises-TOTAL_FORMS": 0,
            "lesson_exercises-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert Lesson.objects.get(title="Food").slug == "es-l-01-01-04"


def test_course_admin_exposes_extension_points():
    assert isinstance(CourseAdmin.actions, list)
    assert callable(CourseAdmin.get_urls)


# --- prerequisites ---------------------------------------------------------------------------------


def test_prerequisite_cycle_is_refused_on_the_lesson_form(client, editor, tree):
    a, _, c = tree["lessons"]  # c needs a
    url = reverse("admin:courses_lesson_change", args=[a.pk])
    data = form_data(client.get(url))
    data["prerequisite_lessons"] = [str(c.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["prerequisite_lessons"]
    assert errors == [
        "These prerequisites would make a cycle: es-l-01-01-01 needs es-l-01-01-03, which needs es-l-01-01-01."
    ]
    assert not a.prerequisites.exists()


def test_prerequisites_are_saved_from_the_lesson_form(client, editor, tree):
    a, b, c = tree["lessons"]
    url = reverse("admin:courses_lesson_change", args=[c.pk])
    data = form_data(client.get(url))
    assert data["prerequisite_lessons"] == [str(a.pk)]
    data["prerequisite_lessons"] = [str(a.pk), str(b.pk)]
    assert client.post(url, data).status_code == 302
    assert set(c.prerequisites.all()) == {a, b}


def test_prerequisite_cycle_is_refused_on_the_link_admin(client, editor, tree):
    a, _, c = tree["lessons"]
    response = client.post(reverse("admin:courses_lessonprerequisite_add"), {"lesson": a.pk, "prerequisite": c.pk})
    assert response.status_code == 200
    assert "would make a cycle" in str(response.context["adminform"].form.errors["prerequisite"])
    assert not LessonPrerequisite.objects.filter(lesson=a).exists()


def test_prerequisite_autocomplete_lists_lessons(client, editor, tree):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "courses", "model_name": "lesson", "field_name": "prerequisites", "term": "es-l-01-01-0"},
    )
    assert response.status_code == 200
    assert {r["text"] for r in response.json()["results"]} == {str(lesson) for lesson in tree["lessons"]}


# --- exercise form ---------------------------------------------------------------------------------


def exercise_post(course, **overrides):
    data = {
        "course": course.pk,
        "type": "multiple_choice",
        "prompt": "Choose",
        "payload": json.dumps({"question": "Thank you?", "choices": ["gracias", "hola"], "answer": 0}),
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_exercise_add_form_shows_payload_errors_on_the_payload_field(client, editor, tree):
    payload = {"question": "Thank you?", "choices": ["gracias", "Gracias"], "answer": 4, "hint": "x"}
    response = client.post(
        reverse("admin:courses_exercise_add"), exercise_post(tree["course"], payload=json.dumps(payload))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"payload"}
    text = " ".join(errors["payload"])
    assert "choices.1: Duplicate of item 0" in text
    assert "answer: Index 4 is out of range" in text
    assert "hint: Unknown key" in text
    assert not Exercise.objects.filter(prompt="Choose").exists()


def test_exercise_form_refuses_invalid_json_naming_line_and_column(client, editor, tree):
    response = client.post(reverse("admin:courses_exercise_add"), exercise_post(tree["course"], payload="{not json"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["payload"] == [
        "The JSON is not valid at line 1, column 2: Expecting property name enclosed in double quotes."
    ]
    payload = '{\n  "question": "Thank you?",\n  "choices": ["gracias", "hola"]\n  "answer": 0\n}'
    response = client.post(reverse("admin:courses_exercise_add"), exercise_post(tree["course"], payload=payload))
    assert response.context["adminform"].form.errors["payload"] == [
        "The JSON is not valid at line 4, column 3: Expecting ',' delimiter."
    ]
    assert payload in response.content.decode().replace("&quot;", '"')  # shown back as typed
    assert not Exercise.objects.filter(prompt="Choose").exists()


def help_sections(html: str) -> dict[str, str]:
    """The payload help's <details> per type → its opening tag's attributes (open / hidden)."""
    return {m.group(1): m.group(2).strip() for m in re.finditer(r'<details data-type="(\w+)"([^>]*)>', html)}


def test_exercise_form_help_follows_the_type(client, editor, tree):
    response = client.get(reverse("admin:courses_exercise_change", args=[tree["exercise"].pk]))
    sections = help_sections(response.context["adminform"].form.fields["payload"].help_text)
    assert sections.pop("translate") == "open"  # the exercise's type, open
    assert set(sections.values()) == {"hidden"} and "multiple_choice" in sections  # the others there, hidden
    assert "js/admin-exercise-form.js" in response.content.decode()  # which shows the type chosen


def test_a_new_exercise_starts_from_the_example_of_the_chosen_type(client, editor, tree):
    add = client.get(reverse("admin:courses_exercise_add"))
    form = add.context["adminform"].form
    first = form.fields["type"].choices[0][0]
    assert form["type"].value() == first
    assert json.loads(form["payload"].value()) == REGISTRY[first].example
    sections = help_sections(form.fields["payload"].help_text)
    assert sections.pop(first) == "open" and set(sections.values()) == {"hidden"}
    examples = json.loads(form.fields["payload"].widget.attrs["data-examples"])  # for the script
    assert {name: json.loads(text) for name, text in examples.items()} == {n: t.example for n, t in REGISTRY.items()}

    chosen = client.get(reverse("admin:courses_exercise_add") + "?type=word_bank").context["adminform"].form
    assert json.loads(chosen["payload"].value()) == REGISTRY["word_bank"].example


def test_the_course_is_implied_by_add_to_lesson(client, editor, tree):
    lesson = tree["lessons"][1]
    response = client.post(
        reverse("admin:courses_exercise_add"), {**exercise_post(tree["course"], add_to_lesson=lesson.pk), "course": ""}
    )
    assert response.status_code == 302
    exercise = Exercise.objects.get(prompt="Choose")
    assert exercise.course == tree["course"] and exercise.slug == "es-e-01-01-02-01"
    neither = client.post(
        reverse("admin:courses_exercise_add"), {**exercise_post(tree["course"], prompt="x"), "course": ""}
    )
    assert neither.status_code == 200
    assert neither.context["adminform"].form.errors == {
        "course": ["Choose a course, or a lesson to add the exercise to."]
    }
    assert not Exercise.objects.filter(prompt="x").exists()


def test_exercise_created_into_a_lesson_gets_the_lesson_slug_and_position(client, editor, tree):
    lesson = tree["lessons"][0]  # already holds one exercise
    response = client.post(
        reverse("admin:courses_exercise_add"),
        exercise_post(tree["course"], add_to_lesson=lesson.pk, tokens=[tree["token"].pk]),
    )
    assert response.status_code == 302
    exercise = Exercise.objects.get(prompt="Choose")
    assert exercise.slug == "es-e-01-01-01-02"
    assert LessonExercise.objects.get(exercise=exercise).ordinal == 2
    assert list(exercise.tokens.all()) == [tree["token"]]


def test_exercise_created_alone_gets_a_course_number(client, editor, tree):
    assert client.post(reverse("admin:courses_exercise_add"), exercise_post(tree["course"])).status_code == 302
    assert Exercise.objects.get(prompt="Choose").slug == "es-e-0001"


def test_exercise_change_keeps_slug_and_validates(client, editor, tree):
    exercise = tree["exercise"]
    url = reverse("admin:courses_exercise_change", args=[exercise.pk])
    data = form_data(client.get(url))
    data["payload"] = json.dumps({"text": "Hola", "solutions": ["[Hello/Hi"]})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "solutions.0: Alternates" in " ".join(response.context["adminform"].form.errors["payload"])
    data["payload"] = json.dumps({"text": "Adiós", "solutions": ["Goodbye", "Bye"], "direction": "to_source"})
    assert client.post(url, data).status_code == 302
    exercise.refresh_from_db()
    assert exercise.payload["text"] == "Adiós"
    assert exercise.slug == "es-e-01-01-01-01"


def test_exercise_search_finds_payload_text(client, editor, tree):
    response = client.get("/admin/courses/exercise/", {"q": "Hola"})
    assert list(response.context["cl"].result_list) == [tree["exercise"]]


# --- preview ---------------------------------------------------------------------------------------


def test_lesson_preview_renders_every_type_with_its_solution(client, editor, tree):
    from courses.exercise_types import REGISTRY

    lesson = tree["lessons"][1]
    for position, kind in enumerate(sorted(REGISTRY.values(), key=lambda k: k.name), start=1):
        exercise = Exercise.objects.create(
            course=tree["course"],
            slug=f"p-{kind.name.replace('_', '-')}",
            type=kind.name,
            prompt=f"Prompt {kind.name}",
            payload=kind.example,
        )
        LessonExercise.objects.create(lesson=lesson, exercise=exercise, ordinal=position)
    change = client.get(reverse("admin:courses_lesson_change", args=[lesson.pk]))
    preview_url = reverse("admin:courses_lesson_preview", args=[lesson.pk])
    assert preview_url in change.content.decode()
    response = client.get(preview_url)
    assert response.status_code == 200
    html = response.content.decode()
    for kind in REGISTRY.values():
        assert f"Prompt {kind.name}" in html
        assert kind.solution_display(kind.example).replace("'", "&#x27;") in html
    assert html.count('class="preview-solution"') == len(REGISTRY)
    assert 'name="answer"' in html


def test_lesson_preview_needs_admin_access(client, tree):
    url = reverse("admin:courses_lesson_preview", args=[tree["lessons"][0].pk])
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(UserFactory(is_staff=True))  # staff without content permissions
    assert client.get(url).status_code == 403


def test_lesson_preview_of_a_missing_lesson_is_404(client, editor):
    assert client.get(reverse("admin:courses_lesson_preview", args=[999999])).status_code == 404


def test_models_registered():
    from django.contrib import admin

    for model in (Language, Course, Section, Unit, Lesson, LessonPrerequisite, LessonExercise, Exercise, Token):
        assert admin.site.is_registered(model)


def test_payload_is_shown_indented_and_readable(client, editor, tree):
    exercise = tree["exercise"]
    exercise.payload = {"text": "¿Dónde está?", "solutions": ["Where is it?"], "direction": "to_source"}
    exercise.save(update_fields=["payload"])
    html = client.get(reverse("admin:courses_exercise_change", args=[exercise.pk])).content.decode()
    assert "\n  &quot;text&quot;: &quot;¿Dónde está?&quot;" in html
