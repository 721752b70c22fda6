"""Replays every learner's past answers into the FSRS memory model (docs/learning.md, "Migration").

For each learner, their attempts in time order (those still kept: attempts older than the activity
retention are purged) are turned into ratings by the same rule the answer path uses
(``rating_for_answer``: the exercise's type, the note stored in the attempt's result, whether the
exercise had been answered wrongly earlier in the same run, the time spent), and each rating is
applied, with FSRS's default parameters, to every word the exercise teaches. Each application
writes a review-log row (linked to its exercise and attempt) and the word's stability, difficulty
and due date are the replay's outcome.

A word with no attempt left to replay but an SM-2 schedule (an interval) gets the FSRS memory state
equivalent to that schedule (fsrs-rs ``memory_state_from_sm2``: the stability at which recall after
the interval is 90%, the difficulty matching the ease). A word with neither keeps a null stability
(strength 0, not mastered). Counts (seen, correct, streak) and SM-2 fields are left as they were.
"""

from django.db import migrations

BATCH = 2000


def replay(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated, not always default
    import fsrs_rs_python

    from progress.services.scheduling import DEFAULT_PARAMETERS, FSRS, CardState, rating_for_answer

    ExerciseAttempt = apps.get_model("progress", "ExerciseAttempt")
    TokenMastery = apps.get_model("progress", "TokenMastery")
    ReviewLog = apps.get_model("progress", "ReviewLog")
    Through = apps.get_model("courses", "Exercise").tokens.through

    tokens_of: dict[int, list[int]] = {}
    for exercise_id, token_id in Through.objects.using(db).values_list("exercise_id", "token_id"):
        tokens_of.setdefault(exercise_id, []).append(token_id)

    scheduler = FSRS()
    user_ids = ExerciseAttempt.objects.using(db).order_by().values_list("user_id", flat=True).distinct()
    for user_id in user_ids.iterator():
        cards: dict[int, CardState] = {}
        missed: set[tuple[int, int]] = set()
        logs = []
        attempts = (
            ExerciseAttempt.objects.using(db)
            .filter(user_id=user_id)
            .order_by("created_at", "id")
            .values_list(
                "id", "run_id", "exercise_id", "exercise__type", "correct", "result", "time_spent_ms", "created_at"
            )
        )
        for attempt_id, run_id, exercise_id, exercise_type, correct, result, spent, at in attempts.iterator():
            rating = rating_for_answer(
                correct=correct,
                note=(result or {}).get("note"),
                retry=(run_id, exercise_id) in missed,
                exercise_type=exercise_type,
                time_spent_ms=spent,
            )
            if not correct:
                missed.add((run_id, exercise_id))
            for token_id in tokens_of.get(exercise_id, ()):
                cards[token_id] = scheduler.review(cards.get(token_id, CardState()), rating=rating, now=at)
                logs.append(
                    ReviewLog(
                        user_id=user_id,
                        token_id=token_id,
                        reviewed_at=at,
                        rating=rating,
                        exercise_id=exercise_id,
                        attempt_id=attempt_id,
                    )
                )
        ReviewLog.objects.using(db).bulk_create(logs, batch_size=BATCH)
        rows = list(TokenMastery.objects.using(db).filter(user_id=user_id, token_id__in=list(cards)))
        for row in rows:
            card = cards[row.token_id]
            row.stability, row.difficulty, row.due_at = card.stability, card.difficulty, card.due_at
        TokenMastery.objects.using(db).bulk_update(rows, ["stability", "difficulty", "due_at"], batch_size=BATCH)

    optimizer = fsrs_rs_python.FSRS(list(DEFAULT_PARAMETERS))
    rows = list(TokenMastery.objects.using(db).filter(stability__isnull=True, interval_days__gt=0))
    for row in rows:
        state = optimizer.memory_state_from_sm2(row.ease_factor, float(row.interval_days), 0.9)
        row.stability, row.difficulty = state.stability, state.difficulty
    TokenMastery.objects.using(db).bulk_update(rows, ["stability", "difficulty"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("progress", "0003_memory_model")]

    operations = [migrations.RunPython(replay, migrations.RunPython.noop)]
