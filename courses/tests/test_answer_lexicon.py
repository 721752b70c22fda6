"""The course lexicon the answer checker uses to name a real-word slip (docs/answers.md)."""

import pytest
from django.core.cache import cache

from courses.selectors import answer_lexicon, exercise_hints, lexicon_glosses
from courses.tests.factories import CourseFactory, ExerciseFactory, LanguageFactory, TokenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _spanish_course():
    course = CourseFactory(to_language=LanguageFactory(code="es"))
    exercise = ExerciseFactory(
        course=course, type="translate", payload={"text": "I have a dog", "solutions": ["Tengo un perro"]}
    )
    exercise.tokens.set(
        [
            TokenFactory(language=course.to_language, text="pero", translation="but"),
            TokenFactory(language=course.to_language, text="Perro", translation="dog"),
            TokenFactory(language=course.to_language, text="el perro", translation="the dog"),  # a phrase
            TokenFactory(language=course.from_language, text="dog", translation=""),  # the other language
        ]
    )
    TokenFactory(language=course.to_language, text="gato", translation="cat")  # used by no exercise
    return course


def test_the_lexicon_is_the_courses_single_words_in_that_language_with_glosses(django_assert_num_queries):
    course = _spanish_course()
    with django_assert_num_queries(1):
        assert lexicon_glosses(course=course, language_code="es") == {"pero": "but", "perro": "dog"}
    with django_assert_num_queries(0):  # cached
        assert lexicon_glosses(course=course, language_code="es") == {"pero": "but", "perro": "dog"}
    assert lexicon_glosses(course=course, language_code="en") == {"dog": ""}


def test_a_change_of_the_course_starts_a_new_cache_entry():
    course = _spanish_course()
    assert "gato" not in lexicon_glosses(course=course, language_code="es")
    course.exercises.first().tokens.add(TokenFactory(language=course.to_language, text="gato", translation="cat"))
    course.save()  # an import or an edit of the course bumps updated_at
    assert lexicon_glosses(course=course, language_code="es")["gato"] == "cat"


def test_answer_lexicon_reads_nothing_until_the_checker_asks(django_assert_num_queries):
    course = _spanish_course()
    with django_assert_num_queries(0):
        lexicon = answer_lexicon(course=course, language_code="es")
    with django_assert_num_queries(1):
        assert lexicon.gloss("pero") == "but"
        assert lexicon.knows("perro")
        assert not lexicon.knows("gato")


def _hint_of(course, word, exercise=None):
    exercise = exercise or course.exercises.get()
    hints = exercise_hints(course=course, exercise_type=exercise.type, payload=exercise.payload)
    return next(h["translations"] for h in hints if h["text"] == word)


def test_the_word_hints_index_is_kept_per_lexicon_and_follows_a_change_of_the_course(django_assert_num_queries):
    """The reverse index of the glosses (source word → course words) is built once per lexicon and
    process; a change of the course (its ``updated_at``) names a new lexicon, so the hints follow it."""
    course = _spanish_course()
    assert _hint_of(course, "dog") == ["perro"]
    cache.clear()
    exercise = course.exercises.get()
    with django_assert_num_queries(0):  # the index is kept: not even the cached lexicon is read again
        assert _hint_of(course, "dog", exercise) == ["perro"]
    exercise.payload = {"text": "I have a cat", "solutions": ["Tengo un gato"]}
    exercise.save()
    exercise.tokens.add(TokenFactory(language=course.to_language, text="gato", translation="cat"))
    course.save()
    assert _hint_of(course, "cat") == ["gato"]
