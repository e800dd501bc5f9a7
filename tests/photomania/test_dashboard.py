"""The staff dashboard page: staff only, every chart with its data and a text alternative, empty states, CSP-safe."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.services import credits_charge
from effects.jobs.delete import job_delete
from effects.models import JobErrorCode, JobStatus
from photomania.dashboard import dashboard_data
from tests.support.factories import EffectFactory, JobFactory, UserFactory, staff_force_login

pytestmark = pytest.mark.django_db

CHARTS = ["jobs", "errors", "timing", "credits", "revenue", "users"]


def _some_jobs():
    effect = EffectFactory(name="Sepia")
    now = timezone.now()
    JobFactory(
        effect=effect,
        status=JobStatus.COMPLETED,
        started_at=now - timedelta(seconds=4),
        completed_at=now,
    )
    JobFactory(effect=effect, status=JobStatus.FAILED, error_code=JobErrorCode.TIMEOUT, completed_at=now)


def _chart_data(html: str) -> dict:
    return json.loads(re.search(r'<script id="pm-dashboard-data" type="application/json">(.*?)</script>', html)[1])


def test_dashboard_is_refused_to_non_staff(client, user):
    client.force_login(user)

    response = client.get(reverse("admin:dashboard"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_dashboard_is_refused_to_visitors(client):
    response = client.get(reverse("admin:dashboard"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_dashboard_draws_every_chart_from_embedded_json(client, staff_user):
    _some_jobs()
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    for name in ("jobs", "errors", "timing", "users"):
        assert f'data-chart="{name}"' in html
    assert set(_chart_data(html)) == set(CHARTS)
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html


def test_dashboard_has_no_inline_script_or_style_for_the_csp(client, staff_user):
    _some_jobs()
    staff_force_login(client, staff_user)

    html = client.get(reverse("admin:dashboard")).content.decode()

    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in scripts), scripts
    assert " style=" not in html.split('<div class="pm-dash">')[1]


def test_dashboard_gives_each_chart_a_summary_and_a_data_table(client, staff_user):
    _some_jobs()
    staff_force_login(client, staff_user)

    html = client.get(reverse("admin:dashboard")).content.decode()

    for name in ("jobs", "errors", "timing", "users"):
        canvas = re.search(rf'<canvas data-chart="{name}"[^>]*>', html)[0]
        summary_id = re.search(r'aria-describedby="([^"]+)"', canvas)[1]
        assert 'role="img"' in canvas and f'id="{summary_id}"' in html
    # Jobs, errors, timing, credits (the users' sign-up grants) and users; no payments, no revenue table.
    assert html.count("<summary>Data table</summary>") == 5
    assert "1 of 2 finished jobs failed (50%)" in html
    assert '<th scope="row">TIMEOUT</th>' in html


def test_dashboard_without_data_shows_empty_states_instead_of_charts(client, staff_user):
    staff_force_login(client, staff_user)
    JobFactory._meta.model.objects.all().delete()

    html = client.get(reverse("admin:dashboard") + "?days=1").content.decode()

    assert "No jobs were started in this period." in html
    assert "No job finished in this period." in html
    assert "No payments in this period." in html
    assert 'data-chart="jobs"' not in html and 'data-chart="revenue"' not in html


def test_dashboard_period_is_one_of_24_hours_7_or_30_days(client, staff_user):
    staff_force_login(client, staff_user)

    chosen = client.get(reverse("admin:dashboard") + "?days=30")
    unknown = client.get(reverse("admin:dashboard") + "?days=365")

    assert chosen.context["days"] == 30 and chosen.context["job_bucket"] == "day"
    assert unknown.context["days"] == 7 and unknown.context["job_bucket"] == "hour"


def test_dashboard_data_totals_the_period(billing_catalog):
    _some_jobs()
    UserFactory()

    data = dashboard_data(days=7)

    assert data["totals"]["jobs"] == 2
    assert data["totals"]["failure_rate"] == 0.5
    assert data["totals"]["new_users"] == 3  # the two jobs' users and the one above
    assert len(data["charts"]["jobs"]["labels"]) == 7 * 24 + 1


def test_dashboard_counts_charged_jobs_from_the_ledger_so_deleted_jobs_still_count(billing_catalog):
    user = UserFactory()
    jobs = [JobFactory(user=user, status=JobStatus.COMPLETED, credits_charged=2) for _ in range(3)]
    for job in jobs:
        credits_charge(user=user, amount=2, reference=f"charge:{job.pk}", job=job)
    job_delete(job=jobs[0])

    data = dashboard_data(days=7)

    assert data["totals"]["jobs"] == 2  # still on record
    assert data["totals"]["jobs_charged"] == 3
    assert data["totals"]["credits_spent"] == 6


def test_dashboard_shows_failures_the_users_photo_caused_apart(client, staff_user):
    now = timezone.now()
    JobFactory(status=JobStatus.COMPLETED, completed_at=now)
    JobFactory(status=JobStatus.FAILED, error_code=JobErrorCode.NO_SUBJECT, completed_at=now)
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:dashboard"))

    html = response.content.decode()
    assert response.context["totals"]["failure_rate"] == 0
    assert "0 of 2 finished jobs failed (0%); 1 more failed on the user's photo" in html
    assert _chart_data(html)["errors"] == {"labels": ["NO_SUBJECT"], "data": [1], "causes": ["user"]}


def test_dashboard_revenue_is_shown_in_each_currencys_own_units(billing_catalog):
    from billing.models import CreditPack, CreditPackPurchase

    pack, user = CreditPack.objects.get(code="pack-50"), UserFactory()
    for i, (amount, currency) in enumerate([(500, "jpy"), (1250, "usd")]):
        CreditPackPurchase.objects.create(
            user=user,
            pack=pack,
            credits=50,
            amount_cents=amount,
            currency=currency,
            stripe_checkout_session_id=f"cs_{i}",
            status=CreditPackPurchase.Status.PAID,
            paid_at=timezone.now(),
        )

    data = dashboard_data(days=7)

    assert sorted(r["display"] for r in data["totals"]["revenue"]) == ["$12.50", "¥500"]
    assert sorted(r["display"] for r in data["revenue"]) == ["$12.50", "¥500"]
    assert sorted(data["charts"]["revenue"]["data"]) == [12.5, 500.0]
