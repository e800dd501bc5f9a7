"""Sign-up (referral codes), log in, dashboard and the restyled allauth pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from billing.services import credits_adjust
from tests.support.factories import JobFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_signup_page_keeps_the_referral_code_in_the_session_and_prefills_it(client):
    response = client.get(reverse("account_signup"), {"ref": "abc123"})

    assert response.status_code == 200
    assert client.session["referral_code"] == "abc123"
    assert 'name="referral_code" id="id_referral_code" value="abc123"' in response.content.decode()


def test_signup_page_ignores_a_malformed_referral_code(client):
    client.get(reverse("account_signup"), {"ref": "<script>"})

    assert "referral_code" not in client.session


def test_signing_up_through_a_referral_link_records_the_referrer(client):
    referrer = UserFactory()
    client.get(reverse("account_signup"), {"ref": referrer.referral_code})

    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": "a-long-Passphrase-9", "password2": "a-long-Passphrase-9"},
    )

    new_user = User.objects.get(email="new@example.com")
    assert response.status_code == 302
    assert new_user.referred_by == referrer


def test_signing_up_grants_ten_credits(client):
    client.post(
        reverse("account_signup"),
        {"email": "fresh@example.com", "password1": "a-long-Passphrase-9", "password2": "a-long-Passphrase-9"},
    )

    assert User.objects.get(email="fresh@example.com").credits == 10


def test_signup_form_shows_field_errors(client):
    response = client.post(reverse("account_signup"), {"email": "not-an-email", "password1": "x", "password2": "y"})

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_signup_without_a_csrf_token_is_forbidden():
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("account_signup"),
        {"email": "csrf@example.com", "password1": "a-long-Passphrase-9", "password2": "a-long-Passphrase-9"},
    )

    assert response.status_code == 403
    assert not User.objects.filter(email="csrf@example.com").exists()


@pytest.mark.parametrize(
    "url_name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_allauth_entrance_pages_use_the_site_layout(client, url_name):
    response = client.get(reverse(url_name))

    html = response.content.decode()
    assert response.status_code == 200
    assert "css/site.css" in html and 'class="card auth-card' in html


@pytest.mark.parametrize("url_name", ["account_email", "account_change_password", "account_logout"])
def test_allauth_account_pages_use_the_site_layout(client, user, url_name):
    client.force_login(user)

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert 'class="card auth-card auth-manage' in response.content.decode()


def test_logging_in_shows_a_flash_message(client):
    UserFactory(email="login@example.com", password="correct-horse-battery-staple")

    response = client.post(
        reverse("account_login"),
        {"login": "login@example.com", "password": "correct-horse-battery-staple"},
        follow=True,
    )

    assert response.context["user"].is_authenticated
    assert 'class="message message-success"' in response.content.decode()


def test_logging_out_is_a_post(client, user):
    client.force_login(user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_dashboard_sends_visitors_to_log_in(client):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_dashboard_shows_plan_balance_and_next_refill(client, user):
    client.force_login(user)

    response = client.get(reverse("dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="stat" data-testid="balance">10</p>' in html
    assert "Free" in html and "10 credits a month" in html
    assert response.context["next_refill"] > user.credits_refilled_at


def test_dashboard_credit_history_keeps_staff_notes_and_job_ids_to_staff(client, user, staff_user):
    from billing.models import CreditTransaction
    from billing.services import credits_refund

    job = JobFactory(user=user, effect__name="Oil Paint", status="COMPLETED", credits_charged=3)
    credits_refund(
        user=user,
        amount=3,
        reference=f"goodwill:{job.pk}",
        job=job,
        kind=CreditTransaction.Kind.GOODWILL_REFUND,
        note=f"Sorry, the edges were rough (job {job.pk})",
        created_by=staff_user,
    )
    client.force_login(user)

    html = client.get(reverse("dashboard")).content.decode()

    assert "Goodwill refund — <a" in html and "Oil Paint</a>" in html
    assert "edges were rough" not in html
    assert f"(job {job.pk})" not in html


def test_dashboard_shows_plan_and_purchased_credits(client, user):
    from billing.models import CreditTransaction
    from billing.services import credits_grant

    credits_grant(user=user, amount=50, kind=CreditTransaction.Kind.PURCHASE, reference="pack:dash")
    client.force_login(user)

    html = client.get(reverse("dashboard")).content.decode()

    assert '<span data-testid="plan-credits">10</span>' in html
    assert '<span data-testid="purchased-credits">50</span>' in html
    assert re.search(r'<td [^>]*data-testid="ledger-bucket"[^>]*>purchased</td>', html)


def test_dashboard_shows_a_credit_debt_and_its_repayments(client, user):
    from billing.models import CreditTransaction
    from billing.services import credits_charge, credits_grant, credits_refund, credits_revoke

    credits_grant(user=user, amount=50, kind=CreditTransaction.Kind.PURCHASE, reference="pack:dash-debt")
    credits_charge(user=user, amount=60, reference="charge:spent")
    credits_revoke(user=user, amount=50, reference="pack-refund:dash-debt:500")
    credits_refund(user=user, amount=3, reference="refund:job-1")
    client.force_login(user)

    html = client.get(reverse("dashboard")).content.decode()

    assert "47 credits owed for a refunded credit pack" in html
    assert "Applied to a refunded pack&#x27;s balance" in html
    assert "50 credits already spent, now owed" in html


def test_dashboard_shows_the_ledger(client, user, staff_user):
    credits_adjust(user=user, amount=3, note="ticket 881: angry customer", actor=staff_user, reference="t:1")
    client.force_login(user)

    response = client.get(reverse("dashboard"))

    html = response.content.decode()
    assert "Sign-up grant" in html and "Admin adjustment" in html and "+3" in html
    # The note is staff's own words.
    assert "angry customer" not in html


def test_dashboard_shows_the_referral_link_and_how_many_joined(client, user):
    UserFactory(referred_by=user)
    UserFactory(referred_by=user)
    client.force_login(user)

    response = client.get(reverse("dashboard"))

    html = response.content.decode()
    assert f"/accounts/signup/?ref={user.referral_code}" in html
    assert 'data-copy-target="referral-link"' in html
    assert "2 people have joined through your link." in html


def test_dashboard_links_ledger_rows_to_their_jobs(client, user):
    from billing.services import credits_charge

    job = JobFactory(user=user)
    credits_charge(user=user, amount=1, reference=f"charge:{job.pk}", job=job)
    client.force_login(user)

    response = client.get(reverse("dashboard"))

    assert reverse("job_detail", args=[job.pk]) in response.content.decode()


# --- Data export and account deletion pages --------------------------------------------------------

PASSWORD = "correct-horse-battery-staple"


def test_the_dashboard_starts_an_export_and_shows_its_link_once_ready(client, user):
    from accounts.export import data_export_build
    from accounts.models import DataExport

    client.force_login(user)

    client.post(reverse("data_export"))
    pending = client.get(reverse("dashboard")).content.decode()
    data_export_build(export_id=DataExport.objects.get(user=user).pk)
    ready = client.get(reverse("dashboard")).content.decode()

    assert "being prepared" in pending
    assert 'data-testid="export-link"' in ready and "/media/exports/" in ready


def test_a_second_export_the_same_day_is_refused_with_a_message(client, user):
    from accounts.models import DataExport

    client.force_login(user)
    client.post(reverse("data_export"))

    response = client.post(reverse("data_export"), follow=True)

    assert "once a day" in response.content.decode()
    assert DataExport.objects.filter(user=user).count() == 1


def test_deleting_from_the_page_takes_the_password_then_a_final_button(client, user):
    client.force_login(user)

    confirm = client.post(reverse("account_delete"), {"step": "confirm", "password": PASSWORD})
    user.refresh_from_db()
    assert user.deletion_requested_at is None
    assert 'data-testid="delete-final"' in confirm.content.decode()
    done = client.post(reverse("account_delete"), {"step": "final"})

    user.refresh_from_db()
    assert done.status_code == 200 and "being deleted" in done.content.decode()
    assert user.deletion_requested_at is not None
    assert client.get(reverse("dashboard")).status_code == 302  # signed out


def test_the_final_button_alone_deletes_nothing(client, user):
    client.force_login(user)

    response = client.post(reverse("account_delete"), {"step": "final"})

    user.refresh_from_db()
    assert response.status_code == 400 and user.deletion_requested_at is None


def test_a_wrong_password_on_the_page_is_refused(client, user):
    client.force_login(user)

    response = client.post(reverse("account_delete"), {"step": "confirm", "password": "nope"})

    assert response.status_code == 400
    assert "incorrect" in response.content.decode()
    assert 'data-testid="delete-final"' not in response.content.decode()


def test_an_account_without_a_password_types_delete_after_a_recent_sign_in(client, db):
    import time

    from accounts.services import user_create

    social_only = user_create(email="social@example.com")
    client.force_login(social_only)
    session = client.session
    session["account_authentication_methods_user"] = str(social_only.pk)
    session["account_authentication_methods"] = [{"method": "socialaccount", "at": time.time()}]
    session.save()

    wrong_word = client.post(reverse("account_delete"), {"step": "confirm", "word": "delete me"})
    right_word = client.post(reverse("account_delete"), {"step": "confirm", "word": "DELETE"})

    assert wrong_word.status_code == 400
    assert 'data-testid="delete-final"' in right_word.content.decode()


def test_an_account_without_a_password_and_no_recent_sign_in_is_asked_to_sign_in_again(client, db):
    from accounts.services import user_create

    social_only = user_create(email="social@example.com")
    client.force_login(social_only)

    page = client.get(reverse("account_delete"))
    response = client.post(reverse("account_delete"), {"step": "confirm", "word": "DELETE"})

    assert "sign in again" in page.content.decode()
    assert response.status_code == 400


def test_the_privacy_page_says_how_long_photos_are_kept_and_every_page_links_to_it(client, settings):
    settings.SOURCE_RETENTION_DAYS, settings.RESULT_RETENTION_DAYS, settings.AUDIT_IP_RETENTION_DAYS = 7, 30, 90

    page = client.get(reverse("privacy")).content.decode()
    home = client.get(reverse("home")).content.decode()

    assert (
        "<strong>7 days</strong>" in page and "<strong>30 days</strong>" in page and "<strong>90 days</strong>" in page
    )
    assert "Replicate" in page and "Stripe" in page
    assert f'href="{reverse("privacy")}">Privacy</a>' in home


def test_the_dashboard_title_is_plain_text_and_the_data_section_appears_once(client, user):
    client.force_login(user)

    html = client.get(reverse("dashboard")).content.decode()

    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "Dashboard" in title
    assert html.count('id="export-title"') == 1


def test_the_api_keys_page_makes_a_key_and_shows_it_once(client, user):
    from accounts.models import ApiKey

    client.force_login(user)

    made = client.post("/dashboard/api-keys/", {"action": "create", "name": "page key", "scopes": ["read"]})
    again = client.get("/dashboard/api-keys/")

    key = made.context["created_key"]
    assert key.startswith("pmk_") and key in made.content.decode()
    assert made["Cache-Control"] == "no-store"
    assert key not in again.content.decode() and "page key" in again.content.decode()
    assert ApiKey.objects.get(user=user).scopes == ["read"]


def test_the_api_keys_page_cannot_revoke_someone_elses_key(client, user, other_user):
    from accounts.models import ApiKey
    from tests.support.api_keys import api_key_for

    api_key_for(other_user)
    client.force_login(user)

    client.post("/dashboard/api-keys/", {"action": "revoke", "key_id": str(ApiKey.objects.get().pk)})

    assert not ApiKey.objects.get().revoked


def test_the_api_keys_page_refuses_a_key_without_scopes(client, user):
    client.force_login(user)

    response = client.post("/dashboard/api-keys/", {"action": "create", "name": "nothing"})

    assert response.status_code == 400
    assert "Choose at least one scope" in response.content.decode()
