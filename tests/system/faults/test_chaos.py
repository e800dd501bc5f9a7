"""Chaos: concurrent applies (some retried with an Idempotency-Key), duplicate task deliveries,
replayed Stripe webhooks and a SIGKILLed worker at once. Afterwards every job is terminal and,
for every user, balance == sum(ledger) with exactly one charge per job."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import CreditTransaction
from billing.stripe_services import checkout_session_create
from effects.jobs.sweep import jobs_sweep
from effects.models import Job, JobStatus
from effects.tasks import process_job
from tests.fakes import stripe_objects as so
from tests.support.api import session_token_for
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.fake_servers import deliver, event_payload
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

USERS = 4
APPLIES_PER_USER = 6
PACK_CREDITS = 50


def paid_pack_event(fake, user) -> dict:
    session_id = checkout_session_create(user=user, pack_code="pack-50")["sessionId"]
    session = fake.get("checkout/sessions", session_id)
    intent = so.payment_intent(fake, customer=session["customer"], amount=500)
    session |= {"status": "complete", "payment_status": "paid", "payment_intent": intent["id"]}
    return event_payload("checkout.session.completed", fake.put("checkout/sessions", session))


def in_threads(functions) -> list:
    errors = []

    def run(function):
        try:
            function()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_chaos_ends_with_every_job_terminal_and_every_ledger_exact(start_worker, fake_stripe, catalog):
    users = [UserFactory() for _ in range(USERS)]
    effect = EffectFactory(model_id="local:oil-paint", credits=1)
    events = [paid_pack_event(fake_stripe, user) for user in users]
    worker = start_worker("chaos-victim")
    statuses: list[int] = []

    def applies(user):
        client = APIClient()
        client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
        for i in range(APPLIES_PER_USER):
            image = image_bytes("JPEG", (640, 480))
            # Every other apply is sent twice with one key, as a client retrying after a timeout.
            sends = 2 if i % 2 else 1
            for _ in range(sends):
                upload = SimpleUploadedFile("p.jpg", image, content_type="image/jpeg")
                response = client.post(
                    "/api/effects/apply",
                    {"effectId": effect.slug, "image": upload},
                    format="multipart",
                    headers={"Idempotency-Key": f"chaos-{user.pk}-{i}"},
                )
                statuses.append(response.status_code)

    def replay(event):
        # Stripe retries: the same event three times.
        for _ in range(3):
            deliver(Client(), event)

    errors = in_threads([lambda u=u: applies(u) for u in users] + [lambda e=e: replay(e) for e in events])
    jobs = list(Job.objects.filter(user__in=users))
    for job in jobs[::2]:
        process_job.apply_async(args=[str(job.pk)], queue=job.queue, task_id=f"job-{job.pk}-chaos-dup")
    wait_for(lambda: Job.objects.filter(status=JobStatus.COMPLETED).exists(), timeout=60, message="a first result")
    worker.kill()
    start_worker("chaos-rescuer")
    jobs_sweep(now=timezone.now() + timedelta(seconds=settings.JOB_TIME_LIMIT + settings.JOB_ENQUEUE_GRACE + 1))
    wait_for(
        lambda: not Job.objects.filter(user__in=users)
        .exclude(status__in=[JobStatus.COMPLETED, JobStatus.FAILED])
        .exists(),
        timeout=180,
        message="every job to be terminal",
    )

    assert errors == []
    assert set(statuses) <= {200}, statuses
    assert len(jobs) == USERS * APPLIES_PER_USER
    for user in users:
        user.refresh_from_db()
        ledger = CreditTransaction.objects.filter(user=user)
        user_jobs = Job.objects.filter(user=user)
        charges = ledger.filter(kind=CreditTransaction.Kind.EFFECT_CHARGE).count()
        refunds = ledger.filter(kind=CreditTransaction.Kind.REFUND).count()
        assert user.credits == ledger.aggregate(s=Sum("amount"))["s"]
        assert charges == user_jobs.count()
        assert refunds == user_jobs.filter(status=JobStatus.FAILED).count()
        assert ledger.filter(kind=CreditTransaction.Kind.PURCHASE).count() == 1
        assert user.credits == 10 + PACK_CREDITS - charges + refunds
