"""A staff member's first authenticator app needs an invitation: the password alone never opens the admin."""

import io
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, StaffInvitation
from accounts.staff_invitations import staff_invitation_create
from tests.support.factories import UserFactory, staff_force_login, totp_activate, totp_code

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _admin_requires_mfa(settings):
    settings.ADMIN_REQUIRE_MFA = True


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _reauthenticate(client, next_url):
    client.post(f"{reverse('account_reauthenticate')}?next={next_url}", {"password": PASSWORD})


def _enrol(client) -> str:
    """allauth's activation page, after the password again: the secret, then a code it shows."""
    _reauthenticate(client, reverse("mfa_activate_totp"))
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, valid_for=1.0)})
    assert done.status_code == 302
    return secret


def _invite(user) -> str:
    out = io.StringIO()
    call_command("staff_invite", user.email, stdout=out)
    link = next(line for line in out.getvalue().splitlines() if "/accounts/staff-invitation/" in line)
    return link[link.index("/accounts/") :]


def test_staff_password_alone_cannot_set_up_an_authenticator_app_and_open_the_admin(db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = _signed_in(staff)
    _reauthenticate(client, reverse("mfa_activate_totp"))

    page = client.get(reverse("mfa_activate_totp"))
    secret = generate_totp_secret()
    posted = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, valid_for=1.0)})
    api_get = client.get("/_allauth/browser/v1/account/authenticators/totp")
    api_post = client.post(
        "/_allauth/browser/v1/account/authenticators/totp", {"code": "123456"}, content_type="application/json"
    )

    assert page.status_code == 403
    assert b"invitation" in page.content
    assert posted.status_code == 403
    assert api_get.status_code == 403
    assert api_get.json()["errors"][0]["code"] == "staff_invitation_required"
    assert "secret" not in api_get.content.decode()
    assert api_post.status_code == 403
    assert not Authenticator.objects.filter(user=staff).exists()
    assert client.get("/admin/").status_code == 302


def test_staff_app_session_cannot_set_up_an_authenticator_app_without_an_invitation(db):
    staff = UserFactory(is_staff=True)
    app = Client()
    login = app.post(
        "/_allauth/app/v1/auth/login", {"email": staff.email, "password": PASSWORD}, content_type="application/json"
    )
    token = login.json()["meta"]["session_token"]

    response = app.get("/_allauth/app/v1/account/authenticators/totp", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 403
    assert "secret" not in response.content.decode()


# allauth announces a new authenticator (which this session then counts as its second factor)
# once its transaction commits: this test commits.
@pytest.mark.django_db(transaction=True)
def test_staff_with_an_invitation_sets_up_the_app_and_opens_the_admin():
    staff = UserFactory(is_staff=True, is_superuser=True)
    link = _invite(staff)
    client = _signed_in(staff)

    shown = client.get(link)
    used = client.post(link)
    _enrol(client)

    assert shown.status_code == 200
    assert used.status_code == 302
    assert used["Location"] == reverse("mfa_activate_totp")
    assert client.get("/admin/").status_code == 200
    invitation = StaffInvitation.objects.get(user=staff)
    assert invitation.used_at is not None
    assert AuditEvent.objects.filter(event=AuditEvent.Event.STAFF_INVITATION_USED, user=staff).exists()


def test_the_link_opens_the_login_first_and_comes_back(client, db):
    staff = UserFactory(is_staff=True)
    link = _invite(staff)

    response = client.get(link)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert StaffInvitation.objects.get(user=staff).used_at is None


def test_an_invitation_is_stored_only_as_a_hash(db):
    staff = UserFactory(is_staff=True)

    invitation, token = staff_invitation_create(user=staff)

    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_a_used_invitation_does_not_work_again(db):
    staff = UserFactory(is_staff=True)
    link = _invite(staff)
    first = _signed_in(staff)
    first.post(link)

    second = _signed_in(staff)
    again = second.post(link)

    assert again.status_code == 400
    assert second.get(reverse("mfa_activate_totp")).status_code == 403


def test_an_expired_invitation_does_not_work(db):
    staff = UserFactory(is_staff=True)
    link = _invite(staff)
    StaffInvitation.objects.filter(user=staff).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = _signed_in(staff)

    response = client.post(link)

    assert response.status_code == 400
    assert client.get(reverse("mfa_activate_totp")).status_code == 403


def test_an_invitation_works_only_for_its_own_account(db):
    invited = UserFactory(is_staff=True)
    other = UserFactory(is_staff=True)
    link = _invite(invited)
    client = _signed_in(other)

    response = client.post(link)

    assert response.status_code == 400
    assert StaffInvitation.objects.get(user=invited).used_at is None


def test_staff_invite_refuses_accounts_that_are_not_staff(user):
    with pytest.raises(CommandError, match="not an active staff member"):
        call_command("staff_invite", user.email, stdout=io.StringIO())


def test_users_who_are_not_staff_set_up_their_app_without_an_invitation(db):
    user = UserFactory()
    client = _signed_in(user)

    _enrol(client)

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_staff_with_the_permission_invite_from_the_admin(client, db):
    inviter = UserFactory(is_staff=True)
    totp_activate(user=inviter)
    inviter.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "invite_staff"]))
    newcomer = UserFactory(is_staff=True)
    staff_force_login(client, inviter)

    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "invite_staff", "_selected_action": [newcomer.pk]}
    )

    assert response.status_code == 200
    assert "/accounts/staff-invitation/" in response.content.decode()
    assert StaffInvitation.objects.get(user=newcomer).created_by == inviter


def test_staff_without_the_permission_cannot_invite(client, db):
    viewer = UserFactory(is_staff=True)
    totp_activate(user=viewer)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    newcomer = UserFactory(is_staff=True)
    staff_force_login(client, viewer)

    client.post(
        reverse("admin:accounts_user_changelist"), {"action": "invite_staff", "_selected_action": [newcomer.pk]}
    )

    assert not StaffInvitation.objects.filter(user=newcomer).exists()
