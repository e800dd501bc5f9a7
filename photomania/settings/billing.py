"""Billing: Stripe keys, dj-stripe, credits policy."""

from photomania.settings.auth import AUTH_USER_MODEL
from photomania.settings.core import env

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
# Our /api/webhooks/stripe verifies with this secret (300 s tolerance) and never honours
# dj-stripe's DEBUG-only x-djstripe-webhook-secret header. dj-stripe's own endpoint
# (/stripe/webhook/<uuid>/) uses the secret of its WebhookEndpoint row.
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
STRIPE_API_VERSION = env.str("STRIPE_API_VERSION", default="2024-06-20")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
if STRIPE_API_BASE:
    # dj-stripe reads STRIPE_API_HOST once at start-up (a local Stripe-compatible server, e.g. stripe-mock).
    STRIPE_API_HOST = STRIPE_API_BASE

DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_USE_NATIVE_JSONFIELD = True
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"
DJSTRIPE_SUBSCRIBER_MODEL = AUTH_USER_MODEL

REFERRAL_BONUS_CREDITS = env.int("REFERRAL_BONUS_CREDITS", default=5)
# Referral bonuses one referrer can earn in any 30 days (referrals beyond it pay nobody).
REFERRAL_MAX_PER_MONTH = env.int("REFERRAL_MAX_PER_MONTH", default=10)
# The free plan is topped up to its quota at most once per this many days (a daily beat task).
FREE_REFILL_DAYS = 30

# dj-stripe's own migrations rebuild hundreds of columns one table copy at a time on SQLite
# (minutes on a first `make run`). billing/djstripe_migrations holds one migration generated from
# dj-stripe's current models that `replaces` the shipped ones, as Django's squashing does: a fresh
# database is created in one step, and a database that already applied the shipped migrations
# sees it as applied. Regenerate it when upgrading dj-stripe (tests/billing/test_djstripe_migrations.py
# fails until then).
MIGRATION_MODULES = {"djstripe": "billing.djstripe_migrations"}
