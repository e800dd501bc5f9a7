"""Account deletion on the real stack: PostgreSQL, Redis, the fake Stripe and Replicate servers, local
storage and moto's S3 server; the erasure service and a real Celery worker."""

from pathlib import Path

import boto3
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.db import connections
from django.db.models import Sum
from django.test import Client

from accounts.deletion import account_erase, deleted_address_hash, deletion_steps
from accounts.models import AuditEvent, DeletedAccount, User
from accounts.services import user_create
from accounts.tasks import sweep_account_deletions
from billing.models import CreditTransaction
from billing.stripe_services import checkout_session_create
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.jobs.run import job_process
from effects.models import Job, JobStatus
from tests.fakes import stripe_objects as so
from tests.support.api import assert_error, session_token_for, token_client
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory, totp_activate, totp_code
from tests.support.fake_servers import deliver, event_payload
from tests.support.images import image_bytes

PASSWORD = "correct-horse-battery-staple"


def ledger_matches_balance(user) -> bool:
    user.refresh_from_db()
    total = CreditTransaction.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or 0
    return user.credits == total


def stored_keys_local(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def stored_keys_s3(endpoint: str) -> set[str]:
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    listing = client.list_objects_v2(Bucket="photomania-test")
    return {item["Key"] for item in listing.get("Contents", [])}


def completed_job(user) -> Job:
    """A local effect run to the end: source, result and their renditions stored."""
    job = job_create(user=user, effect=EffectFactory(credits=1), source=image_validate_bytes(image_bytes("PNG")))
    job_process(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    return job


def provider_job(user) -> Job:
    """A job waiting on a Replicate prediction (PROCESSING, its prediction id stored)."""
    effect = EffectFactory(model_id="replicate:acme/restore", credits=2)
    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes("PNG")))
    job_process(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING and job.provider_prediction_id
    return job


@pytest.fixture
def account(user, client, fake_stripe, catalog, replicate_server):
    """A user with everything deletion must undo: a PRO subscription, a pending pack checkout, a finished
    local job, a provider job in flight, an address, a provider login, an authenticator, a failed login."""
    customer = so.customer_id_for(user)
    subscription = so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    deliver(client, event_payload("customer.subscription.created", subscription))
    checkout = checkout_session_create(user=user, pack_code="pack-50")
    done = completed_job(user)
    running = provider_job(user)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    SocialAccount.objects.create(user=user, provider="github", uid="12345", extra_data={"login": "ada"})
    totp_activate(user=user)
    Client(REMOTE_ADDR="203.0.113.7").post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert AuditEvent.objects.filter(user=user, ip_address="203.0.113.7", data__login=user.email).exists()
    user.refresh_from_db()
    return {
        "user": user,
        "subscription": subscription["id"],
        "checkout": checkout["sessionId"],
        "jobs": [done, running],
        "prediction": running.provider_prediction_id,
        "email": user.email,
    }


def request_deletion(user) -> None:
    response = token_client(user).delete("/api/user", {"password": PASSWORD}, format="json")
    assert response.status_code == 202, response.content


# --- The request -----------------------------------------------------------------------------------


def test_delete_with_the_password_answers_202_and_ends_every_session_at_once(user):
    first, second = token_client(user), token_client(user)
    browser = Client()
    browser.force_login(user)

    response = first.delete("/api/user", {"password": PASSWORD}, format="json")

    assert response.status_code == 202
    assert response.json()["data"]["status"] == "DELETION_REQUESTED"
    assert_error(first.get("/api/user"), 401, "INVALID_TOKEN")
    assert_error(second.get("/api/user"), 401, "INVALID_TOKEN")
    assert browser.get("/dashboard/").status_code == 302
    user.refresh_from_db()
    assert user.deletion_requested_at is not None and not user.is_active


@pytest.mark.parametrize("body", [{}, {"password": ""}, {"code": "123456"}])
def test_delete_without_a_confirmation_is_refused_and_changes_nothing(user, user_client, body):
    response = user_client.delete("/api/user", body, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "password" in body["error"]["details"]
    user.refresh_from_db()
    assert user.deletion_requested_at is None and user.is_active
    assert user_client.get("/api/user").status_code == 200


def test_delete_with_a_wrong_password_is_refused_and_audited_as_a_failed_login(user, user_client):
    response = user_client.delete("/api/user", {"password": "not-my-password"}, format="json")

    assert_error(response, 400, "VALIDATION_ERROR")
    assert AuditEvent.objects.filter(event=AuditEvent.Event.LOGIN_FAILED, user=user).count() == 1
    user.refresh_from_db()
    assert user.deletion_requested_at is None


def test_wrong_passwords_are_throttled_like_failed_logins_then_even_the_right_one_waits(user, user_client):
    # ACCOUNT_RATE_LIMITS["login_failed"]: 5 per 5 minutes per address.
    for _ in range(5):
        assert_error(user_client.delete("/api/user", {"password": "guess"}, format="json"), 400, "VALIDATION_ERROR")

    response = user_client.delete("/api/user", {"password": PASSWORD}, format="json")

    assert_error(response, 429, "RATE_LIMITED")
    user.refresh_from_db()
    assert user.deletion_requested_at is None


@pytest.mark.parametrize(
    "body", [[], "x", {"password": 123456}, {"password": {"a": 1}}, {"password": "x" * 5000}, {"code": ["1"]}]
)
def test_malformed_delete_bodies_get_the_error_envelope(user_client, body):
    response = user_client.delete("/api/user", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["success"] is False


def test_an_account_without_a_password_is_refused_without_a_recent_reauthentication(db):
    social_only = user_create(email="social@example.com")
    client = token_client(social_only)

    response = client.delete("/api/user", {}, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "re-authenticate" in body["error"]["details"]["password"][0]


def test_an_account_without_a_password_confirms_with_a_recent_authentication_in_its_session(db):
    import time

    from django.contrib.sessions.backends.db import SessionStore

    social_only = user_create(email="social@example.com")
    token = session_token_for(social_only)
    session = SessionStore(session_key=token)
    session["account_authentication_methods_user"] = str(social_only.pk)
    session["account_authentication_methods"] = [{"method": "socialaccount", "at": time.time(), "provider": "oidc"}]
    session.save()
    client = token_client(social_only)
    client.credentials(HTTP_X_SESSION_TOKEN=token)

    response = client.delete("/api/user", {}, format="json")

    assert response.status_code == 202, response.content


def test_an_old_authentication_does_not_confirm(db, settings):
    import time

    from django.contrib.sessions.backends.db import SessionStore

    social_only = user_create(email="social@example.com")
    token = session_token_for(social_only)
    session = SessionStore(session_key=token)
    session["account_authentication_methods_user"] = str(social_only.pk)
    session["account_authentication_methods"] = [{"method": "socialaccount", "at": time.time() - 3600}]
    session.save()
    client = token_client(social_only)
    client.credentials(HTTP_X_SESSION_TOKEN=token)

    assert_error(client.delete("/api/user", {}, format="json"), 400, "VALIDATION_ERROR")


def test_staff_with_an_authenticator_app_must_also_give_its_code(db):
    staff = UserFactory(is_staff=True)
    secret = totp_activate(user=staff)
    client = token_client(staff)

    refused = client.delete("/api/user", {"password": PASSWORD}, format="json")
    accepted = client.delete("/api/user", {"password": PASSWORD, "code": totp_code(secret)}, format="json")

    assert "code" in assert_error(refused, 400, "VALIDATION_ERROR")["error"]["details"]
    assert accepted.status_code == 202, accepted.content


# --- The erasure -----------------------------------------------------------------------------------


def test_deletion_cancels_the_subscription_in_stripe_and_expires_the_pending_checkout(account, fake_stripe):
    request_deletion(account["user"])

    account_erase(user_id=account["user"].pk)

    assert fake_stripe.get("subscriptions", account["subscription"])["status"] == "canceled"
    assert len(fake_stripe.calls("DELETE", f"/v1/subscriptions/{account['subscription']}")) == 1
    assert fake_stripe.get("checkout/sessions", account["checkout"])["status"] == "expired"


def test_deletion_cancels_the_provider_run_and_deletes_every_job_and_stored_file(
    account, replicate_server, media_storage
):
    before = stored_keys_local(media_storage)
    job_ids = {str(job.pk) for job in account["jobs"]}
    assert {key.split("/")[1] for key in before if key.startswith("jobs/")} == job_ids
    assert len([k for k in before if k.startswith("jobs/")]) >= 6  # sources, a result, renditions
    request_deletion(account["user"])

    account_erase(user_id=account["user"].pk)

    assert replicate_server.cancels == [account["prediction"]]
    assert replicate_server.predictions[account["prediction"]]["status"] == "canceled"
    assert not Job.objects.filter(pk__in=job_ids).exists()
    assert [key for key in stored_keys_local(media_storage) if key.startswith("jobs/")] == []


def test_deletion_deletes_every_stored_object_from_s3_too(user, replicate_server, s3_storage, s3_server):
    jobs = [completed_job(user), provider_job(user)]
    before = {key for key in stored_keys_s3(s3_server) if key.split("/")[1:2] in ([str(j.pk)] for j in jobs)}
    assert len(before) >= 6
    request_deletion(user)

    account_erase(user_id=user.pk)

    after = stored_keys_s3(s3_server)
    assert before & after == set()
    assert not [key for key in after if any(str(job.pk) in key for job in jobs)]


def test_deletion_keeps_the_ledger_and_the_balance_equals_its_sum(account):
    user = account["user"]
    rows_before = CreditTransaction.objects.filter(user=user).count()
    request_deletion(user)

    account_erase(user_id=user.pk)

    # The in-flight job's charge came back as one more row; nothing was removed.
    assert CreditTransaction.objects.filter(user=user).count() == rows_before + 1
    assert ledger_matches_balance(user)


def test_deletion_leaves_the_revenue_figures_and_every_ledger_row(account, client, fake_stripe):
    from datetime import timedelta

    from django.utils import timezone

    from billing.selectors import revenue_by_product

    session = so.paid_pack_session(fake_stripe, account["user"])
    assert deliver(client, event_payload("checkout.session.completed", session)).status_code == 200
    since, until = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    revenue = revenue_by_product(since=since, until=until)
    assert revenue  # the pack's payment
    ledger_ids = set(CreditTransaction.objects.values_list("id", flat=True))
    request_deletion(account["user"])

    account_erase(user_id=account["user"].pk)

    assert revenue_by_product(since=since, until=until) == revenue
    assert account["user"].pack_purchases.filter(stripe_checkout_session_id=session["id"], status="PAID").exists()
    assert ledger_ids <= set(CreditTransaction.objects.values_list("id", flat=True))


def test_deletion_leaves_an_anonymous_tombstone_and_scrubs_the_audit_log(account):
    user, email = account["user"], account["email"]
    request_deletion(user)

    account_erase(user_id=user.pk)

    user.refresh_from_db()
    assert user.email.startswith("deleted-") and user.email.endswith("@invalid")
    assert (user.name, user.image, user.referred_by_id) == ("", "", None)
    assert not user.is_active and not user.has_usable_password() and user.deleted_at is not None
    assert not User.objects.filter(email__iexact=email).exists()
    rows = AuditEvent.objects.filter(user=user)
    assert rows.filter(event=AuditEvent.Event.LOGIN_FAILED).exists()
    assert rows.filter(event=AuditEvent.Event.ACCOUNT_DELETED).exists()
    for row in rows:
        assert row.ip_address is None
        assert email not in str(row.data)


def test_deletion_removes_addresses_provider_logins_and_authenticators(account):
    user = account["user"]
    request_deletion(user)

    account_erase(user_id=user.pk)

    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()


def test_deletion_sends_one_confirmation_to_the_address_before_it_is_erased(account):
    request_deletion(account["user"])

    account_erase(user_id=account["user"].pk)
    account_erase(user_id=account["user"].pk)

    (message,) = mail.outbox
    assert message.to == [account["email"]]
    assert "deleted" in message.subject.lower()
    html = message.alternatives[0][0]
    assert "Your account has been deleted" in html


def test_deletion_deletes_the_stored_sessions(user):
    token = session_token_for(user)
    request_deletion(user)

    account_erase(user_id=user.pk)

    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=token).exists()


def test_a_crash_in_the_middle_stops_the_run_and_the_next_run_finishes_without_repeating_steps(
    account, replicate_server, fake_stripe
):
    user = account["user"]
    request_deletion(user)
    replicate_server.cancel_status = 503  # the provider is down: the jobs step raises

    with pytest.raises(Exception):  # noqa: B017 (the provider's transient error, whatever its class)
        account_erase(user_id=user.pk)

    user.refresh_from_db()
    assert user.deleted_at is None
    assert "billing" in user.deletion_steps and "data:jobs" not in user.deletion_steps
    assert Job.objects.filter(user=user).exists()

    replicate_server.cancel_status = None
    account_erase(user_id=user.pk)

    user.refresh_from_db()
    assert user.deleted_at is not None
    assert user.deletion_steps == [name for name, _step in deletion_steps()]
    assert not Job.objects.filter(user=user).exists()
    assert len(fake_stripe.calls("DELETE", f"/v1/subscriptions/{account['subscription']}")) == 1
    assert ledger_matches_balance(user)


def test_an_account_nobody_asked_to_delete_is_never_erased(user):
    assert account_erase(user_id=user.pk) is None

    user.refresh_from_db()
    assert user.is_active and user.deleted_at is None


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_erase_once_and_send_one_email():
    from tests.support.concurrency import run_concurrently

    user = user_create(email="twice@example.com", password=PASSWORD)
    request_deletion(user)

    run_concurrently(2, lambda _i: account_erase(user_id=user.pk))
    account_erase(user_id=user.pk)

    user.refresh_from_db()
    assert user.deleted_at is not None
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(event=AuditEvent.Event.ACCOUNT_DELETED).count() == 1


# --- Signing up again ------------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["ada.lovelace@gmail.com", "AdaLovelace+new@googlemail.com"])
def test_the_address_can_sign_up_again_but_starts_with_zero_credits(db, again):
    first = user_create(email="ada.lovelace@gmail.com", password=PASSWORD)
    request_deletion(first)
    account_erase(user_id=first.pk)

    second = user_create(email=again, password=PASSWORD)

    assert second.credits == 0
    assert not CreditTransaction.objects.filter(user=second).exists()
    assert ledger_matches_balance(second)
    assert DeletedAccount.objects.filter(email_hash=deleted_address_hash(again)).exists()


def test_only_a_keyed_hash_of_the_deleted_address_is_kept(db):
    user = user_create(email="grace@example.com", password=PASSWORD)
    request_deletion(user)
    account_erase(user_id=user.pk)

    (row,) = DeletedAccount.objects.all()
    assert "grace" not in row.email_hash and len(row.email_hash) == 64
    assert user_create(email="someone-else@example.com").credits == 10


def test_a_returning_address_gets_no_referral(db):
    referrer = user_create(email="referrer@example.com")
    first = user_create(email="farmer@example.com", password=PASSWORD)
    request_deletion(first)
    account_erase(user_id=first.pk)

    again = user_create(email="farmer@example.com", referral_code=referrer.referral_code)

    assert again.referred_by is None


# --- The task, the sweep and a real worker ---------------------------------------------------------


def test_the_sweep_starts_again_a_deletion_left_unfinished(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    user = user_create(email="stuck@example.com", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(deletion_requested_at=timezone.now() - timedelta(hours=1), is_active=False)
    recent = user_create(email="recent@example.com", password=PASSWORD)
    User.objects.filter(pk=recent.pk).update(deletion_requested_at=timezone.now())

    from accounts.deletion import account_deletions_unfinished

    assert account_deletions_unfinished() == [user.pk]
    assert settings.CELERY_BEAT_SCHEDULE["accounts-sweep-deletions"]["task"] == sweep_account_deletions.name


@pytest.mark.django_db(transaction=True)
def test_the_sweep_on_a_real_worker_finishes_a_deletion_whose_run_died(celery_worker_pipeline):
    from datetime import timedelta

    from django.utils import timezone

    user = user_create(email="crashed@example.com", password=PASSWORD)
    # As left by a run that died after the first step: requested an hour ago, one step done.
    User.objects.filter(pk=user.pk).update(
        deletion_requested_at=timezone.now() - timedelta(hours=1), is_active=False, deletion_steps=["billing"]
    )

    assert sweep_account_deletions() == 1
    wait_for(
        lambda: User.objects.filter(pk=user.pk, deleted_at__isnull=False).exists(),
        timeout=60,
        message="the swept deletion to finish",
    )
    connections.close_all()

    user.refresh_from_db()
    assert user.email.endswith("@invalid")
    assert user.deletion_steps == [name for name, _step in deletion_steps()]


@pytest.mark.django_db(transaction=True)
def test_a_deletion_requested_through_the_api_is_finished_by_a_real_worker(
    fake_stripe, catalog, replicate_server, media_storage, celery_worker_pipeline
):
    user = user_create(email="worker@example.com", password=PASSWORD)
    customer = so.customer_id_for(user)
    subscription = so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    deliver(Client(), event_payload("customer.subscription.created", subscription))
    jobs = [completed_job(user), provider_job(user)]
    assert [k for k in stored_keys_local(media_storage) if k.startswith("jobs/")]

    request_deletion(user)
    wait_for(
        lambda: User.objects.filter(pk=user.pk, deleted_at__isnull=False).exists(),
        timeout=60,
        message="the worker to finish the deletion",
    )
    connections.close_all()

    user.refresh_from_db()
    assert user.email.endswith("@invalid")
    assert fake_stripe.get("subscriptions", subscription["id"])["status"] == "canceled"
    assert jobs[1].provider_prediction_id in replicate_server.cancels
    assert [k for k in stored_keys_local(media_storage) if k.startswith("jobs/")] == []
    assert ledger_matches_balance(user)
    assert len(mail.outbox) == 1
