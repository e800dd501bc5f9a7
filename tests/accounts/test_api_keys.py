"""Developer API keys: made, listed and revoked through /api/keys; authenticating with X-Api-Key;
scopes; every way a key ends (revocation, expiry, deactivation, account deletion)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_keys import API_KEYS_PER_USER, api_key_authenticate
from accounts.deletion import account_deletion_request
from accounts.models import ApiKey, AuditEvent
from accounts.services import user_deactivate
from core.credentials import API_KEY_RE
from tests.support.api import assert_error
from tests.support.api_keys import api_key_for, key_client

pytestmark = pytest.mark.django_db


def test_create_answers_201_with_the_whole_key_once(user_client, user):
    response = user_client.post("/api/keys", {"name": "CI", "scopes": ["read", "apply"]}, format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert API_KEY_RE.match(data["key"])
    assert data["key"].startswith(data["prefix"] + ".")
    assert data["prefix"].startswith("pmk_")
    assert (data["name"], data["scopes"], data["expiresAt"]) == ("CI", ["read", "apply"], None)
    assert {"id", "createdAt"} <= set(data)
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(event=AuditEvent.Event.API_KEY_CREATED, user=user).exists()


def test_the_key_is_stored_hashed_and_never_listed(user_client):
    key = user_client.post("/api/keys", {"name": "CI"}, format="json").json()["data"]["key"]

    row = ApiKey.objects.get()
    listed = user_client.get("/api/keys")

    secret = key.partition(".")[2]
    assert row.hashed_key.startswith("sha512$$")
    assert secret not in row.hashed_key and secret not in str(row.pk)
    assert row.scopes == ["read", "apply", "account"]  # every scope by default
    assert secret not in listed.content.decode()
    [item] = listed.json()["data"]
    assert set(item) == {"id", "name", "prefix", "scopes", "createdAt", "lastUsedAt", "expiresAt"}


def test_a_key_authenticates_its_user_and_records_its_last_use_once_a_minute(user):
    key = api_key_for(user)
    client = key_client(key)

    first = client.get("/api/user/credits")
    used_at = ApiKey.objects.get().last_used_at
    second = client.get("/api/user/credits")

    assert first.status_code == second.status_code == 200
    assert used_at is not None
    assert ApiKey.objects.get().last_used_at == used_at  # not written again within the minute


def test_authorization_api_key_header_works_too(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_for(user)}")

    assert client.get("/api/user").status_code == 200


def test_a_wrong_key_is_401_invalid_api_key(user):
    key = api_key_for(user)
    prefix = key.partition(".")[0]

    for wrong in (prefix + "." + "x" * 32, "pmk_nothing", "", "Bearer x"):
        response = key_client(wrong).get("/api/user")
        assert_error(response, 401, "INVALID_API_KEY")
        assert response["WWW-Authenticate"].startswith("Api-Key")


def test_revoking_takes_effect_on_the_next_request(user_client, user):
    key = api_key_for(user)
    client = key_client(key)
    assert client.get("/api/user").status_code == 200
    key_id = ApiKey.objects.get().pk

    response = user_client.delete(f"/api/keys/{key_id}")

    assert response.status_code == 200
    assert response.json()["data"]["revoked"] is True
    assert_error(client.get("/api/user"), 401, "INVALID_API_KEY")
    assert user_client.get("/api/keys").json()["data"] == []
    assert ApiKey.objects.get().revoked_at is not None


def test_an_expired_key_is_refused(user):
    key = api_key_for(user, expires_at=timezone.now() + timedelta(hours=1))
    ApiKey.objects.update(expiry_date=timezone.now() - timedelta(seconds=1))

    assert_error(key_client(key).get("/api/user"), 401, "INVALID_API_KEY")


def test_expiry_in_the_past_is_a_validation_error(user_client):
    response = user_client.post("/api/keys", {"name": "old", "expiresAt": "2020-01-01T00:00:00Z"}, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "expiresAt" in body["error"]["details"]


def test_an_inactive_users_key_is_refused(user):
    key = api_key_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert_error(key_client(key).get("/api/user"), 401, "INVALID_API_KEY")


def test_deactivating_an_account_revokes_its_keys_so_reactivating_it_does_not_bring_them_back(user):
    key = api_key_for(user)
    user_deactivate(user=user)
    user.is_active = True
    user.save(update_fields=["is_active"])

    assert ApiKey.objects.get(user=user).revoked is True
    assert_error(key_client(key).get("/api/user"), 401, "INVALID_API_KEY")


def test_deleting_the_account_revokes_its_keys_at_once(user, django_capture_on_commit_callbacks):
    key = api_key_for(user)

    account_deletion_request(user=user)

    assert ApiKey.objects.get().revoked
    assert api_key_authenticate(key=key) is None
    assert_error(key_client(key).get("/api/user"), 401, "INVALID_API_KEY")


def test_someone_elses_key_id_is_404(user_client, other_user):
    api_key_for(other_user)
    key_id = ApiKey.objects.get().pk

    assert_error(user_client.delete(f"/api/keys/{key_id}"), 404, "NOT_FOUND")
    assert not ApiKey.objects.get().revoked
    assert user_client.get("/api/keys").json()["data"] == []


def test_live_keys_are_capped_per_user(user_client, user):
    for number in range(API_KEYS_PER_USER):
        api_key_for(user, name=f"k{number}")

    response = user_client.post("/api/keys", {"name": "one too many"}, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "revoke one" in body["error"]["details"]["nonFieldErrors"][0]


def test_an_unknown_scope_is_a_validation_error(user_client):
    response = user_client.post("/api/keys", {"name": "x", "scopes": ["admin"]}, format="json")

    assert_error(response, 400, "VALIDATION_ERROR")


def test_an_api_key_can_never_manage_keys(user):
    client = key_client(api_key_for(user))  # every scope, account included

    assert_error(client.post("/api/keys", {"name": "child"}, format="json"), 403, "FORBIDDEN")
    assert_error(client.get("/api/keys"), 403, "FORBIDDEN")
    assert ApiKey.objects.count() == 1


def test_an_apply_only_key_cannot_read_the_account(user):
    client = key_client(api_key_for(user, scopes=["apply"]))

    assert_error(client.get("/api/user"), 403, "FORBIDDEN")
    assert_error(client.get("/api/user/callback-secret"), 403, "FORBIDDEN")
    assert_error(client.patch("/api/user", {"name": "x"}, format="json"), 403, "FORBIDDEN")


def test_a_read_key_cannot_apply(user):
    client = key_client(api_key_for(user, scopes=["read"]))

    response = client.post("/api/effects/apply", {"effectId": "sepia", "imageUrl": "https://93.184.215.14/a.jpg"})

    assert_error(response, 403, "FORBIDDEN")
    assert client.get("/api/jobs").status_code == 200


def test_a_read_key_cannot_change_the_account(user):
    client = key_client(api_key_for(user, scopes=["read"]))

    assert client.get("/api/user").status_code == 200
    assert_error(client.post("/api/user/callback-secret/rotate"), 403, "FORBIDDEN")


def test_a_key_request_needs_no_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_X_API_KEY=api_key_for(user))

    response = client.patch("/api/user", {"name": "Ada"}, format="json")

    assert response.status_code == 200


def test_the_data_export_lists_the_keys_without_secrets(user):
    import io
    import json
    import zipfile

    from accounts.export import data_export_build, data_export_request

    key = api_key_for(user, name="exported", scopes=["read"])
    export = data_export_build(export_id=data_export_request(user=user).pk)

    with export.archive.open("rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    text = archive.read("api_keys.json").decode()
    [entry] = json.loads(text)
    assert (entry["name"], entry["prefix"], entry["scopes"], entry["revoked"]) == (
        "exported",
        key.partition(".")[0],
        ["read"],
        False,
    )
    assert key.partition(".")[2] not in text
    assert "sha512" not in text


def test_the_erasure_deletes_the_keys(user):
    from accounts.deletion import account_erase

    api_key_for(user)
    account_deletion_request(user=user)

    account_erase(user_id=user.pk)

    user.refresh_from_db()
    assert "data:api_keys" in user.deletion_steps
    assert not ApiKey.objects.filter(user=user).exists()


def test_a_key_row_with_an_unknown_scope_is_never_saved(user):
    with pytest.raises(ValueError, match="unknown API key scopes"):
        ApiKey.objects.create_key(user=user, name="bad", scopes=["read", "admin"])

    assert not ApiKey.objects.exists()
