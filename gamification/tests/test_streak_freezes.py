"""Streak freezes: bought in the shop through the ledger (at most two, races included), shown in the
header, the profile and the API; the close job's "your streak freeze saved your streak" notice, once."""

import uuid
from datetime import UTC, date, datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from core.tests.api import assert_error, client_for
from gamification import services
from gamification.errors import FreezesFull, NotEnoughGems
from gamification.jobs import run_close_streaks
from gamification.models import LedgerEntry, Streak, Wallet
from gamification.services import ledger
from gamification.services.ledger import check_ledger
from gamification.services.wallet import lock_wallet
from gamification.tests.test_races import race, run_threads

from .jobs_factories import learner

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
PRICE = 100


def give_gems(user, gems: int) -> None:
    """Gems through the ledger, as staff would adjust them, so check_ledger stays clean."""
    from django.db import transaction

    with transaction.atomic():
        wallet = lock_wallet(user=user, now=NOW)
        entry = ledger.gems_entry(
            user=user, amount=gems, reason=LedgerEntry.Reason.ADJUSTMENT, key=f"test:{uuid.uuid4()}", now=NOW
        )
        ledger.credit(wallet=wallet, entries=[entry])


def buy(user, client_id=None):
    return services.buy_streak_freeze(user=user, client_id=client_id or uuid.uuid4(), now=NOW)


@override_settings(MALLARD_STREAK_FREEZE_PRICE_GEMS=PRICE)
def test_buying_spends_gems_through_the_ledger_and_stops_at_two(user):
    give_gems(user, 350)
    first = buy(user)
    assert (first.held, first.gems, first.can_buy) == (1, 250, True)
    second = buy(user)
    assert (second.held, second.gems, second.can_buy) == (2, 150, False)
    assert "already hold 2" in second.reason
    with pytest.raises(FreezesFull):
        buy(user)
    wallet = Wallet.objects.get(user=user)
    assert (wallet.streak_freezes, wallet.gems) == (2, 150)
    spent = LedgerEntry.objects.filter(user=user, reason=LedgerEntry.Reason.STREAK_FREEZE)
    assert sorted(spent.values_list("amount", flat=True)) == [-PRICE, -PRICE]
    assert check_ledger() == []


@override_settings(MALLARD_STREAK_FREEZE_PRICE_GEMS=PRICE)
def test_not_enough_gems_writes_nothing(user):
    give_gems(user, PRICE - 1)
    with pytest.raises(NotEnoughGems, match="costs 100 gems; you have 99"):
        buy(user)
    wallet = Wallet.objects.get(user=user)
    assert (wallet.streak_freezes, wallet.gems) == (0, PRICE - 1)
    assert not LedgerEntry.objects.filter(reason=LedgerEntry.Reason.STREAK_FREEZE).exists()


@override_settings(MALLARD_STREAK_FREEZE_PRICE_GEMS=PRICE)
def test_the_same_purchase_sent_twice_is_charged_once(user):
    give_gems(user, 500)
    client_id = uuid.uuid4()
    assert buy(user, client_id).repeated is False
    again = buy(user, client_id)
    assert (again.repeated, again.held, again.gems) == (True, 1, 400)
    assert Wallet.objects.get(user=user).gems == 400


def test_the_database_refuses_a_third_freeze(user):
    from django.db import IntegrityError, transaction

    Wallet.objects.create(user=user, hearts_anchor_at=NOW, streak_freezes=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(user=user).update(streak_freezes=3)


@race
@override_settings(MALLARD_STREAK_FREEZE_PRICE_GEMS=PRICE)
def test_purchases_racing_never_exceed_two_nor_double_charge(user):
    give_gems(user, 1000)
    results = run_threads(buy, [(user,)] * 4 + [(user, uuid.UUID(int=7))] * 2)
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, FreezesFull) for e in errors), errors
    bought = LedgerEntry.objects.filter(user=user, reason=LedgerEntry.Reason.STREAK_FREEZE)
    wallet = Wallet.objects.get(user=user)
    assert wallet.streak_freezes == 2
    assert bought.count() == 2
    assert wallet.gems == 1000 - 2 * PRICE
    assert check_ledger() == []


@race
@override_settings(MALLARD_STREAK_FREEZE_PRICE_GEMS=PRICE)
def test_a_double_click_racing_buys_once(user):
    give_gems(user, 1000)
    client_id = uuid.uuid4()
    results = run_threads(buy, [(user, client_id)] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.repeated for r in results) == [False, True, True, True]
    wallet = Wallet.objects.get(user=user)
    assert (wallet.streak_freezes, wallet.gems) == (1, 1000 - PRICE)


# --- Pages and API -----------------------------------------------------------------------------------


@override_settings(MALLARD_STREAK_FREEZE_PRICE_GEMS=PRICE)
def test_shop_page_buys_once_per_form_and_explains_why_not(client, learner_client):
    user = learner_client
    give_gems(user, 150)
    page = client.get(reverse("shop"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Buy for 100 gems" in html and "0 of 2" in html
    client_id = str(uuid.uuid4())
    for _ in range(2):  # a double submit of the same form
        response = client.post(reverse("buy_streak_freeze"), {"client_id": client_id})
        assert response.status_code == 302 and response.url == reverse("shop")
    wallet = Wallet.objects.get(user=user)
    assert (wallet.streak_freezes, wallet.gems) == (1, 50)
    html = client.get(reverse("shop")).content.decode()
    assert "1 of 2" in html and "costs 100 gems; you have 50" in html and "disabled" in html
    response = client.post(reverse("buy_streak_freeze"), {"client_id": str(uuid.uuid4())}, follow=True)
    assert "costs 100 gems; you have 50" in response.content.decode()
    assert Wallet.objects.get(user=user).streak_freezes == 1
    assert client.post(reverse("buy_streak_freeze"), {"client_id": "nope"}).status_code == 302


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return user


@override_settings(MALLARD_STREAK_FREEZE_PRICE_GEMS=PRICE)
def test_api_buys_and_refuses_in_the_error_shape(user):
    api = client_for(user)
    assert api.get("/api/v1/me/streak-freezes/").json()["held"] == 0
    assert_error(
        api.post("/api/v1/me/streak-freezes/", {"client_id": str(uuid.uuid4())}, format="json"), 409, "not_enough_gems"
    )
    give_gems(user, 250)
    body = api.post("/api/v1/me/streak-freezes/", {"client_id": str(uuid.uuid4())}, format="json").json()
    assert (body["held"], body["gems"], body["repeated"]) == (1, 150, False)
    api.post("/api/v1/me/streak-freezes/", {"client_id": str(uuid.uuid4())}, format="json")
    assert_error(
        api.post("/api/v1/me/streak-freezes/", {"client_id": str(uuid.uuid4())}, format="json"), 409, "freezes_full"
    )
    assert_error(api.post("/api/v1/me/streak-freezes/", {"client_id": 5}, format="json"), 400, "invalid", "client_id")
    assert api.get("/api/v1/me/").json()["streak"]["freezes"] == 2


def test_header_tooltip_and_profile_show_the_freezes_held(client, learner_client):
    Wallet.objects.create(user=learner_client, hearts_anchor_at=NOW, streak_freezes=2)
    html = client.get(reverse("profile")).content.decode()
    assert "2 streak freezes held" in html
    assert 'id="profile-freezes">2<' in html


# --- The freeze notice -----------------------------------------------------------------------------


def test_the_freeze_notice_is_shown_once_on_the_next_visit(client):
    user = learner(current=12, last_day=date(2026, 3, 1), freezes=1)
    client.force_login(user)
    run_close_streaks(now=datetime(2026, 3, 3, 0, 5, tzinfo=UTC))
    first = client.get(reverse("profile")).content.decode()
    assert "Your streak freeze saved your 12-day streak." in first
    second = client.get(reverse("profile")).content.decode()
    assert "streak freeze saved" not in second
    assert Streak.objects.get(user=user).freeze_notice_streak is None


def test_a_notice_read_by_another_page_is_not_shown_twice(user):
    from gamification.services.notices import take_freeze_notice

    Streak.objects.create(user=user, current=5, longest=5, freeze_notice_streak=5, freeze_notice_freezes=2)
    assert (
        take_freeze_notice(user=user, streak=5, freezes=2)
        == "2 streak freezes saved your 5-day streak while you were away."
    )
    assert take_freeze_notice(user=user, streak=5, freezes=2) is None  # the second tab read the same values
    assert take_freeze_notice(user=user, streak=None, freezes=0) is None


def test_no_notice_costs_no_extra_query(client, learner_client, django_assert_num_queries):
    Wallet.objects.create(user=learner_client, hearts_anchor_at=NOW)
    Streak.objects.create(user=learner_client)
    client.get(reverse("shop"))
    with django_assert_num_queries(5):  # session, user, the shop (wallet), the hearts (wallet), the header
        client.get(reverse("shop"))
