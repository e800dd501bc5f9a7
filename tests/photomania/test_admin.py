"""The admin site: every model list is browsable by staff, and only by staff."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.staff_invitations import staff_invitation_create
from effects.management.commands.seed_demo import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.factories import JobFactory, UserFactory, staff_force_login, totp_activate, totp_code

ADMIN_LISTS = [
    "admin:accounts_user_changelist",
    "admin:effects_effect_changelist",
    "admin:effects_job_changelist",
    "admin:billing_plan_changelist",
    "admin:billing_creditpack_changelist",
    "admin:billing_credittransaction_changelist",
]


@pytest.mark.parametrize("url_name", ADMIN_LISTS)
def test_staff_can_browse_and_search_every_admin_list(client, staff_user, url_name):
    JobFactory()
    staff_force_login(client, staff_user)

    response = client.get(reverse(url_name), {"q": "a"})

    assert response.status_code == 200


def test_non_staff_user_is_sent_to_the_admin_login(client, user):
    client.force_login(user)

    response = client.get(reverse("admin:effects_effect_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


PASSWORD = "correct-horse-battery-staple"


def _sign_in(client, email, password, next_url="/admin/"):
    return client.post(f"{reverse('account_login')}?next={next_url}", {"login": email, "password": password})


def test_admin_login_sends_the_browser_to_allauths_login_with_next(client, db):
    response = client.get("/admin/login/?next=/admin/effects/effect/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Feffects%2Feffect%2F"


def test_admin_login_never_accepts_a_password_itself(client, staff_user):
    response = client.post("/admin/login/", {"username": staff_user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_admin_login_next_outside_the_admin_falls_back_to_the_admin_index(client, db):
    response = client.get("/admin/login/?next=https://evil.example/")

    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_brute_force_on_the_admin_sign_in_is_rate_limited(client, staff_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip,5/5m/key"}
    for _ in range(5):
        assert _sign_in(client, staff_user.email, "wrong-password").status_code == 200

    response = _sign_in(client, staff_user.email, PASSWORD)

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content


def test_staff_without_mfa_cannot_open_the_admin_and_is_sent_to_set_it_up(client, settings, db):
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True, is_superuser=True)
    _sign_in(client, staff.email, PASSWORD)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_with_totp_signs_in_with_the_code_and_opens_the_admin(client, settings, db):
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = totp_activate(user=staff)

    first = _sign_in(client, staff.email, PASSWORD)
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("mfa_authenticate"))
    assert client.get("/admin/").status_code == 302  # the password alone is not a sign-in
    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert second.status_code == 302
    assert second["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_mfa_requirement_can_be_turned_off(client, settings, db):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get("/admin/").status_code == 200


def _enrol_totp(client, password=PASSWORD) -> str:
    """Set up an authenticator app through allauth's pages (password again, then a code); its secret."""
    client.post(f"{reverse('account_reauthenticate')}?next={reverse('mfa_activate_totp')}", {"password": password})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, valid_for=1.0)})
    assert done.status_code == 302, done.content
    return secret


def _credits(user) -> int:
    user.refresh_from_db()
    return user.credits


# allauth announces a new authenticator once its transaction commits: this test commits.
@pytest.mark.django_db(transaction=True)
def test_a_password_session_does_not_become_an_admin_session_when_totp_is_set_up_elsewhere(settings):
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True, is_superuser=True)
    first, second = Client(), Client()
    _sign_in(first, staff.email, PASSWORD)  # password only: the account has no second factor yet
    _sign_in(second, staff.email, PASSWORD)
    before = _credits(staff)
    _invitation, token = staff_invitation_create(user=staff)
    second.post(reverse("staff_invitation", args=[token]))  # staff set up their app with an invitation

    _enrol_totp(second)

    assert first.get("/admin/").status_code == 302
    assert first.get("/admin/dashboard/").status_code == 302
    assert first.get("/metrics").status_code == 401
    assert "checks" not in first.get("/api/health").json()["data"]
    adjust = first.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "adjust_credits", "_selected_action": [staff.pk], "apply": "1", "amount": 1000, "note": "x"},
    )
    assert adjust.status_code == 302
    assert _credits(staff) == before
    assert "_auth_user_id" not in first.session  # that session was ended
    assert second.get("/admin/").status_code == 200  # the session that set it up entered a code


def test_a_staff_session_that_never_passed_the_second_factor_opens_no_staff_page(client, settings, staff_user):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(staff_user)  # signed in, but this session never entered a code

    admin = client.get("/admin/")

    assert admin.status_code == 302
    assert admin["Location"].startswith(reverse("mfa_reauthenticate"))
    assert client.get("/admin/dashboard/").status_code == 302
    assert client.get("/admin/login/")["Location"].startswith(reverse("mfa_reauthenticate"))
    assert client.get("/metrics").status_code == 403
    assert "checks" not in client.get("/api/health").json()["data"]


def test_a_staff_session_opens_the_admin_after_entering_the_code_it_was_asked_for(client, settings, db):
    settings.ADMIN_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = totp_activate(user=staff)
    client.force_login(staff)

    asked = client.get("/admin/dashboard/")
    answered = client.post(asked["Location"], {"code": totp_code(secret)})

    assert answered.status_code == 302
    assert answered["Location"] == "/admin/dashboard/"
    assert client.get("/admin/dashboard/").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert "checks" in client.get("/api/health").json()["data"]


def test_the_demo_staff_account_opens_the_admin_in_development(client, settings, db):
    # `make run`: DEBUG on, so ADMIN_REQUIRE_MFA defaults to off and the demo password is enough.
    settings.DEBUG = True
    settings.ADMIN_REQUIRE_MFA = False
    call_command("seed_demo", stdout=io.StringIO())

    _sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/dashboard/").status_code == 200
