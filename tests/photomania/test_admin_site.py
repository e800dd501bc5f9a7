"""The admin site's index: sections in the order staff use them, allauth's apart from ours, Stripe's mirror last."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.support.factories import staff_force_login

pytestmark = pytest.mark.django_db


def _sections(response) -> list[str]:
    return [app["name"] for app in response.context["app_list"]]


def test_admin_index_lists_effects_jobs_users_and_credits_first(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:index"))

    assert _sections(response)[:4] == ["Effects", "Jobs", "Users", "Credits"]


def test_admin_index_sections_hold_the_models_staff_expect(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:index"))

    models = {app["name"]: [m["object_name"] for m in app["models"]] for app in response.context["app_list"]}
    assert models["Effects"] == ["Effect", "Category"]
    assert models["Jobs"] == ["Job", "IdempotencyKey"]
    assert models["Users"] == ["User", "AuditEvent", "StaffInvitation", "DataExport", "ApiKey"]
    assert models["Credits"] == ["CreditTransaction", "CreditPackPurchase"]


def test_admin_index_lists_the_stripe_mirror_last_as_one_section(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:index"))

    apps = response.context["app_list"]
    assert apps[-1]["name"] == "Stripe mirror (dj-stripe, synced from Stripe)"
    assert apps[-1]["app_label"] == "djstripe"
    assert all(app["app_label"] != "djstripe" for app in apps[:-1])


def test_admin_index_has_no_section_named_accounts(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:index"))

    sections = _sections(response)
    assert "Accounts" not in sections
    assert "Sign-in and two-factor (allauth)" in sections
    assert sections.index("Users") < sections.index("Sign-in and two-factor (allauth)")


def test_admin_index_lists_every_registered_model_once(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:index"))
    stripe_page = client.get(reverse("admin:app_list", args=["djstripe"]))

    listed = [m["model"]._meta.label for app in response.context["app_list"] for m in app["models"] if "model" in m]
    more_stripe = [m["model"]._meta.label for m in stripe_page.context["app_list"][0]["models"]]
    assert len(listed) == len(set(listed))
    # Every model is on the index, or (the Stripe records staff rarely open) on dj-stripe's page.
    assert sorted(set(listed) | set(more_stripe)) == sorted(model._meta.label for model in admin.site._registry)


def test_admin_index_shows_the_stripe_records_staff_use_and_links_to_the_rest(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:index"))

    stripe = response.context["app_list"][-1]
    names = [m["object_name"] for m in stripe["models"]]
    assert names == ["Customer", "Subscription", "Invoice", "Event", "Price", "MoreStripeRecords"]
    more = stripe["models"][-1]
    assert more["admin_url"] == reverse("admin:app_list", args=["djstripe"])
    html = response.content.decode()
    assert f'<a href="{more["admin_url"]}">{more["name"]}</a>' in html
    assert reverse("admin:djstripe_webhookendpoint_changelist") not in html


def test_more_stripe_records_page_lists_every_dj_stripe_model(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:app_list", args=["djstripe"]))

    names = {m["object_name"] for m in response.context["app_list"][0]["models"]}
    registered = {model.__name__ for model in admin.site._registry if model._meta.app_label == "djstripe"}
    assert names == registered and "WebhookEndpoint" in names


def test_admin_sidebar_follows_the_index_order(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:effects_job_changelist"))

    assert [app["name"] for app in response.context["available_apps"]][:4] == ["Effects", "Jobs", "Users", "Credits"]


def test_an_apps_own_admin_page_keeps_django_layout(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:app_list", args=["effects"]))

    assert response.status_code == 200
    assert [app["app_label"] for app in response.context["app_list"]] == ["effects"]


def test_our_users_app_and_allauths_sign_in_app_have_distinct_names():
    assert apps.get_app_config("accounts").verbose_name == "Users"
    assert apps.get_app_config("account").verbose_name == "Sign-in email addresses"


def test_admin_index_links_to_the_staff_dashboard(client, staff_user):
    staff_force_login(client, staff_user)

    response = client.get(reverse("admin:index"))

    assert f'href="{reverse("admin:dashboard")}"' in response.content.decode()
