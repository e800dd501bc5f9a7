"""What each staff role can do in the admin: every action is POSTed directly, offered or not.

Money moves (credit adjustments, refunds, free re-runs) need their own permissions
(``accounts.adjust_credits``, ``effects.refund_job``, ``effects.retry_job``) and leave an audit
row; effect actions need ``change_effect`` (``add_effect`` to duplicate); viewing grants nothing.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import AuditEvent
from billing.models import CreditTransaction
from billing.services import credits_charge
from effects.models import Effect, Job, JobStatus
from tests.support.factories import EffectFactory, JobFactory, UserFactory, staff_force_login, totp_activate

pytestmark = pytest.mark.django_db

ROLES = {
    "view_user": ["view_user"],
    "view_job": ["view_job"],
    "change_effect": ["view_effect", "change_effect"],
    "support": ["view_user", "adjust_credits", "view_job", "refund_job", "retry_job"],
}


def _staff(client, role: str):
    member = UserFactory(is_staff=True, is_superuser=role == "superuser")
    totp_activate(user=member)
    member.user_permissions.add(*Permission.objects.filter(codename__in=ROLES.get(role, [])))
    staff_force_login(client, member)
    return member


def _post_action(client, changelist: str, action: str, ids, **extra):
    return client.post(reverse(changelist), {"action": action, "_selected_action": list(ids), **extra})


def _charged_job(status: str) -> Job:
    # Made from an image URL, so a retry can fetch its photo again.
    job = JobFactory(status=status, credits_charged=2, source_url="https://93.184.215.14/photo.jpg")
    credits_charge(user=job.user, amount=2, reference=f"charge:{job.pk}", job=job)
    return job


def _credits(user) -> int:
    user.refresh_from_db()
    return user.credits


def _adjusts_own_credits(client, member) -> bool:
    before = _credits(member)
    _post_action(
        client, "admin:accounts_user_changelist", "adjust_credits", [member.pk], apply="1", amount=5000, note="x"
    )
    return _credits(member) == before + 5000


def _fails_and_refunds(client, job) -> bool:
    _post_action(client, "admin:effects_job_changelist", "fail_and_refund", [job.pk], apply="1", message="m")
    return CreditTransaction.objects.filter(reference=f"refund:{job.pk}").exists()


def _retries(client, job) -> bool:
    _post_action(client, "admin:effects_job_changelist", "retry", [job.pk])
    job.refresh_from_db()
    return job.status == JobStatus.PENDING


def _goodwill_refunds(client, job) -> bool:
    _post_action(client, "admin:effects_job_changelist", "goodwill_refund", [job.pk], apply="1", note="n")
    return CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").exists()


def _activates(client) -> bool:
    effect = EffectFactory(is_active=False, preview="previews/ready.jpg")  # only an effect with a preview is shown
    _post_action(client, "admin:effects_effect_changelist", "activate", [effect.pk])
    effect.refresh_from_db()
    return effect.is_active


def _deactivates(client) -> bool:
    effect = EffectFactory(is_active=True)
    _post_action(client, "admin:effects_effect_changelist", "deactivate", [effect.pk])
    effect.refresh_from_db()
    return not effect.is_active


def _duplicates(client) -> bool:
    effect = EffectFactory()
    _post_action(client, "admin:effects_effect_changelist", "duplicate", [effect.pk])
    return Effect.objects.filter(slug__startswith=f"{effect.slug}-").exists()


def _renders_preview(client) -> bool:
    effect = EffectFactory(model_id="local:grayscale")
    _post_action(client, "admin:effects_effect_changelist", "render_preview", [effect.pk])
    effect.refresh_from_db()
    return bool(effect.preview)


def _opens_try_it(client) -> bool:
    effect = EffectFactory()
    return client.get(reverse("admin:effects_effect_try", args=[effect.pk])).status_code == 200


# role -> what it may do; everything else must be refused.
ALLOWED = {
    "view_user": set(),
    "view_job": set(),
    "change_effect": {"activate", "deactivate", "render_preview", "try"},
    "support": {"adjust_credits", "fail_in_flight", "retry", "goodwill"},
    "superuser": {
        "adjust_credits",
        "fail_in_flight",
        "retry",
        "goodwill",
        "activate",
        "deactivate",
        "duplicate",
        "render_preview",
        "try",
    },
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_staff_role_can_do_only_what_its_permissions_allow(client, role, media_storage):
    member = _staff(client, role)

    done = {
        "adjust_credits": _adjusts_own_credits(client, member),
        "fail_in_flight": _fails_and_refunds(client, _charged_job(JobStatus.PROCESSING)),
        "retry": _retries(client, _charged_job(JobStatus.FAILED)),
        "goodwill": _goodwill_refunds(client, _charged_job(JobStatus.COMPLETED)),
        "activate": _activates(client),
        "deactivate": _deactivates(client),
        "duplicate": _duplicates(client),
        "render_preview": _renders_preview(client),
        "try": _opens_try_it(client),
    }

    assert {name for name, did in done.items() if did} == ALLOWED[role]


@pytest.mark.parametrize("role", ["support", "superuser"])
def test_no_role_fails_and_refunds_a_completed_job(client, role):
    _staff(client, role)
    job = _charged_job(JobStatus.COMPLETED)

    refunded = _fails_and_refunds(client, job)

    job.refresh_from_db()
    assert not refunded
    assert job.status == JobStatus.COMPLETED
    assert not AuditEvent.objects.filter(event=AuditEvent.Event.ADMIN_JOB_FAILED).exists()


def test_every_money_action_leaves_an_audit_row(client):
    member = _staff(client, "support")
    in_flight, failed, completed = (
        _charged_job(s) for s in (JobStatus.PROCESSING, JobStatus.FAILED, JobStatus.COMPLETED)
    )

    _adjusts_own_credits(client, member)
    _fails_and_refunds(client, in_flight)
    _retries(client, failed)
    _goodwill_refunds(client, completed)

    events = {(row.event, row.actor_id) for row in AuditEvent.objects.all()}
    assert {
        (AuditEvent.Event.ADMIN_CREDIT_ADJUSTMENT, member.pk),
        (AuditEvent.Event.ADMIN_JOB_FAILED, member.pk),
        (AuditEvent.Event.ADMIN_JOB_RETRIED, member.pk),
        (AuditEvent.Event.JOB_GOODWILL_REFUND, member.pk),
    } <= events


def test_every_admin_action_of_ours_declares_the_permissions_it_needs():
    ours = {"accounts", "effects", "billing"}
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ours:
            continue
        for name in model_admin.actions or ():
            func = getattr(model_admin, name) if isinstance(name, str) else name
            if not getattr(func, "allowed_permissions", None):
                missing.append(f"{model._meta.label}.{getattr(func, '__name__', name)}")
    assert missing == []
