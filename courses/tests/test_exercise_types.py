"""The exercise-type registry: payload validation (good and bad), public payloads that never leak a
solution, answer parsing and checking."""

import json

import pytest
from django.core.exceptions import ValidationError

from courses.answers import NO_LEXICON, Lexicon, Verdict, expand_alternates
from courses.exercise_types import REGISTRY, get_type, type_choices

ALL_TYPES = [
    "translate",
    "multiple_choice",
    "listen",
    "word_bank",
    "match_pairs",
    "picture",
    "speak",
    "fill_blank",
]

GOOD = {
    "translate": [
        {"text": "Hola", "solutions": ["[Hello/Hi]"], "direction": "to_source"},
        {"text": "I am here", "solutions": ["[Estoy/Yo estoy] aquí"]},
        {"text": "The cat", "solutions": ["El gato", "[El/Un] gato"], "direction": "to_target"},
        {"text": "No sé", "solutions": ["I don't know"], "direction": "to_source", "strict_contractions": ["don't"]},
    ],
    "multiple_choice": [
        {"question": "“Thank you”?", "choices": ["gracias", "hola"], "answer": 0},
        {"question": "q", "choices": ["a", "b", "c", "d", "e", "f"], "answer": 5},
    ],
    "listen": [
        {"text": "Buenos días"},
        {"text": "Buenos días", "solutions": ["Buenos días", "Buen día"]},
        {"text": "Ich gehe zum Bahnhof", "strict_contractions": ["zum", "geht\u2019s"]},
    ],
    "word_bank": [
        {"text": "I eat bread", "tiles": ["pan", "Yo", "como", "agua"], "solutions": ["[Yo/] como pan"]},
        {
            "text": "the dog and the cat",
            "tiles": ["el", "perro", "y", "el", "gato"],
            "solutions": ["El perro y el gato."],
        },
        {"text": "I'm here", "tiles": ["Estoy", "aquí"], "solutions": ["Estoy aquí"]},
    ],
    "match_pairs": [
        {"pairs": [["uno", "one"], ["dos", "two"], ["tres", "three"]]},
        {"pairs": [[str(i), f"r{i}"] for i in range(6)]},
    ],
    "picture": [
        {
            "question": "el perro",
            "choices": [{"label": "dog", "image": "🐕"}, {"label": "cat", "image": "🐈"}],
            "answer": 1,
        },
        {
            "question": "el gato",
            "choices": [{"label": "dog", "image": "🐕"}, {"label": "cat", "image": 7}],
            "answer": 1,
            "hide_labels": True,
        },
    ],
    "speak": [{"text": "Me llamo Ana"}, {"text": "Me llamo Ana", "solutions": ["Me llamo Ana", "Soy Ana"]}],
    "fill_blank": [
        {"text": "Yo ___ estudiante.", "solutions": ["soy"]},
        {"text": "Yo ___ estudiante.", "solutions": ["soy"], "choices": ["soy", "estoy", "es"]},
        {"text": "___ gato", "solutions": ["[El/Un] "], "choices": ["Un", "La"]},
    ],
}

# (type, payload, the payload key the error must be reported under)
BAD = [
    # not an object / unknown keys / missing keys, for every type
    *[(t, [], "payload") for t in ALL_TYPES],
    *[(t, "text", "payload") for t in ALL_TYPES],
    *[(t, {**GOOD[t][0], "solution": "x"}, "solution") for t in ALL_TYPES],
    ("translate", {"solutions": ["a"]}, "text"),
    ("translate", {**GOOD["translate"][0], "strict_contractions": "don't"}, "strict_contractions"),
    ("listen", {"text": "x", "strict_contractions": ["dont"]}, "strict_contractions.0"),  # not a contraction
    ("speak", {"text": "x", "strict_contractions": [3]}, "strict_contractions.0"),
    ("fill_blank", {**GOOD["fill_blank"][0], "strict_contractions": ["don't", " "]}, "strict_contractions.1"),
    ("word_bank", {**GOOD["word_bank"][0], "strict_contractions": ["don't"]}, "strict_contractions"),  # tiles
    ("translate", {"text": "Hola"}, "solutions"),
    ("translate", {"text": "", "solutions": ["a"]}, "text"),
    ("translate", {"text": "   ", "solutions": ["a"]}, "text"),
    ("translate", {"text": 3, "solutions": ["a"]}, "text"),
    ("translate", {"text": "Hola", "solutions": []}, "solutions"),
    ("translate", {"text": "Hola", "solutions": "Hello"}, "solutions"),
    ("translate", {"text": "Hola", "solutions": ["Hello", ""]}, "solutions.1"),
    ("translate", {"text": "Hola", "solutions": ["Hello", None]}, "solutions.1"),
    ("translate", {"text": "Hola", "solutions": ["Hello", "hello"]}, "solutions.1"),
    ("translate", {"text": "Hola", "solutions": ["[Hello/Hi"]}, "solutions.0"),
    ("translate", {"text": "Hola", "solutions": ["Hello]"]}, "solutions.0"),
    ("translate", {"text": "Hola", "solutions": ["[Hello]"]}, "solutions.0"),
    ("translate", {"text": "Hola", "solutions": ["[a/[b/c]]"]}, "solutions.0"),
    ("translate", {"text": "Hola", "solutions": ["x"], "direction": "sideways"}, "direction"),
    ("multiple_choice", {"question": "q", "choices": ["a"], "answer": 0}, "choices"),
    ("multiple_choice", {"question": "q", "choices": list("abcdefg"), "answer": 0}, "choices"),
    ("multiple_choice", {"question": "q", "choices": ["a", "b"], "answer": 2}, "answer"),
    ("multiple_choice", {"question": "q", "choices": ["a", "b"], "answer": -1}, "answer"),
    ("multiple_choice", {"question": "q", "choices": ["a", "b"], "answer": "0"}, "answer"),
    ("multiple_choice", {"question": "q", "choices": ["a", "b"], "answer": True}, "answer"),
    ("multiple_choice", {"question": "q", "choices": ["a", "b", "A"], "answer": 0}, "choices.2"),
    ("multiple_choice", {"question": "q", "choices": ["a", "b", ""], "answer": 0}, "choices.2"),
    ("multiple_choice", {"question": "", "choices": ["a", "b"], "answer": 0}, "question"),
    ("listen", {"solutions": ["a"]}, "text"),
    ("listen", {"text": "a", "solutions": []}, "solutions"),
    ("listen", {"text": "a", "solutions": ["[a/b"]}, "solutions.0"),
    ("word_bank", {"text": "I eat", "tiles": ["como"], "solutions": ["como"]}, "tiles"),
    ("word_bank", {"text": "I eat", "tiles": ["Yo", "como pan"], "solutions": ["Yo"]}, "tiles.1"),
    ("word_bank", {"text": "I eat", "tiles": ["Yo", ""], "solutions": ["Yo"]}, "tiles.1"),
    ("word_bank", {"text": "I eat bread", "tiles": ["Yo", "como"], "solutions": ["Yo como pan"]}, "solutions.0"),
    ("word_bank", {"text": "I eat bread", "tiles": ["pan", "como"], "solutions": ["[Yo/] como pan"]}, "solutions.0"),
    (
        "word_bank",
        {"text": "the dog and the cat", "tiles": ["el", "perro", "y", "gato"], "solutions": ["el perro y el gato"]},
        "solutions.0",
    ),
    ("word_bank", {"text": "x", "tiles": ["a", "b"], "solutions": ["a", "A"]}, "solutions.1"),
    ("word_bank", {"text": "x", "tiles": ["a", "b"]}, "solutions"),
    ("match_pairs", {"pairs": [["a", "1"], ["b", "2"]]}, "pairs"),
    ("match_pairs", {"pairs": [[str(i), f"r{i}"] for i in range(7)]}, "pairs"),
    ("match_pairs", {"pairs": "a=1"}, "pairs"),
    ("match_pairs", {"pairs": [["a", "1"], ["b", "2"], ["c"]]}, "pairs.2"),
    ("match_pairs", {"pairs": [["a", "1"], ["b", "2"], "c=3"]}, "pairs.2"),
    ("match_pairs", {"pairs": [["a", "1"], ["b", "2"], ["A", "3"]]}, "pairs.2.0"),
    ("match_pairs", {"pairs": [["a", "1"], ["b", "2"], ["c", "1"]]}, "pairs.2.1"),
    ("match_pairs", {"pairs": [["a", "1"], ["b", ""], ["c", "3"]]}, "pairs.1.1"),
    ("picture", {"question": "q", "choices": [{"label": "a", "image": "🐕"}], "answer": 0}, "choices"),
    (
        "picture",
        {"question": "q", "choices": [{"label": str(i), "image": str(i)} for i in range(5)], "answer": 0},
        "choices",
    ),
    ("picture", {"question": "q", "choices": [{"label": "a", "image": "🐕"}, "cat"], "answer": 0}, "choices.1"),
    (
        "picture",
        {"question": "q", "choices": [{"label": "a", "image": "🐕"}, {"label": "b"}], "answer": 0},
        "choices.1.image",
    ),
    (
        "picture",
        {
            "question": "q",
            "choices": [{"label": "a", "image": "🐕"}, {"label": "b", "image": "🐈", "alt": "x"}],
            "answer": 0,
        },
        "choices.1.alt",
    ),
    (
        "picture",
        {"question": "q", "choices": [{"label": "a", "image": "🐕"}, {"label": "b", "image": "🐕"}], "answer": 0},
        "choices.1.image",
    ),
    (
        "picture",
        {"question": "q", "choices": [{"label": "a", "image": "🐕"}, {"label": "A", "image": "🐈"}], "answer": 0},
        "choices.1.label",
    ),
    (
        "picture",
        {"question": "q", "choices": [{"label": "a", "image": "🐕"}, {"label": "b", "image": 0}], "answer": 0},
        "choices.1.image",
    ),
    (
        "picture",
        {"question": "q", "choices": [{"label": "a", "image": "🐕"}, {"label": "b", "image": "🐈"}], "answer": 2},
        "answer",
    ),
    (
        "picture",
        {
            "question": "q",
            "choices": [{"label": "a", "image": "🐕"}, {"label": "b", "image": "🐈"}],
            "answer": 0,
            "hide_labels": "yes",
        },
        "hide_labels",
    ),
    ("speak", {"solutions": ["a"]}, "text"),
    ("speak", {"text": ""}, "text"),
    ("speak", {"text": "a", "solutions": ["a", "A"]}, "solutions.1"),
    ("fill_blank", {"text": "Yo soy estudiante.", "solutions": ["soy"]}, "text"),
    ("fill_blank", {"text": "___ ___ estudiante.", "solutions": ["soy"]}, "text"),
    ("fill_blank", {"text": "Yo ____ estudiante.", "solutions": ["soy"]}, "text"),
    ("fill_blank", {"text": "Yo ___ estudiante.", "solutions": []}, "solutions"),
    ("fill_blank", {"text": "Yo ___ estudiante.", "solutions": ["s[o/u"]}, "solutions.0"),
    ("fill_blank", {"text": "Yo ___ estudiante.", "solutions": ["soy"], "choices": ["soy"]}, "choices"),
    ("fill_blank", {"text": "Yo ___ estudiante.", "solutions": ["soy"], "choices": ["estoy", "es"]}, "choices"),
    ("fill_blank", {"text": "Yo ___ estudiante.", "solutions": ["soy"], "choices": ["soy", "Soy"]}, "choices.1"),
]


def test_registry_has_every_type_with_template_and_example():
    assert set(ALL_TYPES) <= set(REGISTRY)
    assert [name for name, _ in type_choices()] == sorted(REGISTRY)
    for name, kind in REGISTRY.items():
        assert kind.name == name
        assert kind.template == f"exercises/{name}.html"
        assert kind.schema and kind.label
        assert kind.validate_payload(kind.example) == kind.example


def test_get_type_names_the_known_types():
    with pytest.raises(KeyError, match="known types: fill_blank"):
        get_type("dictation")


@pytest.mark.parametrize(("type_name", "payload"), [(t, p) for t in ALL_TYPES for p in GOOD[t]])
def test_good_payloads_are_accepted_unchanged(type_name, payload):
    cleaned = REGISTRY[type_name].validate_payload(payload)
    assert cleaned == payload
    assert cleaned is not payload  # a copy: the caller's data is never mutated


@pytest.mark.parametrize(("type_name", "payload", "key"), BAD, ids=[f"{t}-{k}-{i}" for i, (t, _, k) in enumerate(BAD)])
def test_bad_payloads_are_refused_naming_the_key(type_name, payload, key):
    with pytest.raises(ValidationError) as excinfo:
        REGISTRY[type_name].validate_payload(payload)
    assert key in excinfo.value.message_dict, excinfo.value.message_dict
    assert all(excinfo.value.message_dict[key])


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as excinfo:
        REGISTRY["multiple_choice"].validate_payload({"question": "", "choices": ["a", "a"], "answer": 9, "x": 1})
    assert set(excinfo.value.message_dict) == {"question", "choices.1", "answer", "x"}


def _solution_strings(type_name: str, payload: dict) -> list[str]:
    """Every sentence that would give the answer away if it appeared in the public payload."""
    if type_name in {"translate", "word_bank", "fill_blank"}:
        solutions = payload["solutions"]
    elif type_name == "listen":
        solutions = [payload["text"], *payload.get("solutions", [])]
    elif type_name == "speak":  # the phrase to say is shown by design; other accepted transcripts are not
        solutions = [s for s in payload.get("solutions", []) if s != payload["text"]]
    else:
        solutions = []
    return [sentence.strip() for s in solutions for sentence in expand_alternates(s) if sentence.strip()]


@pytest.mark.parametrize(("type_name", "payload"), [(t, p) for t in ALL_TYPES for p in GOOD[t]])
def test_public_payload_never_holds_the_solution(type_name, payload):
    public = REGISTRY[type_name].public_payload(payload)
    visible = dict(public)
    if type_name == "fill_blank" and "choices" in payload:
        # The right choice is among the choices by design; they are shown in the author's order and
        # nothing marks the right one.
        assert visible.pop("choices") == payload["choices"]
    dumped = json.dumps(visible, ensure_ascii=False)
    for sentence in _solution_strings(type_name, payload):
        assert json.dumps(sentence, ensure_ascii=False) not in dumped
    assert not {"answer", "solutions", "pairs"} & set(public)


def test_listen_exposes_no_text():
    assert REGISTRY["listen"].public_payload({"text": "Buenos días"}) == {}


def test_multiple_choice_and_picture_expose_no_index():
    mc = REGISTRY["multiple_choice"].public_payload(GOOD["multiple_choice"][1])
    assert set(mc) == {"question", "choices"}
    pic = REGISTRY["picture"].public_payload(GOOD["picture"][1])
    assert set(pic) == {"question", "choices", "hide_labels"}
    assert pic["choices"] == [{"emoji": "🐕"}, {"asset": 7}]  # labels hidden


def test_match_pairs_public_rights_are_sorted_not_paired():
    payload = {"pairs": [["uno", "one"], ["dos", "two"], ["tres", "three"], ["cuatro", "Four"]]}
    public = REGISTRY["match_pairs"].public_payload(payload)
    assert public["left"] == ["uno", "dos", "tres", "cuatro"]
    assert public["right"] == ["Four", "one", "three", "two"]


def test_fill_blank_public_splits_around_the_blank():
    public = REGISTRY["fill_blank"].public_payload(GOOD["fill_blank"][1])
    assert public == {
        "text": "Yo ___ estudiante.",
        "before": "Yo ",
        "after": " estudiante.",
        "choices": ["soy", "estoy", "es"],
    }


# --- parse_answer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "data", "parsed"),
    [
        ("translate", " Hello ", "Hello"),
        ("translate", ["Hello"], "Hello"),
        ("multiple_choice", "2", 2),
        ("multiple_choice", ["1"], 1),
        ("multiple_choice", 0, 0),
        ("picture", "1", 1),
        ("word_bank", ["1", "3", "0"], [1, 3, 0]),
        ("word_bank", [1, 3, 0], [1, 3, 0]),
        ("word_bank", "3", [3]),
        ("word_bank", "Yo como pan", "Yo como pan"),
        ("word_bank", ["Yo como pan"], "Yo como pan"),
        ("match_pairs", ["0-2", "1-0", "2-1"], [(0, 2), (1, 0), (2, 1)]),
        ("match_pairs", [[0, 2], [1, 0]], [(0, 2), (1, 0)]),
        ("match_pairs", [["uno", "one"]], [("uno", "one")]),
        ("speak", "self:yes", {"self_assessed": True}),
        ("speak", ["self:no"], {"self_assessed": False}),
        ("speak", "me llamo ana", {"transcript": "me llamo ana"}),
        ("speak", {"transcript": "hola"}, {"transcript": "hola"}),
        ("speak", {"self_assessed": False}, {"self_assessed": False}),
        ("fill_blank", "soy", "soy"),
        ("listen", ["Buenos días"], "Buenos días"),
    ],
)
def test_parse_answer_accepts_form_and_json_values(type_name, data, parsed):
    assert REGISTRY[type_name].parse_answer(data) == parsed


@pytest.mark.parametrize(
    ("type_name", "data"),
    [
        ("translate", ""),
        ("translate", "   "),
        ("translate", []),
        ("translate", ["a", "b"]),
        ("translate", 5),
        ("translate", None),
        ("translate", "x" * 501),
        ("multiple_choice", "a"),
        ("multiple_choice", "-1"),
        ("multiple_choice", True),
        ("multiple_choice", ["1", "2"]),
        ("multiple_choice", None),
        ("multiple_choice", 1.5),
        ("picture", ""),
        ("word_bank", []),
        ("word_bank", ["1", "x"]),
        ("word_bank", [True, False]),
        ("word_bank", {"tiles": [1]}),
        ("word_bank", [1] * 21),
        ("match_pairs", []),
        ("match_pairs", ["0:1"]),
        ("match_pairs", ["a-b"]),
        ("match_pairs", [""]),
        ("match_pairs", [[0, "one"]]),
        ("match_pairs", [[0, 1, 2]]),
        ("match_pairs", [["a", "b"]] * 7),
        ("match_pairs", {"0": 1}),
        ("speak", {"transcript": ""}),
        ("speak", {"self_assessed": "yes"}),
        ("speak", {"transcript": "a", "self_assessed": True}),
        ("speak", ""),
        ("fill_blank", ["soy", "es"]),
    ],
)
def test_parse_answer_refuses_malformed_input(type_name, data):
    with pytest.raises(ValidationError):
        REGISTRY[type_name].parse_answer(data)


# --- check -----------------------------------------------------------------------------------


def check(type_name, payload, data, language="es"):
    kind = REGISTRY[type_name]
    verdict = kind.check(payload, kind.parse_answer(data), language=language)
    assert isinstance(verdict, Verdict)
    return verdict


def test_multiple_choice_and_picture_check_the_index():
    mc = GOOD["multiple_choice"][0]
    assert check("multiple_choice", mc, "0").correct
    assert check("multiple_choice", mc, "0").best_match == "gracias"
    assert not check("multiple_choice", mc, "1").correct
    assert not check("multiple_choice", mc, "9").correct  # out of range: wrong, not a crash
    pic = GOOD["picture"][0]
    assert check("picture", pic, 1).correct
    assert not check("picture", pic, 0).correct


def test_match_pairs_check_by_index_and_by_text():
    payload = {"pairs": [["uno", "one"], ["dos", "two"], ["tres", "three"]]}
    # public right: ["one", "three", "two"]
    assert check("match_pairs", payload, ["0-0", "1-2", "2-1"]).correct
    assert check("match_pairs", payload, [["tres", "three"], ["uno", "one"], ["dos", "two"]]).correct
    wrong = check("match_pairs", payload, ["0-0", "1-1", "2-2"])
    assert not wrong.correct
    assert wrong.note == "Wrong pairs: dos = three; tres = two."  # the pairs the learner got wrong, named
    incomplete = check("match_pairs", payload, ["0-0", "1-2"])
    assert not incomplete.correct
    assert incomplete.note == "1 item not matched."
    assert not check("match_pairs", payload, ["0-0", "0-0", "1-2"]).correct  # one item matched twice
    assert not check("match_pairs", payload, ["0-9", "1-2", "2-1"]).correct  # no such item


def test_answer_display_names_the_learners_choice_not_its_index():
    mc = GOOD["multiple_choice"][0]
    assert get_type("multiple_choice").answer_display(mc, 1) == mc["choices"][1]
    assert get_type("multiple_choice").answer_display(mc, 9) == ""
    pic = GOOD["picture"][0]
    assert get_type("picture").answer_display(pic, 0) == pic["choices"][0]["label"]
    wb = {"text": "I eat bread", "tiles": ["pan", "Yo", "agua", "como"], "solutions": ["Yo como pan"]}
    assert get_type("word_bank").answer_display(wb, [1, 3, 2]) == "Yo como agua"
    pairs = {"pairs": [["uno", "one"], ["dos", "two"], ["tres", "three"]]}
    assert get_type("match_pairs").answer_display(pairs, [(0, 0), (1, 1)]) == "uno = one; dos = three"
    assert get_type("speak").answer_display({"text": "Hola"}, {"transcript": "ola"}) == "ola"
    assert get_type("speak").answer_display({"text": "Hola"}, {"self_assessed": False}) == ""
    assert get_type("translate").answer_display({}, "hello") == "hello"


def test_speak_self_assessment():
    payload = {"text": "Me llamo Ana"}
    assert check("speak", payload, "self:yes").correct
    assert not check("speak", payload, "self:yes").excused
    verdict = check("speak", payload, "self:no")  # "I could not say it": not right, but no mistake
    assert not verdict.correct and verdict.excused
    assert verdict.note == "No problem: this one comes back later in the lesson."
    assert not check("speak", payload, "Me llamo Eva").excused  # a wrong transcript is a mistake


def test_word_bank_tiles_are_joined_and_checked_as_text():
    payload = GOOD["word_bank"][0]  # tiles pan, Yo, como, agua; solution "[Yo/] como pan"
    assert check("word_bank", payload, ["1", "2", "0"]).correct
    assert check("word_bank", payload, ["2", "0"]).correct
    assert not check("word_bank", payload, ["2", "3"]).correct
    assert not check("word_bank", payload, ["1", "1", "2", "0"]).correct  # a tile used twice
    assert not check("word_bank", payload, ["9"]).correct
    assert check("word_bank", payload, "yo como pan").correct  # the no-JS typed fallback


@pytest.mark.parametrize(
    ("type_name", "payload", "answer"),
    [
        ("translate", GOOD["translate"][0], "Hi"),
        ("listen", GOOD["listen"][0], "Buenos días"),
        ("listen", GOOD["listen"][1], "Buen día"),
        ("speak", GOOD["speak"][0], "Me llamo Ana"),
        ("fill_blank", GOOD["fill_blank"][1], "soy"),
    ],
)
def test_typed_answers_go_through_check_answer_text(type_name, payload, answer):
    assert check(type_name, payload, answer).correct
    assert not check(type_name, payload, "zzz qqq").correct


def test_typed_check_passes_solutions_and_language(monkeypatch):
    calls = []

    def fake(text, solutions, language, *, strict_contractions, lexicon):
        assert lexicon is NO_LEXICON
        calls.append((text, solutions, language, list(strict_contractions)))
        return Verdict(correct=True)

    monkeypatch.setattr("courses.answers.check_answer_text", fake)
    check("translate", GOOD["translate"][0], "hi", language="en")
    check("listen", GOOD["listen"][0], "buenos", language="es")
    check("word_bank", GOOD["word_bank"][0], ["1", "2"], language="es")
    check("translate", GOOD["translate"][3], "I do not know", language="en")
    assert calls == [
        ("hi", ["[Hello/Hi]"], "en", []),
        ("buenos", ["Buenos días"], "es", []),
        ("Yo como", ["[Yo/] como pan"], "es", []),
        ("I do not know", ["I don't know"], "en", ["don't"]),
    ]


def test_strict_contractions_and_the_lexicon_reach_the_checker():
    translate = REGISTRY["translate"]
    payload = {"text": "No sé", "solutions": ["I don't know"], "direction": "to_source"}
    assert translate.check(payload, "I do not know", language="en").correct
    strict = {**payload, "strict_contractions": ["don't"]}
    assert not translate.check(strict, "I do not know", language="en").correct
    listen = REGISTRY["listen"]
    lexicon = Lexicon({"pero": "but"})
    verdict = listen.check({"text": "Tengo un perro"}, "tengo un pero", language="es", lexicon=lexicon)
    assert verdict == Verdict(
        correct=False, note='"pero" means "but"; did you mean "perro"?', best_match="Tengo un perro"
    )


@pytest.mark.parametrize(
    ("type_name", "payload", "shown"),
    [
        ("translate", GOOD["translate"][0], "Hello"),
        ("multiple_choice", GOOD["multiple_choice"][0], "gracias"),
        ("listen", GOOD["listen"][1], "Buenos días"),
        ("word_bank", GOOD["word_bank"][0], "Yo como pan"),
        ("match_pairs", GOOD["match_pairs"][0], "uno = one; dos = two; tres = three"),
        ("picture", GOOD["picture"][0], "🐈 cat"),
        ("speak", GOOD["speak"][0], "Me llamo Ana"),
        ("fill_blank", GOOD["fill_blank"][0], "Yo soy estudiante."),
    ],
)
def test_solution_display(type_name, payload, shown):
    assert REGISTRY[type_name].solution_display(payload) == shown


def test_audio_text_and_answer_language():
    assert REGISTRY["listen"].audio_text({"text": "Hola"}) == "Hola"
    assert REGISTRY["speak"].audio_text({"text": "Hola"}) == "Hola"
    assert REGISTRY["translate"].audio_text({"text": "Hola", "solutions": ["Hi"], "direction": "to_source"}) == "Hola"
    assert REGISTRY["translate"].audio_text({"text": "Hi", "solutions": ["Hola"]}) is None
    assert REGISTRY["multiple_choice"].audio_text(GOOD["multiple_choice"][0]) is None
    assert REGISTRY["fill_blank"].audio_text(GOOD["fill_blank"][0]) is None  # would speak the answer
    assert (
        REGISTRY["translate"].answer_language({"text": "Hola", "solutions": ["Hi"], "direction": "to_source"})
        == "source"
    )
    assert REGISTRY["translate"].answer_language({"text": "Hi", "solutions": ["Hola"]}) == "target"
    assert REGISTRY["multiple_choice"].answer_language(GOOD["multiple_choice"][0]) is None
