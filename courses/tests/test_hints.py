"""Word hints (docs/exercise-types.md, "Word hints"): the prompt's words with their translations from
the course's lexicon — never the exercise's own answer, only the words of the prompt as displayed."""

from courses.answers import Lexicon
from courses.hints import prompt_hints

GLOSSES = Lexicon.from_tokens(
    [
        ("hola", "hello, hi"),
        ("buenos", "good"),
        ("días", "days"),
        ("noches", "good night"),
        ("yo", "I"),
        ("como", "I eat"),
        ("pan", "bread"),
        ("agua", "water"),
        ("gracias", "thank you"),
    ],
    "es",
)


def hints(kind, payload):
    return prompt_hints(exercise_type=kind, payload=payload, target="es", source="en", glosses=GLOSSES)


def test_each_word_of_the_prompt_in_order_with_its_translations():
    got = hints(
        "translate", {"text": "¡Buenos días, Ana!", "solutions": ["Good morning, Ana!"], "direction": "to_source"}
    )
    assert got == [
        {"text": "¡Buenos", "translations": ["good"]},
        {"text": "días,", "translations": ["days"]},
        {"text": "Ana!", "translations": []},  # not a word of the course
    ]


def test_a_hint_never_is_the_exercises_answer():
    # A one-word exercise: the word's translations are its solutions, so it gets no hint.
    assert hints("translate", {"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"}) == [
        {"text": "Hola", "translations": []}
    ]
    # A gloss that is the whole answer sentence is left out too.
    got = hints("translate", {"text": "Noches", "solutions": ["Good night"], "direction": "to_source"})
    assert got == [{"text": "Noches", "translations": []}]
    got = hints("translate", {"text": "Gracias", "solutions": ["Thank you!"], "direction": "to_source"})
    assert got == [{"text": "Gracias", "translations": []}]
    # Towards the target language: "bread" → "pan" is the whole solution of "Bread".
    assert hints("translate", {"text": "Bread", "solutions": ["pan"]}) == [{"text": "Bread", "translations": []}]


def test_word_bank_hints_follow_the_prompt_never_the_tiles():
    payload = {"text": "I eat bread", "tiles": ["pan", "Yo", "agua", "como", "bebo"], "solutions": ["[Yo/] como pan"]}
    got = hints("word_bank", payload)
    assert [h["text"] for h in got] == ["I", "eat", "bread"]  # the prompt as displayed, nothing else
    assert got == [
        {"text": "I", "translations": ["yo"]},
        {"text": "eat", "translations": []},  # only "I eat" is glossed: no single word to give
        {"text": "bread", "translations": ["pan"]},
    ]
    every = {t for h in got for t in h["translations"]}
    assert not any(" " in t for t in every)  # one word each: no hint spells a tile order or a sentence
    assert "yo como pan" not in every and "como pan" not in every


def test_types_without_a_prompt_sentence_have_no_hints():
    assert hints("listen", {"text": "Buenos días"}) is None  # its text is the solution
    assert hints("multiple_choice", {"question": "Hola?", "choices": ["a", "b"], "answer": 0}) is None
    assert hints("speak", {"text": "Hola"}) is None
