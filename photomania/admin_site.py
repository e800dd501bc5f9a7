"""PhotoMania's admin site: the index in the order staff use it, and the staff dashboard.

The index lists sections, not Django's alphabetical apps: effects, jobs, users and credits first,
allauth's sign-in models under a name of their own, dj-stripe's mirror of Stripe last. The
sidebar follows the same order; of dj-stripe's models only those staff use are listed, the rest
behind one "More Stripe records" link to dj-stripe's own page. ``/admin/dashboard/`` draws the
staff dashboard.
"""

from django.contrib import admin
from django.urls import path
from django.utils.text import slugify

from photomania.admin import staff_session_allowed
from photomania.dashboard import staff_dashboard

# The admin index (and its sidebar) in the order staff use it: each section lists models as
# "app_label.ModelName"; registered models no section names follow in their app's own section,
# and dj-stripe's mirror of Stripe's objects comes last, whatever else is installed.
ADMIN_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Effects", ("effects.Effect", "effects.Category")),
    ("Jobs", ("effects.Job", "effects.IdempotencyKey")),
    (
        "Users",
        ("accounts.User", "accounts.AuditEvent", "accounts.StaffInvitation", "accounts.DataExport", "accounts.ApiKey"),
    ),
    ("Credits", ("billing.CreditTransaction", "billing.CreditPackPurchase")),
    ("Plans and credit packs", ("billing.Plan", "billing.CreditPack", "billing.PlanPrice")),
    ("Stripe events and subscriptions", ("billing.SubscriptionState", "billing.UnprocessableStripeEvent")),
    (
        "Sign-in and two-factor (allauth)",
        (
            "account.EmailAddress",
            "mfa.Authenticator",
            "socialaccount.SocialApp",
            "socialaccount.SocialAccount",
            "socialaccount.SocialToken",
        ),
    ),
    ("Groups and sites", ("auth.Group", "sites.Site")),
)
LAST_APPS = {"djstripe": "Stripe mirror (dj-stripe, synced from Stripe)"}
# Of dj-stripe's forty-odd models, the index shows the ones staff look at, in this order; one
# "More Stripe records" entry opens dj-stripe's own page, which lists them all.
STRIPE_SHOWN = ("Customer", "Subscription", "Invoice", "Event", "Price")


class PhotoManiaAdminSite(admin.AdminSite):
    """Django's admin site with the index in ADMIN_SECTIONS order and the staff dashboard."""

    site_header = "PhotoMania administration"
    site_title = "PhotoMania admin"
    index_title = "Administration"

    def has_permission(self, request):
        # Every admin page and the dashboard: staff, and a session that passed a second factor.
        return super().has_permission(request) and staff_session_allowed(request)

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list  # one app's own page keeps Django's layout
        return admin_sections(app_list)

    def get_urls(self):
        return [path("dashboard/", self.admin_view(self.dashboard_view), name="dashboard"), *super().get_urls()]

    def dashboard_view(self, request):
        """The staff dashboard (charts of jobs, failures, processing times, credits, revenue, sign-ups)."""
        return staff_dashboard(request, context=self.each_context(request))


def admin_sections(app_list: list[dict]) -> list[dict]:
    """Regroup Django's alphabetical app list into ADMIN_SECTIONS, other apps after them, LAST_APPS last."""
    models = {f"{app['app_label']}.{model['object_name']}": (app, model) for app in app_list for model in app["models"]}
    sections = []
    for name, keys in ADMIN_SECTIONS:
        found = [models.pop(key) for key in keys if key in models]
        if found:
            first_app, first_model = found[0]
            sections.append(
                {
                    **first_app,
                    "name": name,
                    # Unique per section (the template's CSS classes and ids derive from it).
                    "app_label": slugify(name),
                    # The section heading opens its first list: a section may span apps.
                    "app_url": first_model["admin_url"] or first_app["app_url"],
                    "models": [model for _app, model in found],
                }
            )
    rest, last = [], []
    for app in app_list:
        left = [model for key, (owner, model) in models.items() if owner is app]
        if not left:
            continue
        section = {**app, "models": left}
        if app["app_label"] == "djstripe":
            section["models"] = _stripe_models(app, left)
        if app["app_label"] in LAST_APPS:
            last.append({**section, "name": LAST_APPS[app["app_label"]]})
        else:
            rest.append(section)
    return sections + rest + last


def _stripe_models(app: dict, models: list[dict]) -> list[dict]:
    """The STRIPE_SHOWN models, then one entry that opens dj-stripe's page with every model."""
    by_name = {model["object_name"]: model for model in models}
    shown = [by_name[name] for name in STRIPE_SHOWN if name in by_name]
    hidden = len(models) - len(shown)
    if not hidden:
        return shown
    more = {
        "name": f"More Stripe records ({hidden} more kinds)",
        "object_name": "MoreStripeRecords",
        "admin_url": app["app_url"],
        "add_url": None,
        "view_only": True,
        "perms": {"view": True},
    }
    return [*shown, more]
