"""Fill a benchmark database with learners, run by ``manage.py bench_learners`` in the tree being
measured (the current one, or the older commit of ``--compare-ref`` in a git worktree):

    cd <tree> && DATABASE_URL=… python <this file> learners OUT.json N COURSE
    cd <tree> && DATABASE_URL=… python <this file> enrol COURSE

It uses only what every version of Mallard since the ledger has: the user model's ``create_user``,
the API token and the database session store, the wallet lock and ledger credit (gems for heart
refills), and the JSON API through Django's test client (enrolment, starting a run) — so the same
script prepares the old code's database as the old code itself would.

``learners``: N learners, each with an API token, a logged-in session, a million gems, enrolled in
COURSE and with a run of its first lesson started, as the API returned it; OUT.json also has the
lesson's exercises (type and payload, so the virtual learners answer right). ``enrol``: every
learner also enrolled in COURSE (the path page of a course the learner follows).
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())  # the tree being measured, not this file's
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

EMAIL = "bench-{}@bench.invalid"


def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")


def call(client: Client, path: str, expected: tuple[int, ...]) -> dict:
    response = client.post(path, content_type="application/json")
    if response.status_code not in expected:
        raise SystemExit(f"POST {path}: {response.status_code} {response.content[:500]!r}")
    return response.json()


def first_lesson(course_slug: str):
    from courses.models import Lesson

    return (
        Lesson.objects.filter(unit__section__course__slug=course_slug)
        .order_by("unit__section__ordinal", "unit__ordinal", "ordinal")
        .first()
    )


def learners(out: Path, count: int, course_slug: str) -> None:
    from courses.models import Exercise
    from gamification.models import LedgerEntry
    from gamification.services import ledger
    from gamification.services.wallet import lock_wallet

    lesson = first_lesson(course_slug)
    now = timezone.now()
    people = []
    for i in range(count):
        user = get_user_model().objects.create_user(email=EMAIL.format(i), password=None)
        with transaction.atomic():
            wallet = lock_wallet(user=user, now=now)
            gems = ledger.gems_entry(
                user=user, amount=1_000_000, reason=LedgerEntry.Reason.ADJUSTMENT, key=f"bench:{user.pk}", now=now
            )
            ledger.credit(wallet=wallet, entries=[gems])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token = Token.objects.create(user=user).key
        client = api(token)
        call(client, f"/api/v1/courses/{course_slug}/enrol/", (200, 201))
        # A run of the lesson, as the API returns it: the measured requests need no start of their own.
        run = call(client, f"/api/v1/lessons/{lesson.slug}/runs/", (200, 201))
        people.append(
            {
                "token": token,
                "session": session.session_key,
                "run": {"id": run["id"], "queue": run["queue"], "exercises": run["exercises"]},
            }
        )
    served = {e["id"] for person in people for e in person["run"]["exercises"]}
    exercises = {str(e.pk): {"type": e.type, "payload": e.payload} for e in Exercise.objects.filter(pk__in=served)}
    data = {"course": course_slug, "lesson": lesson.slug, "exercises": exercises, "learners": people}
    out.write_text(json.dumps(data))


def enrol(course_slug: str) -> None:
    for token in Token.objects.filter(user__email__startswith="bench-").values_list("key", flat=True):
        call(api(token), f"/api/v1/courses/{course_slug}/enrol/", (200, 201))


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["learners", out, count, course]:
            learners(Path(out), int(count), course)
        case ["enrol", course]:
            enrol(course)
        case _:
            raise SystemExit(__doc__)
