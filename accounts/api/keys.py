"""/api/keys: the signed-in person's developer API keys (made, listed, revoked). Never with an API key."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api_keys import API_KEYS_PER_USER, api_key_create, api_key_revoke, api_keys_for_user
from accounts.key_auth import NotWithApiKey
from core.api.schema import envelope_example
from core.api.views import ApiView
from core.credentials import API_KEY_SCOPES


class _ApiKeyFields(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's public first part (pmk_...), to tell keys apart")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=API_KEY_SCOPES))
    createdAt = serializers.DateTimeField(source="created")
    expiresAt = serializers.DateTimeField(source="expiry_date", allow_null=True)


class ApiKeySerializer(_ApiKeyFields):
    lastUsedAt = serializers.DateTimeField(source="last_used_at", allow_null=True, help_text="To the minute")


class ApiKeyCreatedSerializer(_ApiKeyFields):
    key = serializers.CharField(help_text="The whole key: shown in this answer only, store it now")


class ApiKeyRevokedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    revoked = serializers.BooleanField()
    revokedAt = serializers.DateTimeField(source="revoked_at")


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=API_KEY_SCOPES),
        required=False,
        allow_empty=False,
        max_length=len(API_KEY_SCOPES),
        help_text="What the key may do; every scope when left out",
    )
    expiresAt = serializers.DateTimeField(required=False, allow_null=True, help_text="When it stops working")


_KEY_EXAMPLE = {
    "id": "0b6f7d3e-2c1a-4f5e-9d8c-7b6a5f4e3d2c",
    "name": "CI uploader",
    "prefix": "pmk_Q3v9LkP2",
    "scopes": ["read", "apply"],
    "createdAt": "2026-12-08T01:00:00Z",
    "expiresAt": None,
}


class ApiKeyListView(ApiView):
    permission_classes = [IsAuthenticated, NotWithApiKey]
    api_key_scope = "account"  # never enough: NotWithApiKey refuses every API key here

    @extend_schema(
        operation_id="keys_list",
        summary="List the caller's API keys",
        description="Unrevoked keys, newest first, without their secrets. Signed-in sessions only (not an API key).",
        tags=["keys"],
        responses=ApiKeySerializer(many=True),
        examples=[envelope_example("Keys", [{**_KEY_EXAMPLE, "lastUsedAt": "2026-12-08T01:05:00Z"}])],
    )
    def get(self, request):
        keys = api_keys_for_user(user=request.user)
        return Response(ApiKeySerializer(keys, many=True).data, headers={"Cache-Control": "no-store"})

    @extend_schema(
        operation_id="keys_create",
        summary="Make an API key",
        description=(
            "Makes a key with the given scopes (default: read, apply, account) and optional expiry. The "
            "answer's `key` is the whole key, shown this once: only its hash is kept. Send it as "
            f"`X-Api-Key`. At most {API_KEYS_PER_USER} live keys per account. Signed-in sessions only: "
            "an API key cannot make keys (403)."
        ),
        tags=["keys"],
        request={"application/json": ApiKeyCreateSerializer},
        responses={201: ApiKeyCreatedSerializer},
        examples=[envelope_example("Made", {**_KEY_EXAMPLE, "key": "pmk_Q3v9LkP2.Xb0c...32 characters"}, status=201)],
    )
    def post(self, request):
        params = ApiKeyCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        api_key, key = api_key_create(
            user=request.user,
            name=data["name"],
            scopes=data.get("scopes"),
            expires_at=data.get("expiresAt"),
            request=request,
        )
        api_key.key = key
        return Response(
            ApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"}
        )


class ApiKeyDetailView(ApiView):
    permission_classes = [IsAuthenticated, NotWithApiKey]
    api_key_scope = "account"

    @extend_schema(
        operation_id="keys_destroy",
        summary="Revoke an API key",
        description="The key stops working at once. Another account's key id is 404.",
        tags=["keys"],
        responses={200: ApiKeyRevokedSerializer},
        examples=[
            envelope_example(
                "Revoked", {"id": _KEY_EXAMPLE["id"], "revoked": True, "revokedAt": "2026-12-08T02:00:00Z"}, status=200
            )
        ],
    )
    def delete(self, request, key_id):
        api_key = api_key_revoke(user=request.user, key_id=key_id, request=request)
        return Response(ApiKeyRevokedSerializer(api_key).data)
