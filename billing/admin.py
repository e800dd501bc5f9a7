"""Plans and packs are data staff edit; the ledger is read-only."""

from django.contrib import admin

from billing.models import CreditPack, CreditTransaction, Plan
from core.admin import ReadOnlyModelAdmin


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "monthly_credits", "price_cents", "stripe_price_id", "is_active", "position")
    list_editable = ("monthly_credits", "is_active", "position")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "stripe_price_id", "stripe_price_id_yearly")


@admin.register(CreditPack)
class CreditPackAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "credits", "price_cents", "stripe_price_id", "is_active", "position")
    list_editable = ("is_active", "position")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "stripe_price_id")
    prepopulated_fields = {"code": ("name",)}


@admin.register(CreditTransaction)
class CreditTransactionAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "user", "kind", "amount", "balance_after", "debt_amount", "reference", "job")
    list_filter = ("kind", "created_at")
    search_fields = ("user__email", "reference", "note")
    list_select_related = ("user", "job")
    date_hierarchy = "created_at"


import billing.admin_stripe  # noqa: E402,F401  (Stripe bookkeeping admin, owned by billing/Stripe)
