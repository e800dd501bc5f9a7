"""Stripe objects as the API returns them, stored in the fake server.

Builders take ``api_version``: the pinned 2024-06-20 shapes (``invoice.subscription``,
``lines.data[].price``, ``proration``) or a current one (``invoice.parent.subscription_details``,
``lines.data[].pricing.price_details.price``, ``parent.subscription_item_details.proration``,
the period on subscription items).
"""

import time

from billing.stripe_services import checkout_session_create, customer_get_or_create
from tests.support.fake_servers import PACK_AMOUNTS, PACK_PRICES, PINNED_API_VERSION, PLAN_AMOUNTS, PRICES


def customer_id_for(user) -> str:
    """The user's Stripe customer, created through our service (as the first checkout does)."""
    return customer_get_or_create(user=user).id


def product(fake, name: str = "PhotoMania", **extra) -> dict:
    return fake.put(
        "products",
        {
            "id": extra.pop("id", None) or f"prod_{name.lower().replace(' ', '_')}",
            "name": name,
            "active": True,
            "type": "service",
            "description": None,
            "images": [],
            "url": None,
            "updated": int(time.time()),
            **extra,
        },
    )


def price(fake, price_id: str, *, unit_amount: int = 900, recurring: str | None = "month", **extra) -> dict:
    prod = fake.get("products", "prod_photomania") or product(fake, id="prod_photomania")
    return fake.put(
        "prices",
        {
            "id": price_id,
            "active": True,
            "billing_scheme": "per_unit",
            "currency": "usd",
            "lookup_key": None,
            "nickname": None,
            "product": prod["id"],
            "recurring": (
                {"interval": recurring, "interval_count": 1, "usage_type": "licensed", "aggregate_usage": None}
                if recurring
                else None
            ),
            "tax_behavior": "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount),
            **extra,
        },
    )


def plan_price(fake, plan_code: str) -> dict:
    return fake.get("prices", PRICES[plan_code]) or price(
        fake, PRICES[plan_code], unit_amount=PLAN_AMOUNTS[plan_code], metadata={"plan": plan_code}
    )


def pack_price(fake, pack_code: str) -> dict:
    return fake.get("prices", PACK_PRICES[pack_code]) or price(
        fake, PACK_PRICES[pack_code], unit_amount=PACK_AMOUNTS[pack_code], recurring=None, metadata={"pack": pack_code}
    )


def catalog_prices(fake) -> None:
    """The prices our plans and packs are sold at, as a Stripe account set up for PhotoMania has them."""
    for code in PRICES:
        plan_price(fake, code)
    for code in PACK_PRICES:
        pack_price(fake, code)


def _current(api_version: str) -> bool:
    return api_version != PINNED_API_VERSION


def subscription(
    fake,
    *,
    customer: str,
    plan_code: str,
    status: str = "active",
    sub_id: str | None = None,
    api_version: str = PINNED_API_VERSION,
    extra_items: tuple[dict, ...] = (),
    metadata: dict | None = None,
) -> dict:
    """Store (or overwrite) a subscription on one plan's price; returns it as Stripe would."""
    sub_id = sub_id or fake.new_id("subscriptions")
    now = int(time.time())
    item = {
        "id": f"si_{sub_id[4:]}",
        "object": "subscription_item",
        "created": now,
        "metadata": {},
        "price": plan_price(fake, plan_code),
        "quantity": 1,
        "subscription": sub_id,
        "tax_rates": [],
        "billing_thresholds": None,
        "discounts": [],
    }
    period = {"current_period_start": now, "current_period_end": now + 30 * 86400}
    items = [{**item, "id": f"{item['id']}x{i}", "price": None} | extra for i, extra in enumerate(extra_items)]
    items.append(item)
    if _current(api_version):
        for each in items:
            each.update(period)
        period = {}
    return fake.put(
        "subscriptions",
        {
            "id": sub_id,
            "customer": customer,
            "status": status,
            "items": {"object": "list", "data": items, "has_more": False, "url": "/v1/subscription_items"},
            **period,
            "billing_cycle_anchor": now,
            "cancel_at_period_end": False,
            "cancel_at": None,
            "canceled_at": now if status == "canceled" else None,
            "ended_at": now if status == "canceled" else None,
            "collection_method": "charge_automatically",
            "currency": "usd",
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "discount": None,
            "discounts": [],
            "days_until_due": None,
            "latest_invoice": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": now,
            "trial_start": None,
            "trial_end": None,
            "metadata": metadata or {},
        },
    )


def invoice_line(
    fake,
    *,
    invoice_id: str,
    plan_code: str,
    n: int = 0,
    proration: bool = False,
    amount: int | None = None,
    subscription_id: str | None = None,
    api_version: str = PINNED_API_VERSION,
    price_id: str | None = None,
) -> dict:
    """One invoice line for a plan's price (a proration when ``proration``), in the version's shape."""
    now = int(time.time())
    the_price = fake.get("prices", price_id) if price_id else plan_price(fake, plan_code)
    line = {
        "id": f"il_{invoice_id[3:]}{n}",
        "object": "line_item",
        "amount": the_price["unit_amount"] if amount is None else amount,
        "currency": "usd",
        "description": ("Unused time on " if amount and amount < 0 else "") + f"1 x {plan_code}",
        "discountable": not proration,
        "discounts": [],
        "invoice": invoice_id,
        "livemode": False,
        "metadata": {},
        "period": {"start": now, "end": now + 30 * 86400},
        "quantity": 1,
        "tax_amounts": [],
        "tax_rates": [],
    }
    if _current(api_version):
        line["parent"] = {
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription_id,
                "subscription_item": None,
            },
        }
        line["pricing"] = {
            "type": "price_details",
            "price_details": {"price": the_price["id"], "product": the_price["product"]},
            "unit_amount_decimal": str(the_price["unit_amount"]),
        }
    else:
        line |= {
            "invoice_item": None,
            "price": the_price,
            "proration": proration,
            "subscription": subscription_id,
            "subscription_item": None,
            "type": "invoiceitem" if proration else "subscription",
        }
    return line


def invoice(
    fake,
    *,
    customer: str,
    plan_code: str,
    billing_reason: str = "subscription_cycle",
    status: str = "paid",
    subscription_id: str | None = None,
    api_version: str = PINNED_API_VERSION,
    prorations: tuple[tuple[str, int], ...] = (),
    metadata: dict | None = None,
    price_id: str | None = None,
) -> dict:
    """An invoice for a plan; ``prorations`` ((plan, amount), ...) become proration lines placed first."""
    now = int(time.time())
    invoice_id = fake.new_id("invoices")
    common = {"invoice_id": invoice_id, "subscription_id": subscription_id, "api_version": api_version}
    lines = [
        invoice_line(fake, plan_code=code, n=i, proration=True, amount=amount, **common)
        for i, (code, amount) in enumerate(prorations)
    ]
    lines.append(invoice_line(fake, plan_code=plan_code, n=len(lines), price_id=price_id, **common))
    total = sum(line["amount"] for line in lines)
    details = {"metadata": metadata or {}, "subscription": subscription_id}
    if _current(api_version):
        shape = {
            "parent": {"type": "subscription_details", "quote_details": None, "subscription_details": details},
            "payments": {"object": "list", "data": [], "has_more": False},
        }
    else:
        shape = {
            "subscription": subscription_id,
            "subscription_details": {"metadata": metadata or {}},
            "charge": None,
            "payment_intent": None,
            "paid": status == "paid",
            "discount": None,
            "tax": None,
        }
    return fake.put(
        "invoices",
        {
            "id": invoice_id,
            "customer": customer,
            "billing_reason": billing_reason,
            "status": status,
            "amount_due": total,
            "amount_paid": total if status == "paid" else 0,
            "amount_remaining": 0 if status == "paid" else total,
            "attempt_count": 1,
            "attempted": True,
            "auto_advance": False,
            "collection_method": "charge_automatically",
            "currency": "usd",
            "default_payment_method": None,
            "default_source": None,
            "discounts": [],
            "lines": {"object": "list", "data": lines, "has_more": False, "url": f"/v1/invoices/{invoice_id}/lines"},
            "number": None,
            "period_start": now,
            "period_end": now,
            "subtotal": total,
            "total": total,
            "status_transitions": {"paid_at": now if status == "paid" else None},
            **shape,
        },
    )


def payment_intent(fake, *, customer: str, amount: int = 500) -> dict:
    return fake.put(
        "payment_intents",
        {
            "amount": amount,
            "amount_received": amount,
            "currency": "usd",
            "customer": customer,
            "status": "succeeded",
            "payment_method": None,
            "payment_method_types": ["card"],
            "capture_method": "automatic",
            "confirmation_method": "automatic",
            "description": None,
            "invoice": None,
            "latest_charge": None,
            "on_behalf_of": None,
            "receipt_email": None,
            "setup_future_usage": None,
            "shipping": None,
            "statement_descriptor": None,
            "transfer_data": None,
            "transfer_group": None,
            "client_secret": "pi_secret_fake",
            "canceled_at": None,
            "cancellation_reason": None,
            "last_payment_error": None,
            "next_action": None,
        },
    )


def paid_pack_session(fake, user, pack_code="pack-50", *, payment_status="paid") -> dict:
    """A pack Checkout Session created by our service, then completed at Stripe."""
    session_id = checkout_session_create(user=user, pack_code=pack_code)["sessionId"]
    session = fake.get("checkout/sessions", session_id)
    pi = payment_intent(fake, customer=session["customer"], amount=500)
    session |= {"status": "complete", "payment_status": payment_status, "payment_intent": pi["id"]}
    return fake.put("checkout/sessions", session)


def charge(fake, *, customer: str, payment_intent_id: str, amount: int = 500, amount_refunded: int = 0) -> dict:
    charge_id = fake.new_id("charges")
    return fake.put(
        "charges",
        {
            "id": charge_id,
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": amount_refunded,
            "captured": True,
            "currency": "usd",
            "customer": customer,
            "payment_intent": payment_intent_id,
            "paid": True,
            "refunded": amount_refunded >= amount,
            "status": "succeeded",
            "balance_transaction": None,
            "payment_method": None,
            "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": "4242"}},
            "invoice": None,
            "description": None,
            "dispute": None,
            "failure_code": None,
            "failure_message": None,
            "fraud_details": {},
            "on_behalf_of": None,
            "outcome": None,
            "receipt_email": None,
            "receipt_url": None,
            "refunds": {"object": "list", "data": [], "has_more": False, "url": f"/v1/charges/{charge_id}/refunds"},
            "review": None,
            "shipping": None,
            "source": None,
            "source_transfer": None,
            "statement_descriptor": None,
            "transfer_data": None,
            "transfer_group": None,
            "application_fee": None,
            "application_fee_amount": None,
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        },
    )
