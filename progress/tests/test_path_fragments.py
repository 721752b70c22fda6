"""The path page's cached fragments (progress/fragments.py) and its one-section-at-a-time layout.

What every learner sees the same is cached per unit under the content version, the interface language
and the audio quality; an admin edit, an import and a publish each show on the next view; a learner's
state is never in a fragment, so two learners never see each other's; Spanish and English learners
get their own fragments; the page shows the section of the next lesson in full and the others as cards,
so a 200-lesson course's page stays about the size of a small course's, in the same six statements."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from courses.content_version import current_version
from courses.models import Lesson, Token
from courses.publishing import set_published
from courses.tests.factories import CheckpointFactory, LessonFactory, SectionFactory, UnitFactory
from courses.tests.sample_courses import add_exercises, make_course
from courses.tests.test_admin import form_data
from progress.fragments import unit_key
from progress.models import LessonProgress
from progress.services import enroll
from progress.tests.test_structure_cache import import_text, mini_course_file

pytestmark = pytest.mark.django_db

#: Markup that carries a learner's state (or their session): never in a shared fragment.
STATE_MARKERS = ("csrfmiddlewaretoken", "lesson passed", "lesson open", "lesson locked", "autofocus", "tier-", "Jump")


def page(client, course, **params) -> str:
    response = client.get(reverse("course_path", args=[course.slug]), params)
    assert response.status_code == 200
    return response.content.decode()


def fragments_of(course, unit, *, quality="medium", language="en"):
    """The cached fragments of ``unit`` as the path page stored them (after a view)."""
    with translation.override(language):
        key = unit_key(version=current_version(), quality=quality, course_id=course.pk, unit_id=unit.pk)
    return cache.get(key)


def learner_client(**fields) -> tuple[Client, object]:
    user = UserFactory(**fields)
    client = Client()
    client.force_login(user)
    return client, user


def spoken_course():
    course, lessons = make_course(units=2, lessons_per_unit=2, tokens=2)
    lessons[0].notes = "Say hola to everyone."
    lessons[0].save()
    return course, lessons


# --- What is cached, and what is not ---------------------------------------------------------------


def test_each_shown_unit_is_cached_once_and_holds_no_learner_state(client, learner):
    course, lessons = spoken_course()
    LessonProgress.objects.create(
        user=learner, lesson=lessons[0], runs_started=1, passes=1, tier=1, first_passed_at=timezone.now()
    )
    html = page(client, course)
    assert "Say hola to everyone." in html and 'class="word-list"' in html
    for unit in {lesson.unit for lesson in lessons}:
        cached = fragments_of(course, unit)
        assert cached is not None, unit
        texts = [cached.head, cached.words] + [
            part for lesson in cached.lessons.values() for part in (lesson.about, lesson.tips)
        ]
        for text in texts:
            assert not any(marker in text for marker in STATE_MARKERS), text
        assert unit.title in cached.head
    first = fragments_of(course, lessons[0].unit)
    assert "Say hola to everyone." in first.lessons[lessons[0].pk].tips


def test_two_learners_never_see_each_others_state(client, learner):
    course, lessons = spoken_course()
    CheckpointFactory(unit=lessons[2].unit)
    LessonProgress.objects.create(
        user=learner, lesson=lessons[0], runs_started=1, passes=2, tier=2, first_passed_at=timezone.now()
    )
    LessonProgress.objects.create(
        user=learner, lesson=lessons[1], runs_started=1, passes=1, tier=1, first_passed_at=timezone.now()
    )
    mine = page(client, course)  # fills every fragment with this learner's view first
    other, _ = learner_client()
    theirs = page(other, course)  # served from the same fragments

    def states(html: str) -> list[str]:
        return re.findall(r'<li class="lesson ([a-z ]+)" id="lesson-', html)

    assert states(mine) == ["passed", "passed", "open next", "locked"]
    assert states(theirs) == ["open next", "locked", "locked", "locked"]
    assert 'class="tier tier-2"' in mine and "tier-" not in theirs
    assert "Practise again" in mine and "Practise again" not in theirs
    assert 'class="checkpoint available"' in mine and 'class="checkpoint locked"' in theirs
    # the same again, now that the other learner's page was the last one served
    assert states(page(client, course)) == ["passed", "passed", "open next", "locked"]
    # and each page carries its own session's CSRF token, never the other's
    assert re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', mine)[0] not in theirs


def test_spanish_and_english_learners_get_their_own_fragments():
    course, lessons = make_course(units=1, lessons_per_unit=1)
    unit = lessons[0].unit
    unit.title_en, unit.title_es = "Greetings", "Saludos"
    unit.save()
    english, _ = learner_client(locale="en")
    spanish, _ = learner_client(locale="es")
    assert "Unit 1: Greetings" in page(english, course)
    spanish_html = page(spanish, course)
    assert "Unidad 1: Saludos" in spanish_html and "Greetings" not in spanish_html
    assert "Unit 1: Greetings" in page(english, course)  # the Spanish view did not replace it
    assert "Saludos" in fragments_of(course, unit, language="es").head
    assert "Greetings" in fragments_of(course, unit, language="en").head


# --- Content changes show on the next view -----------------------------------------------------------


def test_an_admin_edit_of_a_unit_a_tip_and_a_word_shows_on_the_next_page_view(client, learner, editor_client):
    course, lessons = spoken_course()
    unit = lessons[0].unit
    token = Token.objects.filter(exercises__lesson_links__lesson=lessons[0]).first()
    assert "Say hola to everyone." in page(client, course)  # cached now
    url = reverse("admin:courses_unit_change", args=[unit.pk])
    data = form_data(editor_client.get(url))
    data["title"] = "Renamed unit"
    data["description"] = "A new description"
    assert editor_client.post(url, data).status_code == 302
    html = page(client, course)
    assert "Unit 1: Renamed unit" in html and "A new description" in html
    lesson_url = reverse("admin:courses_lesson_change", args=[lessons[0].pk])
    data = form_data(editor_client.get(lesson_url))
    data["notes"] = "A new tip."
    assert editor_client.post(lesson_url, data).status_code == 302
    html = page(client, course)
    assert "A new tip." in html and "Say hola to everyone." not in html
    token_url = reverse("admin:courses_token_change", args=[token.pk])
    data = form_data(editor_client.get(token_url))
    data["translation"] = "a brand-new meaning"
    assert editor_client.post(token_url, data).status_code == 302
    assert "a brand-new meaning" in page(client, course)


def test_an_import_shows_in_the_fragments_on_the_next_page_view(client, learner, tmp_path):
    text = mini_course_file()
    course = import_text(tmp_path, text)
    html = page(client, course)
    assert "Unit 1: Greetings" in html and "goodbye" in html
    import_text(tmp_path, text.replace("title: Greetings", "title: Salutations").replace("goodbye", "farewell"))
    html = page(client, course)
    assert "Unit 1: Salutations" in html and "farewell" in html and "Greetings" not in html


def test_a_publish_shows_in_the_fragments_on_the_next_page_view(client, learner):
    course, lessons = make_course(units=1, lessons_per_unit=1)
    draft = UnitFactory(section=lessons[0].unit.section, ordinal=2, title="Later unit", is_published=False)
    add_exercises(LessonFactory(unit=draft, ordinal=1, notes="Draft tip"), 1)
    assert "Later unit" not in page(client, course)
    set_published(objects=[draft], published=True)
    html = page(client, course)
    assert "Later unit" in html and "Draft tip" in html
    set_published(objects=[draft], published=False)
    assert "Later unit" not in page(client, course)


def test_learners_with_another_audio_quality_get_their_own_word_lists(client, learner):
    course, lessons = make_course(units=1, lessons_per_unit=1)
    page(client, course)
    other, _ = learner_client(audio_quality="high")
    page(other, course)
    unit = lessons[0].unit
    assert fragments_of(course, unit, quality="medium") is not None
    assert fragments_of(course, unit, quality="high") is not None


# --- One section at a time -----------------------------------------------------------------------------


def two_section_course():
    course, lessons = make_course(units=2, lessons_per_unit=2)
    second = SectionFactory(course=course, ordinal=2, title="Travel")
    later = []
    for u in (1, 2):
        unit = UnitFactory(section=second, ordinal=u, title=f"Travel unit {u}")
        for n in (1, 2):
            lesson = LessonFactory(unit=unit, ordinal=n, title=f"Trip {u}.{n}")
            add_exercises(lesson, 1)
            later.append(lesson)
    return course, lessons, later


def test_the_page_shows_the_next_lessons_section_in_full_and_the_others_as_cards(client, learner):
    course, lessons, later = two_section_course()
    html = page(client, course)
    first, second = lessons[0].unit.section, later[0].unit.section
    assert f'<section aria-labelledby="section-{first.slug}">' in html
    assert f'<section class="section-card locked" aria-labelledby="section-{second.slug}">' in html
    assert "Trip 1.1" not in html and "Travel unit 1" not in html  # the other section's units are not sent
    assert f'href="?section={second.slug}#section-{second.slug}"' in html
    assert "0 of 4 lessons passed" in html and "2 units" in html
    # Opening the other section shows it in full, and the first one as a card; the next lesson is a link away.
    opened = page(client, course, section=second.slug)
    assert "Trip 1.1" in opened and lessons[0].title not in opened
    assert f'<section class="section-card open" aria-labelledby="section-{first.slug}">' in opened
    assert f'href="?section={first.slug}#lesson-{lessons[0].slug}"' in opened

    # An unknown section is no error: the page shows the next lesson's section.
    def unmasked(html: str) -> str:  # a CSRF token is masked afresh on every page
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert unmasked(page(client, course, section="no-such-section")) == unmasked(page(client, course))


def test_the_section_of_the_next_lesson_is_shown_and_jump_here_stays_on_a_card(client, learner):
    course, lessons, later = two_section_course()
    section_checkpoint = CheckpointFactory(unit=None, section=lessons[0].unit.section)
    for lesson in lessons:
        LessonProgress.objects.create(
            user=learner, lesson=lesson, runs_started=1, passes=1, tier=1, first_passed_at=timezone.now()
        )
    html = page(client, course)  # every lesson of section 1 passed: section 2 holds the next lesson
    assert "Trip 1.1" in html and 'class="section-card passed"' in html
    assert f'id="checkpoint-{section_checkpoint.slug}"' not in html  # in the first section's card's section
    fresh, _ = learner_client()
    html = page(fresh, course)
    # Not reached yet: the second section's card offers "Jump here" through the first section's checkpoint.
    card = html.split(f'aria-labelledby="section-{later[0].unit.section.slug}"')[1].split("</section>")[0]
    assert reverse("start_checkpoint", args=[section_checkpoint.slug]) in card and "Jump here" in card


def test_a_single_section_course_shows_everything_as_before(client, learner):
    course, lessons = make_course(units=3, lessons_per_unit=2)
    html = page(client, course)
    assert "section-card" not in html
    assert all(lesson.title in html for lesson in lessons)


# --- A 200-lesson course ---------------------------------------------------------------------------------


def course_of(*, sections: int, units: int, lessons: int):
    course, _ = make_course(units=units, lessons_per_unit=lessons, tokens=2)
    for s in range(2, sections + 1):
        section = SectionFactory(course=course, ordinal=s)
        for u in range(1, units + 1):
            unit = UnitFactory(section=section, ordinal=u)
            for n in range(1, lessons + 1):
                add_exercises(LessonFactory(unit=unit, ordinal=n), 3, tokens_per_exercise=2)
    return course


@pytest.mark.slow
def test_a_200_lesson_courses_page_stays_about_the_size_of_a_small_courses(client, learner, django_assert_num_queries):
    """A course of 10 sections of 5 units of 4 lessons beside one of 2 sections of the same units (the demo
    course's size): the same statements, and at most 1.5 times the bytes (the other sections are cards)."""
    small = course_of(sections=2, units=5, lessons=4)
    big = course_of(sections=10, units=5, lessons=4)
    sizes = {}
    for course in (small, big):
        CheckpointFactory(unit=course.sections.get(ordinal=1).units.get(ordinal=1))  # reached: its records read
        enroll(user=learner, course=course, now=timezone.now())
        page(client, course)  # warm: the structure and the fragments are cached
        with django_assert_num_queries(6):  # session, user, progress, checkpoint records, words, header
            sizes[course.pk] = len(page(client, course).encode())
    print(f"path page: 40 lessons {sizes[small.pk]} bytes, 200 lessons {sizes[big.pk]} bytes")
    assert Lesson.objects.filter(unit__section__course=big).count() == 200
    assert sizes[big.pk] <= 1.5 * sizes[small.pk]
    assert sizes[big.pk] < 60_000
