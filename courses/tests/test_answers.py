"""Typed-answer checking (docs/answers.md). Pure functions: no database needed."""

# ruff: noqa: RUF001  (curly apostrophes and dashes are what these tests are about)

import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from courses import answer_languages
from courses.answer_languages import known_words
from courses.answers import MAX_EXPANSIONS, Lexicon, Verdict, check_answer_text, expand_alternates

OK = "ok"  # correct, no note
WRONG = "wrong"  # wrong, no note


def wrong(note: str) -> tuple[str, str]:
    """Wrong, with a note (a slip that makes another word)."""
    return (WRONG, note)


# (language, solutions, learner's text, expected: OK | WRONG | wrong(note) | the exact note of a forgiven slip)
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
    ("es", ["Tengo un perro"], "tengo un pero", wrong('"pero" is another word; did you mean "perro"?')),  # "but"
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
    ("fr", ["L'homme mange."], "lhomme mange", 'Watch out for the apostrophe: "L\'homme"'),
    ("fr", ["L'homme mange."], "le homme mange", WRONG),
    ("fr", ["J'ai faim."], "j'ai faim", OK),
    ("fr", ["J'ai faim."], "jai faim", 'Watch out for the apostrophe: "J\'ai"'),  # not a typo: short words too
    ("fr", ["C'est très bien !"], "c’est tres bien", 'Watch out for the accent: "très"'),
    ("fr", ["Aujourd'hui, il pleut."], "aujourdhui il pleut", 'Watch out for the apostrophe: "Aujourd\'hui"'),
    ("fr", ["Aujourd’hui, il pleut."], "aujourdhui il pleut", 'Watch out for the apostrophe: "Aujourd’hui"'),
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
    ("fr", ["Il est à la maison."], "il est à la maisons", wrong('"maisons" is another word; did you mean "maison"?')),
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
    ("de", ["Guten Morgen!"], "Gute Morgen", wrong('"gute" is another word; did you mean "Guten"?')),  # inflection
    ("de", ["Guten Morgen!"], "Gute Morgn", WRONG),  # typos in two words
    # a typed word that is also a contraction (im = in dem) still matches its accented twin
    ("de", ["ím a"], "im a", 'Watch out for the accent: "ím"'),
    ("de", ["Ich habe Hunger."], "ich hab hunger", WRONG),  # "habe" has 4 letters
    ("de", ["Ich habe Hunger."], "ich habe Hungre", 'You have a typo: "Hunger"'),
    ("de", ["Ich habe Hunger."], "ich habe Hunger Hunger", WRONG),
    ("de", ["Wie geht's?"], "wie geht’s", OK),
    ("de", ["Wie geht's?"], "wie gehts", 'Watch out for the apostrophe: "geht\'s"'),
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
    ("en-GB", ["I [do not/don't] know"], "I dont know", 'Watch out for the apostrophe: "don\'t"'),
]

# The language rules (docs/answers.md "Language rules"): one table per rule, every language, with the
# near misses that must stay wrong (an article error, another inflection, a missing word…).
APOSTROPHE = 'Watch out for the apostrophe: "{}"'

NUMBER_CASES = [
    # English: digits for words and words for digits, years, ordinals
    ("en", ["I have two cats."], "I have 2 cats", OK),
    ("en", ["I have 2 cats."], "i have two cats", OK),
    ("en", ["She is twenty-one."], "she is 21", OK),
    ("en", ["She is 21."], "She is twenty one", OK),
    ("en", ["Zero is a number."], "0 is a number", OK),
    ("en", ["one hundred people"], "100 people", OK),
    ("en", ["He was born in 1999."], "he was born in nineteen ninety-nine", OK),
    ("en", ["It happened in 2005."], "it happened in two thousand and five", OK),
    ("en", ["It happened in 2005."], "it happened in two thousand five", OK),
    ("en", ["It is the first of May."], "it is the 1st of May", OK),
    ("en", ["It is the 3rd of May."], "it is the third of may", OK),
    ("en", ["I have two cats."], "I have 3 cats", WRONG),
    ("en", ["I have two cats."], "I have 2", WRONG),  # a missing word
    ("en", ["the first day"], "the 1 day", WRONG),  # a cardinal for an ordinal
    ("en", ["I have two cats."], "I have 22 cats", WRONG),
    # Spanish: gender and short forms, years, ordinals
    ("es", ["Tengo veinte años."], "tengo 20 años", OK),
    ("es", ["Tengo 20 años."], "tengo veinte años", OK),
    ("es", ["Tengo veintiún años."], "tengo 21 años", OK),
    ("es", ["Tengo treinta y un años."], "Tengo 31 años", OK),
    ("es", ["Tengo 31 años."], "tengo treinta y un años", OK),
    ("es", ["Tengo un perro."], "tengo 1 perro", OK),
    ("es", ["Son las dos."], "son las 2", OK),
    ("es", ["Tengo dieciséis años."], "tengo 16 años", OK),
    ("es", ["Nací en 1990."], "naci en mil novecientos noventa", 'Watch out for the accent: "Nací"'),
    ("es", ["Es el primer día."], "es el 1er día", OK),
    ("es", ["Es la primera vez."], "es la 1ª vez", OK),
    ("es", ["Tengo veinte años."], "tengo 20 anos", 'Watch out for the ñ: "años"'),
    ("es", ["Tengo veinte años."], "tengo 21 años", WRONG),
    ("es", ["Tengo un perro."], "tengo una perro", WRONG),  # an article error stays one
    ("es", ["Tengo un perro."], "tengo uno perro", WRONG),
    ("es", ["Tengo veinte años."], "tengo 20", WRONG),
    # French: et un, quatre-vingts, ordinals 1er/1re/2e
    ("fr", ["J'ai vingt ans."], "j'ai 20 ans", OK),
    ("fr", ["J'ai 21 ans."], "j'ai vingt et un ans", OK),
    ("fr", ["Il a quatre-vingt-dix ans."], "il a 90 ans", OK),
    ("fr", ["J'ai 71 ans."], "j'ai soixante-et-onze ans", OK),
    ("fr", ["J'ai 80 ans."], "j'ai quatre vingts ans", OK),
    ("fr", ["Il a une sœur."], "il a 1 soeur", OK),
    ("fr", ["le premier jour"], "le 1er jour", OK),
    ("fr", ["la première fois"], "la 1re fois", OK),
    ("fr", ["le deuxième étage"], "le 2e étage", OK),
    ("fr", ["en deux mille vingt-quatre"], "en 2024", OK),
    ("fr", ["J'ai vingt ans."], "j'ai 21 ans", WRONG),
    ("fr", ["un chat"], "une chat", WRONG),  # an article error
    ("fr", ["J'ai vingt ans."], "j'ai 20", WRONG),
    # German: compounds, "1." as an ordinal, inflected ordinals
    ("de", ["Ich habe zwei Katzen."], "ich habe 2 katzen", OK),
    ("de", ["Er ist einundzwanzig."], "er ist 21", OK),
    ("de", ["Er ist 99."], "Er ist neunundneunzig", OK),
    ("de", ["Heute ist der erste Mai."], "heute ist der 1. Mai", OK),
    ("de", ["Heute ist der 1. Mai."], "Heute ist der erste Mai", OK),
    ("de", ["Am 3. Oktober"], "am dritten Oktober", OK),
    ("de", ["Ich bin 20."], "ich bin zwanzig", OK),  # a full stop after the number ends the sentence
    ("de", ["Es war 1989."], "es war neunzehnhundertneunundachtzig", OK),
    ("de", ["Ich habe zwei Katzen."], "ich habe 3 katzen", WRONG),
    ("de", ["Am ersten Mai"], "am erste Mai", wrong('"erste" is another word; did you mean "ersten"?')),
    ("de", ["Ich habe einen Hund."], "ich habe eine hund", wrong('"eine" is another word; did you mean "einen"?')),
]

CONTRACTION_CASES = [
    # English: am/is/are/have/has/had/will/would and not, both ways, no note
    ("en", ["She is a doctor."], "She's a doctor", OK),
    ("en", ["She's a doctor."], "she is a doctor", OK),
    ("en", ["I do not know."], "I don't know", OK),
    ("en", ["I don't know."], "I do not know", OK),
    ("en", ["I am happy."], "I’m happy", OK),
    ("en", ["They are here."], "they're here", OK),
    ("en", ["We have finished."], "we've finished", OK),
    ("en", ["He has been here."], "he's been here", OK),
    ("en", ["He had gone."], "he'd gone", OK),
    ("en", ["I would like tea."], "I'd like tea", OK),
    ("en", ["I will go."], "I'll go", OK),
    ("en", ["She is not here."], "she isn't here", OK),
    ("en", ["She is not here."], "she's not here", OK),
    ("en", ["She isn't here."], "she's not here", OK),
    ("en", ["He will not come."], "he won't come", OK),
    ("en", ["I cannot swim."], "I can't swim", OK),
    ("en", ["I can't swim."], "I can not swim", OK),
    ("en", ["Let us go."], "let's go", OK),
    ("en", ["She has a dog."], "She's a dog", WRONG),  # 's is "has" only before a participle
    ("en", ["I had a car."], "I'd a car", WRONG),
    ("en", ["I would like tea."], "I'd tea", WRONG),  # a missing word
    ("en", ["She is a doctor."], "He's a doctor", WRONG),
    ("en", ["She is a doctor."], "She's doctor", WRONG),  # a missing article
    ("en", ["I do not know."], "I doesn't know", WRONG),
    # German: preposition + article, a verb's 's
    ("de", ["Ich gehe zu dem Bahnhof."], "ich gehe zum Bahnhof", OK),
    ("de", ["Ich gehe zum Bahnhof."], "ich gehe zu dem bahnhof", OK),
    ("de", ["Wir sind im Haus."], "wir sind in dem Haus", OK),
    ("de", ["Sie geht zur Schule."], "sie geht zu der schule", OK),
    ("de", ["Wie geht es dir?"], "wie geht's dir", OK),
    ("de", ["Wie geht's dir?"], "wie geht es dir", OK),
    ("de", ["Ich gehe zur Schule."], "ich gehe zum Schule", WRONG),  # an article error
    ("de", ["Das ist das Haus, in dem ich wohne."], "das ist das Haus im ich wohne", WRONG),  # relative clause
    # French: au/du and elision are obligatory, so the long form stays a mistake
    ("fr", ["Je vais au marché."], "je vais à le marché", WRONG),
    ("fr", ["Le prix du pain"], "le prix de le pain", WRONG),
    ("fr", ["Je vais au marché."], "je vais au marche", 'Watch out for the accent: "marché"'),
]

APOSTROPHE_CASES = [
    ("en", ["I'm fine."], "im fine", APOSTROPHE.format("I'm")),
    ("en", ["I am fine."], "im fine", APOSTROPHE.format("I'm")),  # a contraction of the long form
    ("en", ["I don't know."], "i dont know", APOSTROPHE.format("don't")),
    ("en", ["It's my dog."], "its my dog", APOSTROPHE.format("It's")),
    ("en", ["Its tail is long."], "its tail is long", OK),
    ("en", ["We'll see."], "well see", APOSTROPHE.format("We'll")),
    ("en", ["I'm fine."], "im fin", WRONG),  # an apostrophe and a typo: two slips
    ("fr", ["C'est un chat."], "cest un chat", APOSTROPHE.format("C'est")),
    ("fr", ["C’est un chat."], "cest un chat", APOSTROPHE.format("C’est")),  # named as the author wrote it
    (
        "fr",
        ["C'est très bien."],
        "cest tres bien",
        'Watch out for the apostrophe: "C\'est". Watch out for the accent: "très"',
    ),
    (
        "fr",
        ["J'aime l'école."],
        "jaime lecole",
        'Watch out for the apostrophe: "J\'aime", "l\'école". Watch out for the accent: "l\'école"',
    ),
    ("fr", ["Qu'il vienne."], "quil vienne", APOSTROPHE.format("Qu'il")),
    ("fr", ["C'est un chat."], "ces un chat", WRONG),
    ("fr", ["C'est un chat."], "cest une chat", WRONG),  # an apostrophe and an article error
    ("fr", ["J'ai faim."], "jais faim", WRONG),
    ("de", ["Wie geht's?"], "Wie gehts", APOSTROPHE.format("geht's")),
    ("de", ["Gibt's hier Kaffee?"], "gibts hier kaffee", APOSTROPHE.format("Gibt's")),
    ("es", ["Está bien."], "esta bien", 'Watch out for the accent: "Está"'),  # no apostrophes in Spanish: unchanged
]

REAL_WORD_TYPO_CASES = [
    ("es", ["Tengo un perro"], "tengo un pero", wrong('"pero" is another word; did you mean "perro"?')),
    ("es", ["Es mi hermano."], "es mi hermana", wrong('"hermana" is another word; did you mean "hermano"?')),
    ("es", ["Tengo un perro"], "tengo un perrro", 'You have a typo: "perro"'),  # not a word: a slip
    ("es", ["Muchas gracias"], "muchas garcias", 'You have a typo: "gracias"'),
    ("en", ["I like your friend."], "I like your fiend", wrong('"fiend" is another word; did you mean "friend"?')),
    ("en", ["It is quite cold."], "it is quiet cold", wrong('"quiet" is another word; did you mean "quite"?')),
    ("en", ["I like your friend."], "I like your freind", 'You have a typo: "friend"'),
    ("fr", ["Il est à la maison."], "il est à la maisons", wrong('"maisons" is another word; did you mean "maison"?')),
    ("fr", ["Elle mange une pomme."], "elle mange une pomne", 'You have a typo: "pomme"'),
    (
        "de",
        ["Das ist meine Schwester."],
        "das ist meine Schwestern",
        wrong('"schwestern" is another word; did you mean "Schwester"?'),
    ),
    ("de", ["Guten Morgen!"], "Guten Mrogen", 'You have a typo: "Morgen"'),
]

SPELLING_CASES = [
    ("en", ["My favourite colour is red."], "my favorite color is red", OK),
    ("en", ["My favorite color is red."], "My favourite colour is red", OK),
    ("en", ["I organized the theater trip."], "I organised the theatre trip", OK),
    ("en", ["The centre is grey."], "the center is gray", OK),
    ("en", ["I travelled to the centre."], "I traveled to the center", OK),
    ("en", ["My favourite colour is red."], "my favorite colors is red", WRONG),  # another inflection
    ("en", ["My favourite colour is red."], "my favorite color red", WRONG),  # a missing word
    ("en", ["I am tired."], "I am tyred", 'You have a typo: "tired"'),  # not a tyre/tire variant
    ("es", ["Mi color favorito"], "mi colour favorito", 'You have a typo: "color"'),  # a variant only in English
]

LANGUAGE_RULE_CASES = NUMBER_CASES + CONTRACTION_CASES + APOSTROPHE_CASES + REAL_WORD_TYPO_CASES + SPELLING_CASES


def _expected(verdict: Verdict):
    if not verdict.correct:
        return wrong(verdict.note) if verdict.note else WRONG
    return verdict.note or OK


@pytest.mark.parametrize(("language", "solutions", "text", "expected"), CASES)
def test_check_answer_text(language, solutions, text, expected):
    verdict = check_answer_text(text, solutions, language)
    assert _expected(verdict) == expected, verdict
    if verdict.correct:
        assert verdict.best_match in [s for solution in solutions for s in expand_alternates(solution)]


@pytest.mark.parametrize(("language", "solutions", "text", "expected"), LANGUAGE_RULE_CASES)
def test_language_rules(language, solutions, text, expected):
    test_check_answer_text(language, solutions, text, expected)


# (language, solutions, strict_contractions, learner's text, expected)
STRICT_CONTRACTION_CASES = [
    ("en", ["I don't know."], ["don't"], "I do not know", WRONG),
    ("en", ["I do not know."], ["don't"], "I don't know", WRONG),
    ("en", ["I do not know."], ["don't"], "I dont know", WRONG),
    ("en", ["I don't know."], ["don't"], "I don’t know", OK),
    ("en", ["I don’t know. She is here."], ["don’t"], "I don't know, she's here", OK),  # other contractions still
    ("en", ["I'm here."], ["I’m"], "I am here", WRONG),
    ("de", ["Ich gehe zu dem Bahnhof."], ["zum"], "ich gehe zum bahnhof", WRONG),
    ("de", ["Ich gehe zu dem Bahnhof."], ["zum"], "Ich gehe zu dem Bahnhof", OK),
]


@pytest.mark.parametrize(("language", "solutions", "strict", "text", "expected"), STRICT_CONTRACTION_CASES)
def test_an_exercise_can_keep_a_contraction_apart_from_its_long_form(language, solutions, strict, text, expected):
    verdict = check_answer_text(text, solutions, language, strict_contractions=strict)
    assert _expected(verdict) == expected, verdict


def test_a_real_word_from_the_lexicon_is_named_with_its_gloss():
    lexicon = Lexicon(Lexicon.from_tokens([("pero", "but"), ("Perro", "dog"), ("el perro", "the dog")], "es"))
    assert Lexicon.from_tokens([("pero", "but"), ("Perro", "dog"), ("el perro", "the dog")], "es") == {
        "pero": "but",
        "perro": "dog",
    }
    verdict = check_answer_text("tengo un pero", ["Tengo un perro"], "es", lexicon=lexicon)
    assert verdict == Verdict(
        correct=False, note='"pero" means "but"; did you mean "perro"?', best_match="Tengo un perro"
    )


def test_the_lexicon_alone_knows_the_words_of_a_language_without_a_word_list():
    assert not known_words("eo")  # no Esperanto list ships with wordfreq
    solutions = ["Mi vidas katon."]
    assert check_answer_text("mi vidas katoj", solutions, "eo") == Verdict(
        correct=True, note='You have a typo: "katon"', best_match="Mi vidas katon."
    )
    lexicon = Lexicon({"katoj": "cats", "katon": ""})
    assert check_answer_text("mi vidas katoj", solutions, "eo", lexicon=lexicon) == Verdict(
        correct=False, note='"katoj" means "cats"; did you mean "katon"?', best_match="Mi vidas katon."
    )


def test_a_lazy_lexicon_is_read_only_for_a_slip():
    loads = []
    lexicon = Lexicon(load=lambda: loads.append(1) or {"katoj": "cats"})
    assert check_answer_text("Mi vidas katon", ["Mi vidas katon."], "eo", lexicon=lexicon).correct
    assert check_answer_text("Mi vidas hundon", ["Mi vidas katon."], "eo", lexicon=lexicon).correct is False
    assert loads == []
    assert check_answer_text("mi vidas katoj", ["Mi vidas katon."], "eo", lexicon=lexicon).note.startswith('"katoj"')
    assert check_answer_text("mi vidas katoj", ["Mi vidas katon."], "eo", lexicon=lexicon).correct is False
    assert loads == [1]  # read once


def test_each_languages_data_is_built_once_even_when_languages_alternate():
    languages = ["en", "es", "fr", "de", "it", "pt", "nl", "eo", "en-GB", "fr-CA"]
    for language in languages:
        check_answer_text("Mucas gracias", ["Muchas gracias"], language)
    tables = [
        answer_languages.number_forms,
        answer_languages.known_words,
        answer_languages.spelling_variants,
        answer_languages.contractions,
    ]
    built = [table.cache_info().misses for table in tables]
    for _ in range(3):
        for language in languages:
            check_answer_text("Mucas gracias", ["Muchas gracias"], language)
            check_answer_text("Muchas graciosas " + language, ["Muchas gracias"], language)  # new words
    assert [table.cache_info().misses for table in tables] == built


def test_checking_is_deterministic_and_leaves_the_caches_consistent():
    first = [check_answer_text(text, solutions, language) for language, solutions, text, _ in LANGUAGE_RULE_CASES]
    again = [check_answer_text(text, solutions, language) for language, solutions, text, _ in LANGUAGE_RULE_CASES]
    assert first == again


def test_there_are_enough_cases():
    assert len(CASES) >= 60
    assert {language for language, *_ in CASES} >= {"es", "fr", "de"}
    for table in (NUMBER_CASES, CONTRACTION_CASES, APOSTROPHE_CASES, REAL_WORD_TYPO_CASES):
        assert {language for language, *_ in table} >= {"en", "es", "fr", "de"} - (
            {"es"} if table is CONTRACTION_CASES else set()  # Spanish has no optional contractions
        )
        assert any(expected == WRONG or isinstance(expected, tuple) for *_, expected in table)


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


@pytest.mark.slow
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


def test_a_contraction_typed_without_its_umlaut_is_accepted_beside_other_words():
    """German "überm" expands to "über dem"; typed "uberm" is no contraction, so the two sides had one
    and two words and "uberm a" was refused while "uberm" alone was accepted (found by the property
    test below)."""
    for typed, solution in (("uberm a", "überm a"), ("uberm", "überm"), ("das ist uberm tisch", "das ist überm Tisch")):
        verdict = check_answer_text(typed, [solution], "de")
        assert verdict.correct, (typed, verdict)
        assert verdict.note and "überm" in verdict.note


@example(words=["überm", "a"], language="de")
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


@pytest.mark.slow
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
    elif typo in known_words("es"):  # another Spanish word: a different answer, named in the note
        assert verdict == Verdict(
            correct=False, note=f'"{typo}" is another word; did you mean "{word}"?', best_match=" ".join(words)
        )
    else:
        assert verdict == Verdict(correct=True, note=f'You have a typo: "{word}"', best_match=" ".join(words))
    # a second typo in another word makes it wrong
    others = [j for j in range(len(answer)) if j != i]
    if others:
        j = data.draw(st.sampled_from(others))
        second = [*answer[:j], answer[j] + "q", *answer[j + 1 :]]
        assert not check_answer_text(" ".join(second), [" ".join(words)], "es").correct
