"""Accounts admin: balances are read-only, adjustments go through the ledger, added users get their grant."""

from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEvent
from billing.models import CreditTransaction
from tests.support.factories import staff_force_login


def test_credits_are_read_only_on_the_user_change_form(client, staff_user, user):
    staff_force_login(client, staff_user)
    url = reverse("admin:accounts_user_change", args=[user.pk])

    page = client.get(url)
    client.post(url, {"email": user.email, "name": "New", "plan": "PRO", "credits": 999, "is_active": "on"})

    user.refresh_from_db()
    assert 'name="credits"' not in page.content.decode()
    assert user.credits == 10


def test_adjust_credits_action_writes_a_ledger_row_with_the_note(client, staff_user, user):
    staff_force_login(client, staff_user)

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
    staff_force_login(client, staff_user)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "adjust_credits", "_selected_action": [user.pk], "apply": "1", "amount": "5", "note": ""},
    )

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.credits == 10


def test_staff_adding_a_user_in_admin_grants_signup_credits(client, staff_user):
    staff_force_login(client, staff_user)

    client.post(
        reverse("admin:accounts_user_add"), {"email": "New@Example.com", "name": "N", "password": "pw-long-enough-1"}
    )

    row = CreditTransaction.objects.get(user__email="new@example.com")
    assert row.kind == CreditTransaction.Kind.SIGNUP_GRANT


def test_an_admin_credit_adjustment_is_audited_with_actor_and_amount(client, staff_user, user):
    staff_force_login(client, staff_user)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "adjust_credits",
            "_selected_action": [user.pk],
            "apply": "1",
            "amount": "-3",
            "note": "chargeback 77",
        },
    )

    event = AuditEvent.objects.get(event=AuditEvent.Event.ADMIN_CREDIT_ADJUSTMENT)
    assert (event.user_id, event.actor_id) == (user.pk, staff_user.pk)
    assert event.data["amount"] == -3
    assert event.data["balance_after"] == 7
    assert event.data["note"] == "chargeback 77"


def test_the_audit_log_is_read_only_in_admin(client, staff_user, user):
    audit_record(event=AuditEvent.Event.SSRF_REFUSED, user=user, url="http://169.254.169.254/")
    staff_force_login(client, staff_user)

    listing = client.get(reverse("admin:accounts_auditevent_changelist"))
    add = client.get(reverse("admin:accounts_auditevent_add"))

    assert listing.status_code == 200
    assert "ssrf_refused" in listing.content.decode() or "SSRF" in listing.content.decode()
    assert add.status_code == 403


def _delete_account_data(client, user, *, apply=True):
    data = {"action": "delete_account_data", "_selected_action": [user.pk]}
    if apply:
        data["apply"] = "1"
    return client.post(reverse("admin:accounts_user_changelist"), data)


def test_staff_with_the_permission_start_an_account_deletion_from_admin_and_it_is_audited(client, staff_user, user):
    staff_force_login(client, staff_user)

    confirm = _delete_account_data(client, user, apply=False)
    response = _delete_account_data(client, user)

    assert confirm.status_code == 200 and user.email in confirm.content.decode()
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.deletion_requested_at is not None and not user.is_active
    event = AuditEvent.objects.get(event=AuditEvent.Event.ACCOUNT_DELETION_REQUESTED, user=user)
    assert event.actor == staff_user and event.data["by_staff"] is True


def test_staff_without_the_permission_cannot_delete_account_data(client, user):
    from django.contrib.auth.models import Permission

    from tests.support.factories import UserFactory, totp_activate

    support = UserFactory(is_staff=True)
    totp_activate(user=support)
    support.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    staff_force_login(client, support)

    changelist = client.get(reverse("admin:accounts_user_changelist"))
    _delete_account_data(client, user)

    assert "delete_account_data" not in changelist.content.decode()
    user.refresh_from_db()
    assert user.deletion_requested_at is None
    support.user_permissions.add(Permission.objects.get(codename="delete_account_data"))
    support = type(support).objects.get(pk=support.pk)  # a fresh permission cache
    staff_force_login(client, support)
    assert "delete_account_data" in client.get(reverse("admin:accounts_user_changelist")).content.decode()


def test_staff_see_data_exports_read_only(client, staff_user, user):
    from accounts.models import DataExport

    export = DataExport.objects.create(user=user)
    staff_force_login(client, staff_user)

    listing = client.get(reverse("admin:accounts_dataexport_changelist"))
    detail = client.get(reverse("admin:accounts_dataexport_change", args=[export.pk]))

    assert listing.status_code == 200 and user.email in listing.content.decode()
    assert detail.status_code == 200
    assert client.get(reverse("admin:accounts_dataexport_add")).status_code == 403
