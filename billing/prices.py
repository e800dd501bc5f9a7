"""The Stripe prices PhotoMania sells at, read from dj-stripe's synced Price rows.

A plan or pack is on sale only when its linked price id names a synced, active, per-unit Stripe
price of the right kind (recurring for plans, one-time for packs) in the configured mode: that
row is what Stripe will charge, so it is what pages, the API and Checkout use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from djstripe.models import Price
from djstripe.settings import djstripe_settings

# Symbols that name one currency unambiguously; any other currency is shown with its ISO code.
CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹", "cad": "CA$", "aud": "A$"}


def _zero_decimal(currency: str) -> bool:
    return currency.lower() in djstripe_settings.ZERO_DECIMAL_CURRENCIES


def major_units(*, amount: int, currency: str) -> float:
    """``amount`` in the currency's minor unit as a number of major units: 950 usd -> 9.5, 500 jpy -> 500."""
    return float(amount) if _zero_decimal(currency) else amount / 100


def money_format(*, amount: int, currency: str) -> str:
    """``amount`` in the currency's minor unit as a customer reads it: $9.00, €12.50, ¥500, 12.00 CHF."""
    currency = currency.lower()
    number = f"{amount:,}" if _zero_decimal(currency) else f"{amount // 100:,}.{amount % 100:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency.upper()}"


@dataclass(frozen=True)
class SalePrice:
    """A Stripe price as sold: amount in minor units, currency, and the billing interval if recurring."""

    id: str
    amount: int
    currency: str
    interval: str = ""
    interval_count: int = 1

    @property
    def amount_display(self) -> str:
        return money_format(amount=self.amount, currency=self.currency)

    @property
    def interval_display(self) -> str:
        """ "month", "year", "3 months"; empty for a one-time price."""
        if not self.interval:
            return ""
        return self.interval if self.interval_count == 1 else f"{self.interval_count} {self.interval}s"

    @property
    def display(self) -> str:
        """€9.00 / month, or €5.00 for a one-time price."""
        return f"{self.amount_display} / {self.interval_display}" if self.interval else self.amount_display


def _sale_price(price: Price) -> SalePrice | None:
    data = price.stripe_data or {}
    if data.get("billing_scheme", "per_unit") != "per_unit" or price.unit_amount is None:
        return None  # tiered prices are not sold on our pages
    recurring = price.recurring or {}
    return SalePrice(
        id=price.id,
        amount=int(price.unit_amount),
        currency=str(price.currency).lower(),
        interval=recurring.get("interval") or "",
        interval_count=int(recurring.get("interval_count") or 1),
    )


def prices_on_sale(*, price_ids: Iterable[str]) -> dict[str, SalePrice]:
    """The synced, active prices among ``price_ids`` in the configured Stripe mode, by id."""
    ids = {price_id for price_id in price_ids if price_id}
    if not ids:
        return {}
    rows = Price.objects.filter(id__in=ids, active=True, livemode=settings.STRIPE_LIVE_MODE)
    found = {}
    for row in rows:
        sale = _sale_price(row)
        if sale is not None:
            found[row.id] = sale
    return found


def price_on_sale(*, price_id: str, recurring: bool) -> SalePrice | None:
    """The price ``price_id`` if it is on sale and of the right kind (recurring for plans, one-time for packs)."""
    sale = prices_on_sale(price_ids=[price_id]).get(price_id)
    if sale is None or bool(sale.interval) != recurring:
        return None
    return sale
