"""/api/user: the caller's profile, credits, credit history and callback secret."""

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import user_credit_history, user_credit_summary, user_email_verified
from accounts.services import user_callback_secret_rotate, user_update_profile
from billing.models import CreditTransaction, PlanCode
from core.api.schema import envelope_example
from core.api.views import ApiView


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
    permission_classes = [IsAuthenticated]

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


class CreditsView(ApiView):
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


class CreditHistoryView(ApiView, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CreditTransactionSerializer

    def get_queryset(self):
        return user_credit_history(user=self.request.user)

    @extend_schema(
        operation_id="user_credits_history",
        summary="List the caller's credit movements",
        description="Every grant, charge and refund, newest first, with the balance after it (paginated).",
        tags=["user"],
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
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CallbackSecretView(ApiView):
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
