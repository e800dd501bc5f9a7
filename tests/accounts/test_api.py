"""/api/user: profile (only name and image writable), credits, ledger history, callback secret."""

import pytest

from billing.models import CreditTransaction
from billing.services import credits_charge, credits_grant, credits_refund, credits_revoke
from tests.support.api import assert_error
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_user_profile_has_camelcase_fields(user_client, user):
    data = user_client.get("/api/user").json()["data"]

    assert data["email"] == user.email
    assert data["referralCode"] == user.referral_code
    assert data["plan"] == "FREE"
    assert data["credits"] == 10
    assert data["emailVerified"] is False
    assert {"creditsRefilledAt", "createdAt", "updatedAt", "image", "name", "id"} <= set(data)
    assert "callbackSecret" not in data
    assert "password" not in data


def test_patch_updates_name_and_image(user_client, user):
    response = user_client.patch("/api/user", {"name": "Ada", "image": "https://93.184.215.14/ada.png"}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.name, user.image) == ("Ada", "https://93.184.215.14/ada.png")


def test_patch_never_changes_credits_plan_or_email(user_client, user):
    user_client.patch(
        "/api/user",
        {"credits": 9999, "plan": "ENTERPRISE", "email": "evil@example.com", "referralCode": "x", "isStaff": True},
        format="json",
    )

    user.refresh_from_db()
    assert (user.credits, user.plan, user.is_staff) == (10, "FREE", False)
    assert user.email != "evil@example.com"


def test_patch_refuses_a_javascript_avatar_url(user_client):
    response = user_client.patch("/api/user", {"image": "javascript:alert(1)"}, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "image" in body["error"]["details"]


def test_patch_refuses_an_overlong_name(user_client):
    response = user_client.patch("/api/user", {"name": "x" * 151}, format="json")

    assert_error(response, 400, "VALIDATION_ERROR")


def test_credits_summary_shows_balance_plan_quota_and_last_refill(user_client):
    data = user_client.get("/api/user/credits").json()["data"]

    assert data["credits"] == 10
    assert data["plan"] == "FREE"
    assert data["monthlyCredits"] == 10
    assert data["creditsRefilledAt"]


def test_credits_summary_splits_plan_and_purchased_credits(user_client, user):
    credits_grant(user=user, amount=50, kind=CreditTransaction.Kind.PURCHASE, reference="pack:split")

    data = user_client.get("/api/user/credits").json()["data"]

    assert (data["credits"], data["planCredits"], data["purchasedCredits"]) == (60, 10, 50)


def in_debt(user, *, owed: int = 50) -> None:
    """A 50-credit pack, all 60 credits spent, then the pack refunded: ``owed`` credits are owed."""
    credits_grant(user=user, amount=50, kind=CreditTransaction.Kind.PURCHASE, reference="pack:cs_debt")
    credits_charge(user=user, amount=60, reference="charge:spent")
    credits_revoke(user=user, amount=owed, reference="pack-refund:cs_debt:500")


def test_credits_summary_shows_the_credit_debt(user_client, user):
    in_debt(user)

    data = user_client.get("/api/user/credits").json()["data"]

    assert (data["credits"], data["creditDebt"]) == (0, 50)


def test_credit_history_shows_a_debt_repayment_in_plain_words(user_client, user):
    in_debt(user)
    credits_refund(user=user, amount=3, reference="refund:job-1")

    data = user_client.get("/api/user/credits/history").json()["data"]

    rows = [
        (r["kind"], r["description"], r["amount"], r["balanceAfter"], r["debtAmount"], r["debtAfter"]) for r in data
    ]
    assert rows[:3] == [
        ("DEBT_REPAYMENT", "Applied to a refunded pack's balance", -3, 0, -3, 47),
        ("REFUND", "Refund", 3, 3, 0, 50),
        ("PURCHASE_REVERSAL", "Credit pack refund", 0, 0, 50, 50),
    ]


def test_credit_history_rows_say_which_bucket_they_moved(user_client, user):
    credits_grant(user=user, amount=5, kind=CreditTransaction.Kind.PURCHASE, reference="pack:bucket")

    data = user_client.get("/api/user/credits/history").json()["data"]

    assert [(row["kind"], row["bucket"], row["purchasedAmount"]) for row in data] == [
        ("PURCHASE", "PURCHASED", 5),
        ("SIGNUP_GRANT", "PLAN", 0),
    ]


def test_credit_history_lists_the_callers_ledger_newest_first(user_client, user, other_user):
    credits_grant(user=user, amount=5, kind=CreditTransaction.Kind.PURCHASE, reference="pack:test-1")

    data = user_client.get("/api/user/credits/history").json()["data"]

    assert [(row["kind"], row["amount"], row["balanceAfter"]) for row in data] == [
        ("PURCHASE", 5, 15),
        ("SIGNUP_GRANT", 10, 10),
    ]


def test_credit_history_names_the_effect_and_never_shows_the_staff_note(user_client, user, staff_user):
    job = JobFactory(user=user, effect__name="Oil Paint", status="COMPLETED", credits_charged=3)
    credits_refund(
        user=user,
        amount=3,
        reference=f"goodwill:{job.pk}",
        job=job,
        kind=CreditTransaction.Kind.GOODWILL_REFUND,
        note=f"Sorry, the edges were rough (job {job.pk})",
        created_by=staff_user,
    )

    response = user_client.get("/api/user/credits/history")

    row = response.json()["data"][0]
    assert row["description"] == "Goodwill refund — Oil Paint"
    assert "edges were rough" not in response.content.decode()


def test_credit_history_is_paginated_with_a_cap(user_client, user):
    for i in range(3):
        credits_grant(user=user, amount=1, kind=CreditTransaction.Kind.PURCHASE, reference=f"pack:p{i}")

    body = user_client.get("/api/user/credits/history?pageSize=2").json()

    assert len(body["data"]) == 2
    assert body["meta"]["count"] == 4
    assert "page=2" in body["meta"]["next"]


def test_credit_history_query_count_does_not_grow_with_rows(user_client, user, django_assert_max_num_queries):
    for i in range(30):
        credits_grant(user=user, amount=1, kind=CreditTransaction.Kind.PURCHASE, reference=f"pack:q{i}")

    # Token auth (session exists + load, user), then count and one page query.
    with django_assert_max_num_queries(5):
        user_client.get("/api/user/credits/history?pageSize=100")


def test_callback_secret_is_readable_by_its_owner(user_client, user):
    response = user_client.get("/api/user/callback-secret")

    assert response.json()["data"] == {"callbackSecret": user.callback_secret}
    assert "no-store" in response["Cache-Control"]


def test_rotating_the_callback_secret_replaces_it(user_client, user):
    old = user.callback_secret

    response = user_client.post("/api/user/callback-secret/rotate")

    user.refresh_from_db()
    assert response.json()["data"] == {"callbackSecret": user.callback_secret}
    assert user.callback_secret != old
    assert user.callback_secret.startswith("whsec_")


def test_user_endpoints_require_authentication(anon_client):
    for path in ("/api/user", "/api/user/credits", "/api/user/credits/history", "/api/user/callback-secret"):
        assert_error(anon_client.get(path), 401, "UNAUTHORIZED")
