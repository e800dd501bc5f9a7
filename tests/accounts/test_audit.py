"""The audit log: security events become a row and a structured log line."""

import json
import logging

from accounts import audit
from accounts.audit import audit_record, audit_record_aggregated
from accounts.models import AuditEvent

LOGIN_URL = "/_allauth/app/v1/auth/login"


def _login(client, email, password):
    return client.post(LOGIN_URL, json.dumps({"email": email, "password": password}), content_type="application/json")


def test_audit_record_writes_a_row_and_a_structured_log_line_with_secrets_masked(rf, user, caplog):
    request = rf.post("/api/webhooks/stripe", REMOTE_ADDR="203.0.113.9")
    request.request_id = "req-abc-12345"
    caplog.set_level(logging.INFO, logger="photomania.audit")

    row = audit_record(
        event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED, user=user, request=request, provider="stripe", signature="t=1"
    )

    row.refresh_from_db()
    assert (row.event, row.user_id, row.ip_address, row.request_id) == (
        "webhook_signature_failed",
        user.pk,
        "203.0.113.9",
        "req-abc-12345",
    )
    assert row.data == {"provider": "stripe", "signature": "********"}
    [log] = [r for r in caplog.records if r.name == "photomania.audit"]
    assert log.audit_event == "webhook_signature_failed"
    assert log.audit_data == {"provider": "stripe", "signature": "********"}
    assert log.audit_ip == "203.0.113.9"


def test_audit_record_refuses_an_unknown_event_name(db):
    try:
        audit_record(event="something_else")
    except ValueError:
        refused = True
    else:
        refused = False

    assert refused
    assert not AuditEvent.objects.exists()


def test_a_failed_api_login_is_audited_with_the_targeted_account(client, user):
    response = _login(client, user.email, "wrong-password")

    assert response.status_code == 400
    event = AuditEvent.objects.get(event=AuditEvent.Event.LOGIN_FAILED)
    assert event.user_id == user.pk
    assert event.data == {"login": user.email}
    assert event.ip_address == "127.0.0.1"


def test_a_failed_login_for_an_unknown_email_is_audited_without_a_user(client, db):
    _login(client, "nobody@example.com", "whatever-password")

    event = AuditEvent.objects.get(event=AuditEvent.Event.LOGIN_FAILED)
    assert event.user_id is None
    assert event.data == {"login": "nobody@example.com"}


def test_repeated_login_failures_record_one_lockout_when_the_limit_is_reached(client, user):
    # RATE_LIMIT_LOGIN_FAILED's per-key part is 5 per 5 minutes: the 5th failure locks out.
    for i in range(7):
        _login(client, user.email, f"wrong-{i}")

    failures = AuditEvent.objects.filter(event=AuditEvent.Event.LOGIN_FAILED, user=user).count()
    lockouts = AuditEvent.objects.filter(event=AuditEvent.Event.LOGIN_LOCKED_OUT, user=user).count()
    assert (failures, lockouts) == (5, 1)


def test_a_successful_login_is_not_audited_as_a_failure(client, user):
    response = _login(client, user.email, "correct-horse-battery-staple")

    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def _refused_webhook(rf, ip: str):
    return rf.post("/api/webhooks/stripe", REMOTE_ADDR=ip)


def test_aggregated_events_from_one_address_write_one_row_with_the_count(rf, db, monkeypatch):
    monkeypatch.setattr(audit, "AGGREGATE_FLUSH_SECONDS", 0)  # refresh the count on every event
    for _ in range(150):
        audit_record_aggregated(
            event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED,
            request=_refused_webhook(rf, "203.0.113.7"),
            provider="stripe",
            reason="Invalid signature",
        )

    [row] = AuditEvent.objects.all()
    assert row.ip_address == "203.0.113.7"
    assert row.data == {"provider": "stripe", "reason": "Invalid signature", "count": 150}


def test_aggregated_event_count_is_written_at_most_once_per_flush_interval(rf, db, django_assert_max_num_queries):
    request = _refused_webhook(rf, "203.0.113.7")
    audit_record_aggregated(event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED, request=request, provider="stripe")

    with django_assert_max_num_queries(1):
        for _ in range(100):
            audit_record_aggregated(event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED, request=request, provider="stripe")

    assert AuditEvent.objects.count() == 1


def test_aggregated_events_from_different_addresses_get_their_own_rows(rf, db):
    for ip in ("203.0.113.7", "203.0.113.8"):
        audit_record_aggregated(
            event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED, request=_refused_webhook(rf, ip), provider="stripe"
        )

    assert sorted(AuditEvent.objects.values_list("ip_address", flat=True)) == ["203.0.113.7", "203.0.113.8"]


def test_audit_rows_forget_their_ip_address_after_the_retention_period(db, user, settings):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.audit import audit_ip_addresses_forget

    settings.AUDIT_IP_RETENTION_DAYS = 90
    now = timezone.now()
    old = AuditEvent.objects.create(
        event=AuditEvent.Event.LOGIN_FAILED, user=user, ip_address="203.0.113.7", created_at=now - timedelta(days=91)
    )
    recent = AuditEvent.objects.create(
        event=AuditEvent.Event.LOGIN_FAILED, user=user, ip_address="203.0.113.8", created_at=now - timedelta(days=89)
    )

    forgotten = audit_ip_addresses_forget(now=now, batch=1)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert forgotten == 1
    assert old.ip_address is None
    assert old.event == AuditEvent.Event.LOGIN_FAILED
    assert recent.ip_address == "203.0.113.8"


def test_the_audit_ip_retention_runs_on_a_schedule(settings):
    from accounts.tasks import audit_ip_addresses_forget_task

    entry = settings.CELERY_BEAT_SCHEDULE["accounts-forget-audit-ips"]

    assert entry["task"] == audit_ip_addresses_forget_task.name
