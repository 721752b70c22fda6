"""Typed-answer checking (DESIGN §4, docs/answers.md). Pure functions: no database needed."""

# ruff: noqa: RUF001  (curly apostrophes and dashes are what these tests are about)

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from courses.answers import MAX_EXPANSIONS, Verdict, check_answer_text, expand_alternates

OK = "ok"  # correct, no note
WRONG = "wrong"

# (language, solutions, learner's text, expected: OK | WRONG | the exact note of a forgiven slip)
CASES = [
    # --- Spanish: punctuation, case, whitespace
    ("es", ["¿Cómo estás?"], "¿Cómo estás?", OK),
    ("es", ["¿Cómo estás?"], "cómo estás", OK),
    ("es", ["¿Cómo estás?"], "  CÓMO   ESTÁS  ", OK),
    ("es", ["¡Hola, amigo!"], "hola amigo", OK),
    ("es", ["¡Hola, amigo!"], "Hola; amigo...", OK),
    ("es", ["Sí, claro: es aquí."], "si claro es aqui", 'Watch out for the accents: "Sí", "aquí"'),
    ("es", ["Buenos días."], "Buenos\tdías\n", OK),
    ("es", ["Buenos días."], "Buenos\u00a0días", OK),  # no-break space
    ("es", ["Buenos días."], "Buenosdías", WRONG),  # a missing space joins two words
    # --- Spanish: accents and ñ
    ("es", ["Está bien."], "esta bien", 'Watch out for the accent: "Está"'),
    ("es", ["Feliz año nuevo"], "feliz ano nuevo", 'Watch out for the ñ: "año"'),
    ("es", ["El niño come"], "el nino come", 'Watch out for the ñ: "niño"'),
    ("es", ["Está en el año"], "esta en el ano", 'Watch out for the accents: "Está", "año"'),
    ("es", ["el pingüino"], "el pinguino", 'Watch out for the accent: "pingüino"'),
    ("es", ["Está bien."], "Está bien.", OK),
    # --- Spanish: typos
    ("es", ["Muchas gracias"], "muchas garcias", 'You have a typo: "gracias"'),  # transposition
    ("es", ["Muchas gracias"], "muchas gracas", 'You have a typo: "gracias"'),  # deletion
    ("es", ["Muchas gracias"], "muchas graciass", 'You have a typo: "gracias"'),  # insertion
    ("es", ["Muchas gracias"], "muchas gracios", 'You have a typo: "gracias"'),  # substitution
    ("es", ["Muchas gracias"], "mucas gracias", 'You have a typo: "Muchas"'),  # first word, 6 letters
    ("es", ["Muchas gracias"], "muchas grcios", WRONG),  # two typos in one word
    ("es", ["Muchas gracias"], "mucas gracas", WRONG),  # typos in two words
    ("es", ["La casa es grande"], "la cosa es grande", WRONG),  # 4-letter word: no typo forgiveness
    ("es", ["Tengo un perro"], "tengo un pero", 'You have a typo: "perro"'),  # "pero" is not a solution word
    ("es", ["Muchas gracias"], "gracias", WRONG),  # missing word
    ("es", ["Muchas gracias"], "muchas gracias amigo", WRONG),  # extra word
    ("es", ["Tengo un perro", "Tengo dos perros"], "tengo un perros", WRONG),  # a solution's word, not a slip
    ("es", ["Tengo un perro"], "tengo un perrro", 'You have a typo: "perro"'),
    ("es", ["Está bien, gracias"], "esta bien, garcias", WRONG),  # accent + typo: two slips
    ("es", ["Mañana"], "Manaña", 'Watch out for the ñ: "Mañana"'),  # ñ in the wrong place: still accents only
    ("es", ["corazón"], "corazn", 'You have a typo: "corazón"'),
    # --- Spanish: alternates
    ("es", ["[Yo /]soy Ana"], "soy Ana", OK),
    ("es", ["[Yo /]soy Ana"], "Yo soy Ana", OK),
    ("es", ["[Yo /]soy Ana"], "Yo yo soy Ana", WRONG),
    ("es", ["[Yo /]soy [de/desde] [aquí/allí]"], "soy desde allí", OK),
    ("es", ["[Yo /]soy [de/desde] [aquí/allí]"], "yo soy de alli", 'Watch out for the accent: "allí"'),
    # --- French: elisions and apostrophes
    ("fr", ["L'homme mange."], "l'homme mange", OK),
    ("fr", ["L'homme mange."], "l’homme mange", OK),  # curly apostrophe
    ("fr", ["L’homme mange."], "l'homme mange", OK),  # curly in the solution
    ("fr", ["L'homme mange."], "l' homme mange", OK),  # a space after the elision
    ("fr", ["L'homme mange."], "l’ homme mange", OK),
    ("fr", ["L'homme mange."], "lhomme mange", 'You have a typo: "L\'homme"'),  # a missing apostrophe is one edit
    ("fr", ["L'homme mange."], "le homme mange", WRONG),
    ("fr", ["J'ai faim."], "j'ai faim", OK),
    ("fr", ["J'ai faim."], "jai faim", WRONG),  # "j'ai" has 3 letters: no typo forgiveness
    ("fr", ["C'est très bien !"], "c’est tres bien", 'Watch out for the accent: "très"'),
    ("fr", ["Aujourd'hui, il pleut."], "aujourdhui il pleut", 'You have a typo: "Aujourd\'hui"'),
    ("fr", ["Aujourd’hui, il pleut."], "aujourdhui il pleut", 'You have a typo: "Aujourd’hui"'),  # as written
    ("fr", ["L\u02bchomme mange."], "l'homme mange", OK),  # modifier letter apostrophe
    ("fr", ["Il dit ‘bonjour’."], "il dit bonjour", OK),
    ("fr", ["Il a dit « bonjour »."], "il a dit 'bonjour'", OK),  # single quotes as quotation marks
    ("fr", ["Il a dit « bonjour »."], "Il a dit “bonjour”", OK),
    ("fr", ["Qu'est-ce que c'est ?"], "qu'est ce que c'est", OK),
    ("fr", ["Il a dit « bonjour mon ami » et"], "Il a dit 'bonjour mon ami' et", OK),  # a quote, not elisions
    ("fr", ["Je m'appelle Léa."], "je m appelle lea", WRONG),  # the apostrophe is part of the word
    ("fr", ["Je m'appelle Léa."], "Je m’appelle Lea.", 'Watch out for the accent: "Léa"'),
    # --- French: ç, hyphens, ligatures
    ("fr", ["Le garçon"], "le garcon", 'Watch out for the cedilla: "garçon"'),
    ("fr", ["Ça va ?"], "ca va", 'Watch out for the cedilla: "Ça"'),
    ("fr", ["Ça va ?"], "ÇA VA", OK),
    ("fr", ["peut-être"], "peut être", OK),  # a hyphen counts as a space
    ("fr", ["peut-être"], "peut–être", OK),  # en dash
    ("fr", ["peut-être"], "peutêtre", WRONG),
    ("fr", ["J'ai mal au cœur."], "j'ai mal au coeur", OK),  # œ = oe
    ("fr", ["Il est à la maison."], "il est a la maison", 'Watch out for the accent: "à"'),
    ("fr", ["Il est à la maison."], "il est à la maisons", 'You have a typo: "maison"'),
    ("fr", ["Il est à la maison."], "il est à le maison", WRONG),
    # --- German: ß/ss, umlauts, case
    ("de", ["Die Straße ist lang."], "die strasse ist lang", OK),  # ß = ss, no note
    ("de", ["Die Strasse ist lang."], "Die Straße ist lang", OK),
    ("de", ["Die Straße ist lang."], "DIE STRASSE IST LANG", OK),
    ("de", ["Ich heiße Anna."], "ich heisse anna", OK),
    ("de", ["Das Mädchen ist müde."], "das madchen ist mude", 'Watch out for the umlaut: "Mädchen", "müde"'),
    ("de", ["Das Mädchen ist müde."], "das Maedchen ist muede", 'Watch out for the umlaut: "Mädchen", "müde"'),
    ("de", ["Das Mädchen ist müde."], "das mädchen ist müde", OK),  # lower-case noun
    ("de", ["Ich bin müde."], "ich bin mude", 'Watch out for the umlaut: "müde"'),
    ("de", ["Guten Morgen!"], "Guten Mrogen", 'You have a typo: "Morgen"'),
    ("de", ["Guten Morgen!"], "Gute Morgen", 'You have a typo: "Guten"'),  # 5 letters: forgiven
    ("de", ["Guten Morgen!"], "Gute Morgn", WRONG),  # typos in two words
    ("de", ["Ich habe Hunger."], "ich hab hunger", WRONG),  # "habe" has 4 letters
    ("de", ["Ich habe Hunger."], "ich habe Hungre", 'You have a typo: "Hunger"'),
    ("de", ["Ich habe Hunger."], "ich habe Hunger Hunger", WRONG),
    ("de", ["Wie geht's?"], "wie geht’s", OK),
    ("de", ["Wie geht's?"], "wie gehts", 'You have a typo: "geht\'s"'),
    ("de", ["Das ist [sehr /]gut."], "das ist gut", OK),
    ("de", ["Das ist groß."], "das ist gross", OK),
    ("de", ["Das ist groß."], "das ist gros", WRONG),  # "groß" has 4 letters
    ("de", ["Schreib mir eine Email."], "Schreib mir eine E-Mail.", WRONG),  # the hyphen splits the word
    ("de", ["Schreib mir eine [Email/E-Mail]."], "schreib mir eine e mail", OK),
    ("de", ["Das Buch"], "das bu\u00adch", OK),  # a soft hyphen is invisible
    ("de", ["Er sagt „Hallo“."], "er sagt hallo", OK),
    ("de", ["Er sagt „Hallo“."], "Er sagt: »Hallo!«", OK),
    # --- English alternates with apostrophes
    ("en", ["I [am/'m] here."], "I'm here", OK),
    ("en", ["I [am/'m] here."], "I’m here", OK),
    ("en", ["I [am/'m] here."], "I am here", OK),
    ("en", ["I [am/'m] here."], "I here", WRONG),
    ("en", ["[the /]cat"], "cat", OK),
    ("en", ["[the/] cat"], "The cat.", OK),
    ("en", ["I'm here"], "I 'm here", WRONG),  # a space before the apostrophe makes it a quotation mark
    ("en", ["the dogs' bone"], "the dogs bone", OK),  # a word-final apostrophe outside elision languages
    ("en-GB", ["I [do not/don't] know"], "I dont know", WRONG),  # "don't" has 4 letters
]


def _expected(verdict: Verdict):
    if not verdict.correct:
        return WRONG
    return verdict.note or OK


@pytest.mark.parametrize(("language", "solutions", "text", "expected"), CASES)
def test_check_answer_text(language, solutions, text, expected):
    verdict = check_answer_text(text, solutions, language)
    assert _expected(verdict) == expected, verdict
    if verdict.correct:
        assert verdict.best_match in [s for solution in solutions for s in expand_alternates(solution)]


def test_there_are_enough_cases():
    assert len(CASES) >= 60
    assert {language for language, *_ in CASES} >= {"es", "fr", "de"}


# --- best_match


def test_best_match_is_the_solution_that_matched_in_its_display_form():
    verdict = check_answer_text("yo soy ana", ["[Yo /]soy Ana.", "Me llamo Ana."], "es")
    assert verdict == Verdict(correct=True, note=None, best_match="Yo soy Ana.")


def test_best_match_on_a_wrong_answer_is_the_closest_solution():
    solutions = ["Me llamo Ana.", "[Yo /]soy Ana."]
    verdict = check_answer_text("Yo soi Ana", solutions, "es")
    assert verdict == Verdict(correct=False, note=None, best_match="Yo soy Ana.")
    assert check_answer_text("me llamas Ana", solutions, "es").best_match == "Me llamo Ana."


def test_best_match_on_an_empty_answer_is_still_a_solution():
    verdict = check_answer_text("   ¿?  ", ["¡Hola!"], "es")
    assert verdict == Verdict(correct=False, note=None, best_match="¡Hola!")


def test_an_exact_match_wins_over_an_accent_match_with_an_earlier_solution():
    # "él" (he) and "el" (the): the exact one is reported, without a note
    verdict = check_answer_text("el come", ["Él come", "El come"], "es")
    assert verdict == Verdict(correct=True, note=None, best_match="El come")


def test_an_accent_match_wins_over_a_typo_match():
    verdict = check_answer_text("mas tarde", ["Más tarde", "Mas tardes"], "es")
    assert verdict == Verdict(correct=True, note='Watch out for the accent: "Más"', best_match="Más tarde")


def test_language_codes_with_a_region_are_understood():
    assert check_answer_text("l' homme", ["l'homme"], "fr-CA").correct
    assert check_answer_text("l' homme", ["l'homme"], "FR_fr").correct


def test_an_absurdly_long_answer_is_wrong_without_being_examined():
    assert check_answer_text("hola " * 10_000, ["Hola"], "es") == Verdict(correct=False, note=None, best_match="Hola")
    # a long but plausible answer is still judged
    long_solution = " ".join(["palabra"] * 200)
    assert check_answer_text(long_solution.upper(), [long_solution], "es").correct


def test_no_solutions_is_a_programming_error():
    with pytest.raises(ValueError, match="at least one solution"):
        check_answer_text("hola", [], "es")


# --- expand_alternates


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        ("Hola", ["Hola"]),
        ("I [am/'m] here", ["I am here", "I'm here"]),
        ("I [am/’m] here", ["I am here", "I’m here"]),
        ("[the /]cat", ["the cat", "cat"]),
        ("[the/] cat", ["the cat", "cat"]),
        ("[Yo /]soy", ["Yo soy", "soy"]),
        ("[Hello/Hi]", ["Hello", "Hi"]),
        ("Hola [Ana/].", ["Hola Ana.", "Hola."]),
        ("Bonjour [Paul/] !", ["Bonjour Paul !", "Bonjour !"]),  # French space before "!" is kept
        ("[le /l']homme", ["le homme", "l'homme"]),
        ("[le/l'] homme", ["le homme", "l'homme"]),  # an elided alternative binds to the next word
        ("[Je/J’] [aime/adore] Paris", ["Je aime Paris", "Je adore Paris", "J’aime Paris", "J’adore Paris"]),
        ("[Que/Qu'] il vienne", ["Que il vienne", "Qu'il vienne"]),
        ("the [dog's/dogs'] bone", ["the dog's bone", "the dogs' bone"]),  # a plural possessive does not bind
        ("I [ am / 'm ] here", ["I am here", "I'm here"]),  # spaces inside the group do not matter
        ("[a/b] [c/d]", ["a c", "a d", "b c", "b d"]),
        ("[a/a] b", ["a b"]),  # duplicates removed
        ("and/or [x/y]", ["and/or x", "and/or y"]),  # a slash outside brackets is plain text
        ("  spaced   out  ", ["spaced out"]),
    ],
)
def test_expand_alternates(solution, expected):
    assert expand_alternates(solution) == expected


@pytest.mark.parametrize(
    ("solution", "message"),
    [
        ("I [am/[is/are]] here", "nested"),
        ("I [am/'m here", "never closed"),
        ("I am/'m] here", "without"),
        ("I ]am/'m[ here", "without"),
        ("the [cat] sat", "at least two alternatives"),
        ("the [] sat", "at least two alternatives"),
        ("the [/] sat", "non-empty"),
        ("[a/b]" * 9, "at most 256"),
    ],
)
def test_expand_alternates_rejects(solution, message):
    with pytest.raises(ValueError, match=message):
        expand_alternates(solution)


def test_expansion_cap_is_inclusive():
    assert len(expand_alternates("[a/b]" * 8)) == MAX_EXPANSIONS


def test_check_answer_text_rejects_malformed_solutions():
    with pytest.raises(ValueError, match="nested"):
        check_answer_text("x", ["[a/[b/c]]"], "en")


# --- properties

_letters = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzáéíóúñüçàèêëïôœßäö"))
_word = st.text(_letters, min_size=1, max_size=8)
_alternative = st.one_of(st.just(""), _word, _word.map(lambda w: "'" + w), _word.map(lambda w: w[:2] + "’"))
_group = st.lists(_alternative, min_size=2, max_size=3).filter(lambda a: any(a)).map(lambda a: "[" + "/".join(a) + "]")
_solution = st.lists(st.one_of(_word, _word, _group), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(solution=_solution, language=st.sampled_from(["es", "fr", "de", "en"]))
def test_every_expansion_is_accepted_without_a_note(solution, language):
    for sentence in expand_alternates(solution):
        verdict = check_answer_text(sentence, [solution], language)
        assert verdict == Verdict(correct=True, note=None, best_match=verdict.best_match)
        assert verdict.best_match in expand_alternates(solution)
        noisy = "¡" + sentence.replace("'", "’").upper().replace(" ", " , ") + "!"
        assert check_answer_text(noisy, [solution], language) == verdict


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(_word, min_size=1, max_size=6),
    language=st.sampled_from(["es", "fr", "de"]),
    punctuation=st.lists(st.sampled_from(list(',.;:!?¿¡«»—–…"“”')), min_size=1, max_size=6),
    upper=st.booleans(),
)
def test_case_space_and_punctuation_noise_keeps_an_answer_correct(words, language, punctuation, upper):
    solution = " ".join(words)
    noisy = "  " + f" {punctuation[0]}  ".join(words) + "".join(punctuation) + "\t"
    if upper:
        noisy = noisy.upper()
    assert check_answer_text(noisy, [solution], language) == Verdict(correct=True, note=None, best_match=solution)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(_word, min_size=1, max_size=6), language=st.sampled_from(["es", "fr", "de"]))
def test_an_answer_without_any_accent_is_accepted_with_a_note_naming_the_words(words, language):
    solution = " ".join(words)
    bare = unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", solution) if not unicodedata.combining(c))
    )
    verdict = check_answer_text(bare, [solution], language)
    assert verdict.correct
    assert verdict.best_match == solution
    missed = [w for w, b in zip(words, bare.split(), strict=True) if w.casefold() != b.casefold()]
    if missed:
        assert verdict.note.startswith("Watch out for the ")
        assert all(f'"{w}"' in verdict.note for w in missed)
    else:
        assert verdict.note is None


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1, max_size=9), min_size=1, max_size=5
    ),
    data=st.data(),
)
def test_one_swap_in_a_long_word_is_a_forgiven_typo_and_two_are_not(words, data):
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and len(set(w)) > 1]
    assume(long_words)
    i = data.draw(st.sampled_from(long_words))
    word = words[i]
    p = data.draw(st.sampled_from([p for p in range(len(word) - 1) if word[p] != word[p + 1]]))
    typo = word[:p] + word[p + 1] + word[p] + word[p + 2 :]
    answer = [*words[:i], typo, *words[i + 1 :]]
    verdict = check_answer_text(" ".join(answer), [" ".join(words)], "es")
    if typo in words:  # the solution itself uses that word elsewhere: a mistake, not a slip
        assert not verdict.correct
    else:
        assert verdict == Verdict(correct=True, note=f'You have a typo: "{word}"', best_match=" ".join(words))
    # a second typo in another word makes it wrong
    others = [j for j in range(len(answer)) if j != i]
    if others:
        j = data.draw(st.sampled_from(others))
        second = [*answer[:j], answer[j] + "q", *answer[j + 1 :]]
        assert not check_answer_text(" ".join(second), [" ".join(words)], "es").correct
