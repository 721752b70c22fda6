"""``core.reads`` with Mallard's models: model instances with their related rows and annotations
(``CompiledRead.objects``), values the backend types itself, UUIDs, locking reads and compiled
``UPDATE``s (``CompiledUpdate``, JSON values included), on PostgreSQL and in the SQLite run. (Here,
not in core's tests: core sits below the apps whose models they use.)"""

import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F, Value
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.tests.factories import UserFactory
from core.reads import CompiledRead, CompiledUpdate, CompiledUpdates
from courses.tests.sample_courses import make_course
from gamification import services
from gamification.models import Wallet
from gamification.tests.helpers import T0, answer
from progress.models import ExerciseAttempt, LessonRun

pytestmark = pytest.mark.django_db

STAND_IN_KEY = "stand-in-key-never-stored"


# --- Model instances, typed values, updates ------------------------------------------------------


def _tokens_marked(key: str, marker: int):
    return Token.objects.select_related("user").annotate(marker=Value(marker)).filter(key=key)


def test_objects_are_the_querysets_instances_with_related_rows_and_annotations(django_assert_num_queries):
    first, second = UserFactory(), UserFactory()
    tokens = [Token.objects.create(user=first), Token.objects.create(user=second)]
    read = CompiledRead(_tokens_marked, key=STAND_IN_KEY, marker=-2_000_000_009)
    for token, marker in zip(tokens, [7, 11], strict=True):
        with django_assert_num_queries(1):  # the related user rides on the statement
            (found,) = read.objects(key=token.key, marker=marker)
            assert found.user.email == token.user.email
        expected = _tokens_marked(token.key, marker).get()
        assert (found.pk, found.user_id, found.created, found.marker) == (
            expected.pk,
            expected.user_id,
            expected.created,
            marker,
        )
        assert found._state.adding is False and found._state.db == "default"
    assert read.objects(key="not a key", marker=1) == []


def test_a_value_the_backend_types_takes_the_real_value_in_the_same_type():
    """PostgreSQL's backend sends a ``Value()`` integer as psycopg's ``Int4``: the stand-in is found
    through it, and the real value goes in the same type."""
    token = Token.objects.create(user=UserFactory())
    read = CompiledRead(_tokens_marked, key=STAND_IN_KEY, marker=-2_000_000_009)
    assert [t.marker for t in read.objects(key=token.key, marker=42)] == [42]
    assert [t.marker for t in read.objects(key=token.key, marker=-3)] == [-3]


def test_a_uuid_value_is_passed_as_the_backend_stores_it(user):
    """PostgreSQL takes a UUID as is, SQLite as hex text: the attempt is found by its client id either way."""
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    client_id = uuid.uuid4()
    outcome = answer(user, run, correct=False, client_id=client_id, exercise_id=run.queue[0])
    read = CompiledRead(
        lambda client: ExerciseAttempt.objects.filter(client_id=client).values_list("pk"), client=uuid.UUID(int=1901)
    )
    assert read.rows(client=client_id) == [(outcome.attempt_id,)]
    assert read.rows(client=uuid.uuid4()) == []


@pytest.mark.postgresql_only  # SQLite has no row locks
@pytest.mark.django_db(transaction=True)  # autocommit outside the atomic block, as in a request
def test_a_locking_read_refuses_to_run_outside_a_transaction():
    user = UserFactory()
    read = CompiledRead(lambda user_id: Wallet.objects.select_for_update().filter(user_id=user_id), user_id=-1)
    with transaction.atomic():
        assert read.objects(user_id=user.pk) == []
    with pytest.raises(TransactionManagementError):
        read.objects(user_id=user.pk)


def _bump(pk: int, xp: int, at):
    return Wallet.objects.filter(pk=pk), {"xp_total": F("xp_total") + xp, "hearts_anchor_at": at}


def test_an_update_changes_the_rows_the_queryset_update_would(django_assert_num_queries):
    now = timezone.now()
    wallets = [Wallet.objects.create(user=UserFactory(), xp_total=5, hearts_anchor_at=now) for _ in range(2)]
    update = CompiledUpdate(_bump, pk=-2_000_000_001, xp=-2_000_000_002, at=now - timedelta(days=9999))
    with django_assert_num_queries(1):
        assert update.execute(pk=wallets[0].pk, xp=10, at=now) == 1
    assert update.execute(pk=wallets[0].pk, xp=-3, at=now + timedelta(hours=1)) == 1
    assert update.execute(pk=-5, xp=1, at=now) == 0
    wallets[0].refresh_from_db()
    wallets[1].refresh_from_db()
    assert (wallets[0].xp_total, wallets[0].hearts_anchor_at) == (12, now + timedelta(hours=1))
    assert (wallets[1].xp_total, wallets[1].hearts_anchor_at) == (5, now)  # the other row is untouched


def _set_queue(pk: int, queue: list, checks: dict):
    return LessonRun.objects.filter(pk=pk), {"queue": queue, "pair_checks": checks}


def test_a_json_fields_value_is_a_slot_of_an_update(user):
    """A JSON value goes as the backend sends the field's values (psycopg's ``Jsonb`` on PostgreSQL,
    its text on SQLite): each run of the update stores its own list and dict."""
    _, (first, _) = make_course()
    run = services.start_lesson_run(user=user, lesson=first, now=T0)
    update = CompiledUpdate(_set_queue, pk=-2_000_000_001, queue=[-2_000_000_002], checks={"x": [-2_000_000_003]})
    for queue, checks in [([3, 1, 2], {}), ([], {"7": ["a", "b"], "8": []}), (["é", None], {"k": {"n": 1}})]:
        assert update.execute(pk=run.pk, queue=queue, checks=checks) == 1
        run.refresh_from_db()
        assert (run.queue, run.pair_checks) == (queue, checks)
    with pytest.raises(ValueError, match="checks"):  # a JSON stand-in must be a parameter too
        CompiledUpdate(lambda pk, queue, checks: _set_queue(pk, queue, {}), pk=-1, queue=[-2], checks={"y": 1}).execute(
            pk=run.pk, queue=[], checks={}
        )


def _bump_some(pk: int, xp=None, at=None):
    changes = {"xp_total": F("xp_total") + xp} if xp is not None else {}
    return Wallet.objects.filter(pk=pk), changes | ({"hearts_anchor_at": at} if at is not None else {})


def test_updates_of_several_shapes_compile_one_statement_each():
    now = timezone.now()
    wallet = Wallet.objects.create(user=UserFactory(), xp_total=5, hearts_anchor_at=now)
    updates = CompiledUpdates(_bump_some, pk=-2_000_000_001, xp=-2_000_000_002, at=now - timedelta(days=9999))
    assert updates.execute(pk=wallet.pk, xp=3) == 1
    assert updates.execute(pk=wallet.pk, at=now + timedelta(hours=1)) == 1
    assert updates.execute(pk=wallet.pk, xp=4) == 1
    assert len(updates._by_shape) == 2  # one per set of values given
    wallet.refresh_from_db()
    assert (wallet.xp_total, wallet.hearts_anchor_at) == (12, now + timedelta(hours=1))
    with pytest.raises(TypeError, match="gems"):
        updates.execute(pk=wallet.pk, gems=1)


@pytest.mark.sqlite_only
def test_instances_typed_values_and_updates_on_sqlite():
    """On SQLite the dates go as text and the UUIDs as hex: the same results."""
    test_objects_are_the_querysets_instances_with_related_rows_and_annotations(_no_count)
    test_a_value_the_backend_types_takes_the_real_value_in_the_same_type()
    test_a_uuid_value_is_passed_as_the_backend_stores_it(UserFactory())
    test_an_update_changes_the_rows_the_queryset_update_would(_no_count)
    test_a_json_fields_value_is_a_slot_of_an_update(UserFactory())
    test_updates_of_several_shapes_compile_one_statement_each()


@contextmanager
def _count(n):
    yield


def _no_count(n):
    return _count(n)
