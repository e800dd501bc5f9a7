"""The API-key admin: staff list keys by prefix and owner, never see a secret or its hash, revoke them
(at once, for good); a key made in the admin is shown once."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import ApiKey, AuditEvent
from tests.support.api import assert_error
from tests.support.api_keys import api_key_for, key_client
from tests.support.factories import staff_force_login

pytestmark = pytest.mark.django_db


def test_the_list_shows_prefixes_and_owners_never_secrets(client, staff_user, user):
    key = api_key_for(user, name="visible name")
    row = ApiKey.objects.get()
    staff_force_login(client, staff_user)

    listing = client.get(reverse("admin:accounts_apikey_changelist")).content.decode()
    change = client.get(reverse("admin:accounts_apikey_change", args=[row.pk])).content.decode()

    assert row.prefix in listing and user.email in listing and "visible name" in listing
    for page in (listing, change):
        assert key.partition(".")[2] not in page
        assert row.hashed_key not in page


def test_the_revoke_action_ends_the_keys_at_once(client, staff_user, user):
    key = api_key_for(user)
    staff_force_login(client, staff_user)

    response = client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "revoke", "_selected_action": [str(ApiKey.objects.get().pk)]},
    )

    assert response.status_code == 302
    assert ApiKey.objects.get().revoked
    assert_error(key_client(key).get("/api/user"), 401, "INVALID_API_KEY")
    assert AuditEvent.objects.get(event=AuditEvent.Event.API_KEY_REVOKED).actor == staff_user


def test_a_key_made_in_the_admin_is_shown_once_and_works(client, staff_user, user):
    staff_force_login(client, staff_user)

    response = client.post(
        reverse("admin:accounts_apikey_add"),
        {"user": user.pk, "name": "made by staff", "scopes": ["read"], "expiry_date_0": "", "expiry_date_1": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    [message] = [str(m) for m in get_messages(response.wsgi_request) if "never shown again" in str(m)]
    key = message.split("is: ", 1)[1].split(" ", 1)[0]
    # The message waits in the session, never in a cookie the browser holds.
    assert all(key not in cookie.value for cookie in response.cookies.values())
    assert "messages" not in response.cookies
    row = ApiKey.objects.get()
    assert (row.user, row.scopes, row.prefix) == (user, ["read"], key.partition(".")[0])
    assert key_client(key).get("/api/user/credits").status_code == 200


def _change_form_data(response) -> dict:
    """The user change form's fields (and its inlines') as the page shows them, ready to POST back."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value not in (None, False):
                data[field.html_name] = value
    return data


def test_deactivating_a_user_in_the_admin_revokes_their_keys(client, staff_user, user):
    key = api_key_for(user)
    staff_force_login(client, staff_user)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = _change_form_data(client.get(url))
    data.pop("is_active")

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.is_active is False
    assert ApiKey.objects.get(user=user).revoked is True
    assert_error(key_client(key).get("/api/user"), 401, "INVALID_API_KEY")
