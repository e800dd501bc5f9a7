"""/api/user: the caller's profile, credits, credit history and callback secret."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import user_credit_history, user_credit_summary, user_email_verified
from accounts.services import user_callback_secret_rotate, user_update_profile
from billing.models import CreditTransaction, PlanCode
from photomania.api.views import ApiView


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
    plan = serializers.ChoiceField(choices=PlanCode.choices)
    monthlyCredits = serializers.IntegerField(source="monthly_credits")
    creditsRefilledAt = serializers.DateTimeField(source="credits_refilled_at")


class CreditTransactionSerializer(serializers.ModelSerializer):
    balanceAfter = serializers.IntegerField(source="balance_after", read_only=True)
    purchasedAmount = serializers.IntegerField(source="purchased_amount", read_only=True)
    bucket = serializers.ChoiceField(choices=CreditTransaction.Bucket.choices, read_only=True)
    jobId = serializers.UUIDField(source="job_id", read_only=True, allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = CreditTransaction
        fields = ["id", "amount", "purchasedAmount", "bucket", "kind", "balanceAfter", "jobId", "createdAt"]
        read_only_fields = fields


CallbackSecret = inline_serializer("CallbackSecret", fields={"callbackSecret": serializers.CharField()})


class UserView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="user_retrieve", tags=["user"], responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        operation_id="user_partial_update", tags=["user"], request=UserUpdateSerializer, responses=UserSerializer
    )
    def patch(self, request):
        params = UserUpdateSerializer(data=request.data, partial=True)
        params.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **params.validated_data)
        return Response(UserSerializer(user).data)


class CreditsView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="user_credits_retrieve", tags=["user"], responses=CreditsSerializer)
    def get(self, request):
        return Response(CreditsSerializer(user_credit_summary(user=request.user)).data)


class CreditHistoryView(ApiView, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CreditTransactionSerializer

    def get_queryset(self):
        return user_credit_history(user=self.request.user)

    @extend_schema(operation_id="user_credits_history", tags=["user"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CallbackSecretView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="user_callback_secret_retrieve", tags=["user"], responses=CallbackSecret)
    def get(self, request):
        return Response({"callbackSecret": request.user.callback_secret}, headers={"Cache-Control": "no-store"})


class CallbackSecretRotateView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="user_callback_secret_rotate", tags=["user"], request=None, responses=CallbackSecret)
    def post(self, request):
        secret = user_callback_secret_rotate(user=request.user)
        return Response({"callbackSecret": secret}, headers={"Cache-Control": "no-store"})
