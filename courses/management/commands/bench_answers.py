"""``manage.py bench_answers``: how long ``check_answer_text`` takes (docs/performance.md "Answer checking").

Times typical exercises of four languages with answers of every kind the checker tells apart (exact,
equivalent, accents and apostrophes, typo, real-word slip, wrong), warm (the solutions' expansions
cached, as on a server that has seen the exercise) and cold (the expansions rebuilt), and the
one-off cost per process of each language's data (number words, word list, spellings).

Times are CPU time of this process (``time.process_time_ns``), so waiting for a core on a shared
machine is not counted (sharing caches with other work still slows it a little). No database.
"""

import statistics
import time

from django.core.management.base import BaseCommand

from courses import answer_languages, answers
from courses.answers import Lexicon, check_answer_text

# (language, solutions, answers: kind → text)
EXERCISES = [
    (
        "es",
        ["[Yo /]tengo [un perro/una perra] y [dos/2] gatos.", "[Yo /]tengo [un perro/una perra] y un par de gatos."],
        {
            "exact": "Tengo un perro y dos gatos.",
            "equivalent": "yo tengo un perro y 2 gatos",
            "accents": "Yo tengo un perro y dos gatos",
            "typo": "tengo un perrro y dos gatos",
            "real word": "tengo un pero y dos gatos",
            "wrong": "tengo una perro y tres gatos",
        },
    ),
    (
        "en",
        ["I [do not/don't] know where she is.", "I have no idea where she is."],
        {
            "exact": "I don't know where she is.",
            "equivalent": "I do not know where she's",
            "accents": "i dont know where she is",
            "typo": "I don't know wehre she is",
            "real word": "I don't know were she is",
            "wrong": "I know where she is",
        },
    ),
    (
        "fr",
        ["C'est [mon/le] [livre/bouquin] préféré.", "J'aime beaucoup ce livre."],
        {
            "exact": "C'est mon livre préféré.",
            "equivalent": "c\u2019est mon livre préféré",
            "accents": "cest mon livre prefere",
            "typo": "c'est mon livre préfére",
            "real word": "c'est mon libre préféré",
            "wrong": "ce est mon livre",
        },
    ),
    (
        "de",
        ["Am [1./ersten] Mai kaufe ich Blumen für meine Schwester.", "Ich kaufe am [1./ersten] Mai Blumen."],
        {
            "exact": "Am ersten Mai kaufe ich Blumen für meine Schwester.",
            "equivalent": "am 1. Mai kaufe ich Blumen für meine Schwester",
            "accents": "am ersten Mai kaufe ich Blumen fur meine Schwester",
            "typo": "am ersten Mai kaufe ich Blumne für meine Schwester",
            "real word": "am ersten Mai kaufe ich Blumen für meine Schwestern",
            "wrong": "am erste Mai kaufe ich Blume für meine Schwester",
        },
    ),
]
KINDS = ["exact", "equivalent", "accents", "typo", "real word", "wrong"]


class Command(BaseCommand):
    help = "Time check_answer_text per kind of answer, warm and cold (no database)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=2000, help="checks per answer for the warm figures")

    def handle(self, *args, repeat: int, **options):
        lexicon = Lexicon({"pero": "but", "libre": "free"})
        self.stdout.write("One-off data per language (first check in a process), ms:")
        for language, *_ in EXERCISES:
            timings = []
            for build in (
                answer_languages.number_forms,
                answer_languages.known_words,
                answer_languages.spelling_variants,
                answer_languages.contractions,
            ):
                build.cache_clear()
                start = time.perf_counter()
                build(language)
                timings.append(f"{build.__name__} {1000 * (time.perf_counter() - start):.0f}")
            self.stdout.write(f"  {language}: " + ", ".join(timings))

        self.stdout.write("\nCold (expansions rebuilt every check), µs:")
        for language, solutions, texts in EXERCISES:
            samples = []
            for _ in range(50):
                answers._solutions.cache_clear()
                start = time.process_time_ns()
                check_answer_text(texts["wrong"], solutions, language, lexicon=lexicon)
                samples.append((time.process_time_ns() - start) / 1000)
            self.stdout.write(f"  {language}: median {statistics.median(samples):.0f}")

        self.stdout.write(f"\nWarm (expansions cached), µs per check, median of {repeat}:")
        self.stdout.write("  lang | " + " | ".join(KINDS))
        every = []
        for language, solutions, texts in EXERCISES:
            row = []
            for kind in KINDS:
                text = texts[kind]
                verdict = check_answer_text(text, solutions, language, lexicon=lexicon)
                samples = []
                for _ in range(repeat):
                    start = time.process_time_ns()
                    check_answer_text(text, solutions, language, lexicon=lexicon)
                    samples.append((time.process_time_ns() - start) / 1000)
                every += samples
                mark = "✓" if verdict.correct else "✗"
                row.append(f"{statistics.median(samples):.0f} {mark}")
            self.stdout.write(f"  {language} | " + " | ".join(row))
        every.sort()
        self.stdout.write(
            f"\nAll warm checks: median {statistics.median(every):.0f} µs, "
            f"p95 {every[int(0.95 * len(every))]:.0f} µs, max {every[-1]:.0f} µs"
        )
