"""Stripe objects as the API returns them (API version 2024-06-20), stored in the fake server."""

import time

from billing.stripe_services import customer_get_or_create
from tests.support.fakes import PACK_PRICES, PRICES


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
    return fake.get("prices", PRICES[plan_code]) or price(fake, PRICES[plan_code])


def pack_price(fake, pack_code: str) -> dict:
    return fake.get("prices", PACK_PRICES[pack_code]) or price(fake, PACK_PRICES[pack_code], recurring=None)


def subscription(fake, *, customer: str, plan_code: str, status: str = "active", sub_id: str | None = None) -> dict:
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
    return fake.put(
        "subscriptions",
        {
            "id": sub_id,
            "customer": customer,
            "status": status,
            "items": {"object": "list", "data": [item], "has_more": False, "url": "/v1/subscription_items"},
            "current_period_start": now,
            "current_period_end": now + 30 * 86400,
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
            "metadata": {},
        },
    )


def invoice(
    fake,
    *,
    customer: str,
    plan_code: str,
    billing_reason: str = "subscription_cycle",
    status: str = "paid",
    subscription_id: str | None = None,
) -> dict:
    now = int(time.time())
    invoice_id = fake.new_id("invoices")
    line = {
        "id": f"il_{invoice_id[3:]}",
        "object": "line_item",
        "amount": 900,
        "currency": "usd",
        "description": f"1 x {plan_code}",
        "discountable": True,
        "discounts": [],
        "invoice_item": None,
        "livemode": False,
        "metadata": {},
        "period": {"start": now, "end": now + 30 * 86400},
        "price": plan_price(fake, plan_code),
        "proration": False,
        "quantity": 1,
        "subscription": None,
        "subscription_item": None,
        "tax_amounts": [],
        "tax_rates": [],
        "type": "subscription",
    }
    return fake.put(
        "invoices",
        {
            "id": invoice_id,
            "customer": customer,
            "subscription": subscription_id,
            "billing_reason": billing_reason,
            "status": status,
            "paid": status == "paid",
            "amount_due": 900,
            "amount_paid": 900 if status == "paid" else 0,
            "amount_remaining": 0 if status == "paid" else 900,
            "attempt_count": 1,
            "attempted": True,
            "auto_advance": False,
            "charge": None,
            "payment_intent": None,
            "collection_method": "charge_automatically",
            "currency": "usd",
            "default_payment_method": None,
            "default_source": None,
            "discount": None,
            "discounts": [],
            "lines": {"object": "list", "data": [line], "has_more": False, "url": f"/v1/invoices/{invoice_id}/lines"},
            "number": None,
            "period_start": now,
            "period_end": now,
            "subtotal": 900,
            "total": 900,
            "tax": None,
            "status_transitions": {"paid_at": now if status == "paid" else None},
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
