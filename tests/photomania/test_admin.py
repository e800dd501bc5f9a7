"""Admin: every model is browsable, balances are read-only, adjustments go through the ledger."""

import pytest
from django.urls import reverse

from billing.models import CreditTransaction
from tests.factories import EffectFactory, JobFactory

ADMIN_LISTS = [
    "admin:accounts_user_changelist",
    "admin:effects_effect_changelist",
    "admin:effects_job_changelist",
    "admin:billing_plan_changelist",
    "admin:billing_creditpack_changelist",
    "admin:billing_credittransaction_changelist",
]


@pytest.mark.parametrize("url_name", ADMIN_LISTS)
def test_staff_can_browse_and_search_every_admin_list(client, staff_user, url_name):
    JobFactory()
    client.force_login(staff_user)

    response = client.get(reverse(url_name), {"q": "a"})

    assert response.status_code == 200


def test_non_staff_user_is_sent_to_the_admin_login(client, user):
    client.force_login(user)

    response = client.get(reverse("admin:effects_effect_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_credits_are_read_only_on_the_user_change_form(client, staff_user, user):
    client.force_login(staff_user)
    url = reverse("admin:accounts_user_change", args=[user.pk])

    page = client.get(url)
    client.post(url, {"email": user.email, "name": "New", "plan": "PRO", "credits": 999, "is_active": "on"})

    user.refresh_from_db()
    assert 'name="credits"' not in page.content.decode()
    assert user.credits == 10


def test_adjust_credits_action_writes_a_ledger_row_with_the_note(client, staff_user, user):
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "adjust_credits",
            "_selected_action": [user.pk],
            "apply": "1",
            "amount": "5",
            "note": "support ticket 42",
        },
    )

    user.refresh_from_db()
    row = CreditTransaction.objects.get(user=user, kind=CreditTransaction.Kind.ADMIN_ADJUSTMENT)
    assert response.status_code == 302
    assert (user.credits, row.amount, row.note, row.created_by) == (15, 5, "support ticket 42", staff_user)


def test_adjust_credits_without_a_note_changes_nothing(client, staff_user, user):
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "adjust_credits", "_selected_action": [user.pk], "apply": "1", "amount": "5", "note": ""},
    )

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.credits == 10


def test_staff_adding_a_user_in_admin_grants_signup_credits(client, staff_user):
    client.force_login(staff_user)

    client.post(
        reverse("admin:accounts_user_add"), {"email": "New@Example.com", "name": "N", "password": "pw-long-enough-1"}
    )

    row = CreditTransaction.objects.get(user__email="new@example.com")
    assert row.kind == CreditTransaction.Kind.SIGNUP_GRANT


def test_effect_admin_rejects_a_config_that_is_not_an_object(client, staff_user):
    effect = EffectFactory()
    client.force_login(staff_user)

    response = client.post(
        reverse("admin:effects_effect_change", args=[effect.pk]),
        {
            "name": effect.name,
            "slug": effect.slug,
            "credits": 1,
            "category": "X",
            "model_id": "local:grayscale",
            "config": "[1, 2]",
            "position": 0,
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "config must be a JSON object" in response.content.decode()
