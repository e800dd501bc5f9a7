"""The staff dashboard in headless Chromium: a week of seeded history, every chart drawn, CSP respected."""

import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from djstripe.models import Customer, Invoice
from playwright.sync_api import expect

from accounts.models import User
from billing.models import CreditPack, CreditPackPurchase, CreditTransaction, Plan, PlanCode
from billing.services import credits_charge, credits_refund
from effects.models import Job, JobErrorCode, JobStatus
from tests.support.axe import axe_audit
from tests.support.factories import EffectFactory, JobFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Effect name, credits, typical seconds from start to result.
EFFECTS = [("Sepia", 1, 0.6), ("Cartoon", 2, 2.4), ("Background blur", 3, 4.5), ("Watercolour (AI)", 6, 18.0)]
FAILURES = [JobErrorCode.NO_SUBJECT] * 5 + [JobErrorCode.PROVIDER_UNAVAILABLE] * 3 + [JobErrorCode.TIMEOUT]


def _seed_week(now):
    """A plausible week: sign-ups, jobs by the hour (busier in the evening), failures, refunds, payments."""
    rng = random.Random(7)
    effects = [EffectFactory(name=name, slug=re.sub(r"\W+", "-", name.lower()), credits=c) for name, c, _ in EFFECTS]
    users = []
    for day in range(7):
        for _ in range(rng.randint(3, 9)):
            user = UserFactory()
            joined = now - timedelta(days=day, hours=rng.uniform(0, 23))
            # Each starts with a Starter refill (100 credits), some with a pack on top: one grant row here.
            extra = rng.choice([0, 0, 0, 50, 200])
            User.objects.filter(pk=user.pk).update(created_at=joined, credits=100 + extra)
            CreditTransaction.objects.filter(user=user).update(
                created_at=joined, amount=100 + extra, balance_after=100 + extra
            )
            users.append(user)
    for hour in range(7 * 24):
        start = now - timedelta(hours=hour)
        busy = 1 + (3 if 17 <= start.hour <= 22 else 0)
        for _ in range(rng.randint(0, 2 * busy)):
            effect_index = rng.choices(range(len(effects)), weights=[5, 3, 2, 1])[0]
            effect, typical = effects[effect_index], EFFECTS[effect_index][2]
            user = rng.choice(users)
            created = start - timedelta(minutes=rng.uniform(0, 59))
            seconds = typical * rng.lognormvariate(0, 0.35)
            failed = rng.random() < 0.08
            status = JobStatus.FAILED if failed else JobStatus.COMPLETED
            if hour == 0 and rng.random() < 0.5:
                status = JobStatus.PENDING
            job = JobFactory(
                user=user,
                effect=effect,
                credits_charged=effect.credits,
                status=status,
                created_at=created,
                started_at=created + timedelta(seconds=1) if status != JobStatus.PENDING else None,
                completed_at=created + timedelta(seconds=1 + seconds) if status != JobStatus.PENDING else None,
                error_code=rng.choice(FAILURES) if status == JobStatus.FAILED else "",
            )
            credits_charge(user=user, amount=effect.credits, reference=f"charge:{job.pk}", job=job)
            if status == JobStatus.FAILED:
                credits_refund(user=user, amount=effect.credits, reference=f"refund:{job.pk}", job=job)
            CreditTransaction.objects.filter(job=job).update(created_at=created)
    customer = Customer.objects.create(id="cus_week", livemode=False, stripe_data={})
    prices = {PlanCode.STARTER: ("price_starter", 900), PlanCode.PRO: ("price_pro", 2900)}
    for code, (price, _cents) in prices.items():
        Plan.objects.filter(code=code).update(stripe_price_id=price)
    for i in range(14):
        code = rng.choice([PlanCode.STARTER, PlanCode.STARTER, PlanCode.PRO])
        price, cents = prices[code]
        Invoice.objects.create(
            id=f"in_week_{i}",
            customer=customer,
            livemode=False,
            created=now - timedelta(days=rng.uniform(0, 6.9)),
            stripe_data={
                "status": "paid",
                "amount_paid": cents,
                "currency": "usd",
                "lines": {"data": [{"price": price}]},
            },
        )
    for i in range(9):
        pack = CreditPack.objects.order_by("?").first()
        CreditPackPurchase.objects.create(
            user=rng.choice(users),
            pack=pack,
            credits=pack.credits,
            amount_cents=pack.price_cents,
            currency="usd",
            stripe_checkout_session_id=f"cs_week_{i}",
            status=CreditPackPurchase.Status.PAID,
            paid_at=now - timedelta(days=rng.uniform(0, 6.9)),
        )
    return Job.objects.count()


def _drawn_pixels(canvas) -> int:
    """How many pixels of the canvas are not transparent (a chart that drew nothing has none)."""
    return canvas.evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )


def test_staff_opens_the_dashboard_from_the_admin_index_and_every_chart_is_drawn(
    page, live_server, billing_catalog, staff_signs_in, shoot
):
    now = timezone.now()
    assert _seed_week(now) > 100
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    staff_signs_in(page)
    shoot(page, "30-admin-index")

    page.get_by_role("link", name=re.compile("Staff dashboard")).click()

    expect(page).to_have_url(re.compile(r"/admin/dashboard/$"))
    expect(page.locator("canvas[data-drawn=true]")).to_have_count(6)
    page.wait_for_function("() => Object.values(Chart.instances).every(c => !c.animating)")
    for canvas in page.locator("canvas[data-chart]").all():
        assert canvas.evaluate("c => Chart.getChart(c) !== undefined")
        assert _drawn_pixels(canvas) > 500, canvas.get_attribute("data-chart")
    shoot(page, "31-admin-dashboard")
    assert page.csp_errors == [] and page.js_errors == [] and console_errors == []
    assert axe_audit(page) == ""


def test_dashboard_without_history_shows_its_empty_states(page, live_server, staff_signs_in, shoot):
    staff_signs_in(page)

    page.goto(f"{live_server.url}/admin/dashboard/?days=1")

    expect(page.get_by_text("No jobs were started in this period.")).to_be_visible()
    expect(page.get_by_text("No payments in this period.")).to_be_visible()
    shoot(page, "32-admin-dashboard-empty")
    assert page.csp_errors == [] and page.js_errors == []


def test_dashboard_fits_a_phone_and_labels_every_effects_bar(page, live_server, billing_catalog, staff_signs_in):
    now = timezone.now()
    _seed_week(now)
    for i in range(8):  # more effects than fit as every-other labels on a short chart
        effect = EffectFactory(name=f"Effect number {i}")
        JobFactory(
            effect=effect, status=JobStatus.COMPLETED, started_at=now - timedelta(seconds=i + 1), completed_at=now
        )
    staff_signs_in(page)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/admin/dashboard/")

    expect(page.locator("canvas[data-drawn=true]")).to_have_count(6)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    timing = page.locator('canvas[data-chart="timing"]')
    labels = timing.evaluate("c => Chart.getChart(c).data.labels.length")
    ticks = timing.evaluate("c => Chart.getChart(c).scales.y.ticks.length")
    assert ticks == labels >= 12
