"""Synthetic lesson runs and answers for ``manage.py bench_analytics``, generated inside PostgreSQL
with ``INSERT … SELECT … FROM generate_series(…)`` (nothing per row in Python), with a fixed random seed.

Content: one course of ``units`` units of 10 lessons of 10 translate exercises. Runs: ``attempts / 12``
lesson runs (12 answers each) spread evenly over ``days`` UTC days, on lessons and learners picked
by a hash of the run number; 75 % passed, 10 % failed (out of hearts), 15 % quit. Answers: 80 %
right; a wrong answer is one of 40 texts per exercise, written in varied case and punctuation (so
normalisation has work to do); time spent 1-16 s.

Columns this module does not name are filled with the model field's default, so a column added to
``User``, ``LessonRun`` or ``ExerciseAttempt`` later (with a default) does not break the generator.
"""

from datetime import datetime, timedelta

from auditlog.context import disable_auditlog
from django.db import connections

from accounts.models import User
from courses.models import Course, Exercise, Language, Lesson, LessonExercise, Section, Unit
from courses.slugs import lesson_slug, section_slug, unit_slug
from progress.models import ExerciseAttempt, LessonRun

from .sqlgen import insert_select

ANSWERS_PER_RUN = 12
EXERCISES_PER_LESSON = 10
LESSONS_PER_UNIT = 10


def fill(
    *,
    using: str,
    attempts: int,
    days: int,
    learners: int,
    units: int,
    end: datetime,
    seed: float = 0.42,
    analyze: bool = True,
) -> dict[str, int]:
    """Fill the (empty, migrated) database ``using``; the runs end before ``end`` (a UTC midnight).
    ``analyze=False`` skips VACUUM ANALYZE (which cannot run inside a transaction, e.g. in a test)."""
    with disable_auditlog():  # synthetic content, in another database than the audit trail's
        exercise_ids = _content(using=using, units=units)
    lessons = units * LESSONS_PER_UNIT
    runs = attempts // ANSWERS_PER_RUN
    start = end - timedelta(days=days)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute("SET session_replication_role = replica")  # no per-row FK trigger events
        insert_select(
            cursor,
            User,
            {
                "password": "'!'",
                "email": "'bench' || g || '@example.com'",
                "display_name": "'Learner ' || g",
                "date_joined": "%(start)s",
            },
            "FROM generate_series(1, %(learners)s) AS g",
            {"start": start, "learners": learners},
        )
        cursor.execute(f"SELECT min(id) FROM {cursor.db.ops.quote_name(User._meta.db_table)}")  # noqa: S608
        first_user = cursor.fetchone()[0]
        cursor.execute(f"SELECT min(id), max(id) FROM {cursor.db.ops.quote_name(Lesson._meta.db_table)}")  # noqa: S608
        first_lesson, _ = cursor.fetchone()
        course_id = Course.objects.using(using).get().pk
        # Run r: learner (r * 7919) mod learners, lesson (r * 104729) mod lessons, started at
        # start + r/runs of the period; lessons were created with consecutive ids.
        insert_select(
            cursor,
            LessonRun,
            {
                "user_id": "%(first_user)s + (g::bigint * 7919) %% %(learners)s",
                "course_id": "%(course)s",
                "lesson_id": "%(first_lesson)s + (g::bigint * 104729) %% %(lessons)s",
                "kind": "'lesson'",
                "status": "CASE WHEN r < 0.75 THEN 'passed' WHEN r < 0.85 THEN 'failed' ELSE 'abandoned' END",
                "answers_count": str(ANSWERS_PER_RUN),
                "started_at": "t",
                "finished_at": "t + interval '5 minutes'",
            },
            """FROM (SELECT g, random() AS r,
                            %(start)s::timestamptz + (g::float8 / %(runs)s) * %(span)s * interval '1 second' AS t
                     FROM generate_series(0, %(runs)s - 1) AS g) AS raw ORDER BY g""",
            {
                "first_user": first_user,
                "learners": learners,
                "course": course_id,
                "first_lesson": first_lesson,
                "lessons": lessons,
                "start": start,
                "runs": runs,
                "span": (end - start).total_seconds() - 600,
            },
        )
        cursor.execute(f"SELECT min(id) FROM {cursor.db.ops.quote_name(LessonRun._meta.db_table)}")  # noqa: S608
        first_run = cursor.fetchone()[0]
        run = cursor.db.ops.quote_name(LessonRun._meta.db_table)
        insert_select(
            cursor,
            ExerciseAttempt,
            {
                "run_id": "r.id",
                "user_id": "r.user_id",
                "exercise_id": "(%(exercises)s::bigint[])"
                f"[1 + (r.lesson_id - %(first_lesson)s) * {EXERCISES_PER_LESSON}"
                f" + (a.g %% {ANSWERS_PER_RUN}) %% {EXERCISES_PER_LESSON}]",
                "client_id": "md5(a.g::text)::uuid",
                "answer": """CASE WHEN a.ok THEN to_jsonb('Estoy bien, gracias'::text)
                             ELSE to_jsonb((ARRAY['estoy bien', 'Estoy bien!', 'ESTOY BIEN.', '¡estoy  bien!'])
                                  [1 + a.w %% 4] || ' ' || (a.w / 4)::text) END""",
                "correct": "a.ok",
                "xp_awarded": "CASE WHEN a.ok THEN 10 ELSE 0 END",
                "time_spent_ms": "1000 + (a.w2 * 15000)::int",
                "result": "'{}'::jsonb",
                "created_at": f"r.started_at + (a.g %% {ANSWERS_PER_RUN}) * interval '20 seconds'",
            },
            f"""FROM (SELECT g, random() < 0.8 AS ok, floor(random() * 40)::int AS w, random() AS w2
                      FROM generate_series(0, %(attempts)s - 1) AS g) AS a
                JOIN {run} r ON r.id = %(first_run)s + a.g / {ANSWERS_PER_RUN}""",  # noqa: S608 — table names only
            {
                "exercises": exercise_ids,
                "first_lesson": first_lesson,
                "attempts": runs * ANSWERS_PER_RUN,
                "first_run": first_run,
            },
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        for model in (User, LessonRun, ExerciseAttempt) if analyze else ():
            cursor.execute(f"VACUUM ANALYZE {cursor.db.ops.quote_name(model._meta.db_table)}")
    return {"learners": learners, "lessons": lessons, "runs": runs, "attempts": runs * ANSWERS_PER_RUN}


def _content(*, using: str, units: int) -> list[int]:
    """The course; returns the exercise ids, lesson by lesson (lesson i's are at i*10 … i*10+9)."""
    en = Language.objects.using(using).create(code="en", name="English")
    es = Language.objects.using(using).create(code="es", name="Spanish")
    course = Course.objects.using(using).create(
        from_language=en, to_language=es, title="Bench", slug="es", is_published=True
    )
    # Published explicitly: new content is a draft by default (courses.publishing).
    section = Section.objects.using(using).create(
        course=course, ordinal=1, title="S1", slug=section_slug("es", 1), is_published=True
    )
    unit_rows = Unit.objects.using(using).bulk_create(
        Unit(section=section, ordinal=u, title=f"U{u}", slug=unit_slug("es", 1, u), is_published=True)
        for u in range(1, units + 1)
    )
    lessons = Lesson.objects.using(using).bulk_create(
        Lesson(
            unit=unit,
            ordinal=i,
            title=f"Lesson {unit.ordinal}.{i}",
            slug=lesson_slug("es", 1, unit.ordinal, i),
            is_published=True,
        )
        for unit in unit_rows
        for i in range(1, LESSONS_PER_UNIT + 1)
    )
    payload = {"text": "I am fine, thanks", "solutions": ["Estoy bien, gracias"], "direction": "to_target"}
    exercises = Exercise.objects.using(using).bulk_create(
        Exercise(course=course, slug=f"es-e-{n:05d}", type="translate", payload=payload, is_published=True)
        for n in range(len(lessons) * EXERCISES_PER_LESSON)
    )
    LessonExercise.objects.using(using).bulk_create(
        LessonExercise(lesson=lesson, exercise=exercises[i * EXERCISES_PER_LESSON + k], ordinal=k + 1)
        for i, lesson in enumerate(lessons)
        for k in range(EXERCISES_PER_LESSON)
    )
    return [e.pk for e in exercises]
