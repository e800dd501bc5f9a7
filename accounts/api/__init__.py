"""/api/user: the caller's profile, credits, credit history, callback secret, deletion and data export."""

from django.contrib.sessions.backends.base import SessionBase
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from accounts.credit_csv import credit_history_csv
from accounts.deletion import account_deletion_confirm, account_deletion_request
from accounts.export import data_export_latest, data_export_request
from accounts.models import DataExport, User
from accounts.selectors import user_credit_history, user_credit_summary, user_email_verified
from accounts.services import user_callback_secret_rotate, user_update_profile
from billing.models import CreditTransaction, PlanCode
from core.api.renderers import EnvelopeJSONRenderer
from core.api.schema import envelope_example
from core.api.views import ApiView, not_found


class HttpURLField(serializers.URLField):
    """A URL limited to http and https (no javascript:, data:, ftp: avatars)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Enter an http or https URL.")
        return value


class UserSerializer(serializers.ModelSerializer):
    """The caller's profile. Only ``name`` and ``image`` are writable (through PATCH)."""

    image = serializers.CharField(read_only=True, help_text="Avatar URL, or empty")
    emailVerified = serializers.SerializerMethodField()
    creditsRefilledAt = serializers.DateTimeField(source="credits_refilled_at", read_only=True)
    referralCode = serializers.CharField(source="referral_code", read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "image",
            "emailVerified",
            "plan",
            "credits",
            "creditsRefilledAt",
            "referralCode",
            "createdAt",
            "updatedAt",
        ]
        read_only_fields = fields

    def get_emailVerified(self, user: User) -> bool:
        return user_email_verified(user=user)


class UserUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    image = HttpURLField(max_length=2048, required=False, allow_blank=True)


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(
        required=False, allow_blank=True, max_length=4096, trim_whitespace=False, help_text="The current password"
    )
    code = serializers.CharField(
        required=False, allow_blank=True, max_length=16, help_text="Staff with an authenticator app: its current code"
    )


class AccountDeletionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["DELETION_REQUESTED"])
    deletionRequestedAt = serializers.DateTimeField()


class DataExportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DataExport.Status.choices)
    url = serializers.SerializerMethodField(help_text="A signed download link, once READY")
    createdAt = serializers.DateTimeField(source="created_at")
    expiresAt = serializers.DateTimeField(source="expires_at", allow_null=True, help_text="When the archive is deleted")
    size = serializers.IntegerField(allow_null=True, help_text="Bytes, once READY")

    def get_url(self, export: DataExport) -> str | None:
        if export.status != DataExport.Status.READY or not export.archive:
            return None
        url = export.archive.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


class CreditsSerializer(serializers.Serializer):
    credits = serializers.IntegerField(help_text="Total: plan credits + purchased credits")
    planCredits = serializers.IntegerField(source="plan_credits", help_text="Reset to the quota each period")
    purchasedCredits = serializers.IntegerField(source="purchased_credits", help_text="Credit packs; never expire")
    creditDebt = serializers.IntegerField(
        source="credit_debt",
        help_text="Credits still owed for a refunded credit pack that were already spent; "
        "credits you get back or receive pay it off before they can be spent",
    )
    plan = serializers.ChoiceField(choices=PlanCode.choices)
    monthlyCredits = serializers.IntegerField(source="monthly_credits")
    creditsRefilledAt = serializers.DateTimeField(source="credits_refilled_at")


class CreditTransactionSerializer(serializers.ModelSerializer):
    balanceAfter = serializers.IntegerField(source="balance_after", read_only=True)
    purchasedAmount = serializers.IntegerField(source="purchased_amount", read_only=True)
    bucket = serializers.ChoiceField(choices=CreditTransaction.Bucket.choices, read_only=True)
    debtAmount = serializers.IntegerField(
        source="debt_amount",
        read_only=True,
        help_text="Change of the credit debt: positive when a pack refund found its credits spent, "
        "negative when credits were applied to it (DEBT_REPAYMENT)",
    )
    debtAfter = serializers.IntegerField(source="debt_after", read_only=True)
    jobId = serializers.UUIDField(source="job_id", read_only=True, allow_null=True)
    description = serializers.CharField(
        read_only=True, help_text="What the movement was, for people: its kind and the effect it was for"
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = CreditTransaction
        fields = [
            "id",
            "amount",
            "purchasedAmount",
            "bucket",
            "kind",
            "description",
            "balanceAfter",
            "debtAmount",
            "debtAfter",
            "jobId",
            "createdAt",
        ]
        read_only_fields = fields


_USER_EXAMPLE = {
    "id": 42,
    "email": "ada@example.com",
    "name": "Ada",
    "image": "",
    "emailVerified": True,
    "plan": "FREE",
    "credits": 9,
    "creditsRefilledAt": "2026-11-01T00:00:00Z",
    "referralCode": "ADA42XYZ",
    "createdAt": "2026-10-12T09:30:00Z",
    "updatedAt": "2026-11-20T18:02:11Z",
}
_SECRET_EXAMPLE = envelope_example("Secret", {"callbackSecret": "cbs_4f0b2c1d9e8a7b6c5d4e3f2a1b0c9d8e"})

CallbackSecret = inline_serializer("CallbackSecret", fields={"callbackSecret": serializers.CharField()})


class UserView(ApiView):
    api_key_scope = {"GET": "read", "PATCH": "account", "DELETE": "account"}
    permission_classes = [IsAuthenticated]
    delete_has_body = True  # DELETE carries the confirmation (password, code)

    @extend_schema(
        operation_id="user_retrieve",
        summary="Read the caller's profile",
        description="The signed-in user: profile, plan and credit balance.",
        tags=["user"],
        responses=UserSerializer,
        examples=[envelope_example("Profile", _USER_EXAMPLE)],
    )
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        operation_id="user_partial_update",
        summary="Update the caller's profile",
        description="Changes `name` and/or `image` (an http(s) avatar URL; empty clears it). JSON body only.",
        tags=["user"],
        request={"application/json": UserUpdateSerializer},
        responses=UserSerializer,
        examples=[envelope_example("Profile", _USER_EXAMPLE)],
    )
    def patch(self, request):
        params = UserUpdateSerializer(data=request.data, partial=True)
        params.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **params.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(
        operation_id="user_destroy",
        summary="Delete the caller's account",
        description=(
            "Deletes the account and its personal data: the subscription is cancelled at once, jobs and "
            "every stored photo are deleted, every session and app token ends now. Confirm with `password`; "
            "an account without a password confirms by re-authenticating first (allauth's reauthenticate "
            "flow, then this call within a few minutes). Staff with an authenticator app also send its "
            "`code`. A wrong password counts as a failed sign-in (429 once those are used up). Answers 202: "
            "the erasure finishes in the background and a confirmation email is sent."
        ),
        tags=["user"],
        request={"application/json": AccountDeleteSerializer},
        responses={202: AccountDeletionSerializer},
        examples=[
            envelope_example(
                "Deletion requested",
                {"status": "DELETION_REQUESTED", "deletionRequestedAt": "2026-12-07T22:40:00Z"},
                status=202,
            )
        ],
    )
    def delete(self, request):
        params = AccountDeleteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        account_deletion_confirm(request=request, user=request.user, **params.validated_data)
        user = account_deletion_request(user=request.user, request=request)
        if isinstance(request.auth, SessionBase):
            request.auth.delete()  # this app token ends now (the others stop authenticating)
        return Response(
            {"status": "DELETION_REQUESTED", "deletionRequestedAt": user.deletion_requested_at},
            status=status.HTTP_202_ACCEPTED,
        )


class CreditsView(ApiView):
    api_key_scope = "read"
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="user_credits_retrieve",
        summary="Read the caller's credits",
        description="The balance, the plan and its monthly allowance, and the last refill.",
        tags=["user"],
        responses=CreditsSerializer,
        examples=[
            envelope_example(
                "Credits",
                {"credits": 9, "plan": "FREE", "monthlyCredits": 10, "creditsRefilledAt": "2026-11-01T00:00:00Z"},
            )
        ],
    )
    def get(self, request):
        return Response(CreditsSerializer(user_credit_summary(user=request.user)).data)


class CreditHistoryCsvRenderer(BaseRenderer):
    """``?format=csv`` (or ``Accept: text/csv``) on the credit history; the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CreditHistoryView(ApiView, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    api_key_scope = "read"
    serializer_class = CreditTransactionSerializer
    renderer_classes = [EnvelopeJSONRenderer, CreditHistoryCsvRenderer]

    def get_queryset(self):
        return user_credit_history(user=self.request.user)

    @extend_schema(
        operation_id="user_credits_history",
        summary="List the caller's credit movements",
        description=(
            "Every grant, charge and refund, newest first, with the balance after it (paginated). "
            "With `format=csv` (or `Accept: text/csv`): the whole ledger as a CSV download, columns "
            "date, change, balance, reason, description, jobId, reference; a text cell that starts like a "
            "spreadsheet formula (`=`, `+`, `-`, `@`) is prefixed with `'`."
        ),
        tags=["user"],
        parameters=[
            OpenApiParameter(
                "format", str, enum=["json", "csv"], required=False, description="csv: the whole ledger as CSV"
            )
        ],
        responses={
            (200, "application/json"): CreditTransactionSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The whole ledger (a download)"),
        },
        examples=[
            OpenApiExample(
                "History page",
                value={
                    "id": 17,
                    "amount": -1,
                    "kind": "EFFECT_CHARGE",
                    "balanceAfter": 9,
                    "jobId": "7f3e2a41-5c1d-4b8e-9a0f-2d6c8b1e4f37",
                    "description": "Effect charge — Sepia",
                    "createdAt": "2026-11-27T10:00:00Z",
                },
                response_only=True,
                media_type="application/json",
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        if isinstance(request.accepted_renderer, CreditHistoryCsvRenderer):
            response = StreamingHttpResponse(
                credit_history_csv(user=request.user), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="photomania-credits.csv"'
            response["Cache-Control"] = "no-store"
            return response
        return super().get(request, *args, **kwargs)


class CallbackSecretView(ApiView):
    api_key_scope = "account"
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="user_callback_secret_retrieve",
        summary="Read the callback secret",
        description="The key that signs job callbacks (`PhotoMania-Signature`); see apply's callbacks.",
        tags=["user"],
        responses=CallbackSecret,
        examples=[_SECRET_EXAMPLE],
    )
    def get(self, request):
        return Response({"callbackSecret": request.user.callback_secret}, headers={"Cache-Control": "no-store"})


class CallbackSecretRotateView(ApiView):
    api_key_scope = "account"
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="user_callback_secret_rotate",
        summary="Rotate the callback secret",
        description="Replaces the callback secret; callbacks sent from now on are signed with the new one.",
        tags=["user"],
        request=None,
        responses=CallbackSecret,
        examples=[_SECRET_EXAMPLE],
    )
    def post(self, request):
        secret = user_callback_secret_rotate(user=request.user)
        return Response({"callbackSecret": secret}, headers={"Cache-Control": "no-store"})


_EXPORT_EXAMPLE = {
    "status": "READY",
    "url": "https://photomania.example/media/exports/9f2c.../photomania-export.zip?exp=1765150000&sig=...",
    "createdAt": "2026-12-07T22:40:00Z",
    "expiresAt": "2026-12-08T22:41:12Z",
    "size": 5242880,
}


class DataExportView(ApiView):
    api_key_scope = "account"
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="user_export_retrieve",
        summary="Read the caller's data export",
        description=(
            "The latest export: `PENDING` while it is built, `READY` with a signed `url` to the zip "
            "(account.json, credits.csv, jobs.json and every source and result image) until `expiresAt`, "
            "or `FAILED`. 404 when there is none (never asked for, or expired and deleted)."
        ),
        tags=["user"],
        responses=DataExportSerializer,
        examples=[envelope_example("Ready", _EXPORT_EXAMPLE)],
    )
    def get(self, request):
        export = data_export_latest(user=request.user)
        if export is None:
            raise not_found("No data export; start one with POST /api/user/export")
        data = DataExportSerializer(export, context={"request": request}).data
        return Response(data, headers={"Cache-Control": "no-store"})

    @extend_schema(
        operation_id="user_export_create",
        summary="Export the caller's data",
        description=(
            "Starts building a zip of everything PhotoMania keeps about the caller; poll GET /api/user/export. "
            "Once a day: a second request within 24 hours answers 429 RATE_LIMITED (unless the last one failed)."
        ),
        tags=["user"],
        request=None,
        responses={202: OpenApiResponse(DataExportSerializer, description="The export, PENDING")},
        examples=[
            envelope_example("Pending", {**_EXPORT_EXAMPLE, "status": "PENDING", "url": None, "size": None}, status=202)
        ],
    )
    def post(self, request):
        export = data_export_request(user=request.user, request=request)
        data = DataExportSerializer(export, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Cache-Control": "no-store"})
