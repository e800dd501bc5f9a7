"""/api/ routes of the accounts app."""

from django.urls import path

from accounts.api import (
    CallbackSecretRotateView,
    CallbackSecretView,
    CreditHistoryView,
    CreditsView,
    DataExportView,
    UserView,
)
from accounts.api.keys import ApiKeyDetailView, ApiKeyListView

urlpatterns = [
    path("keys", ApiKeyListView.as_view(), name="api-keys"),
    path("keys/<uuid:key_id>", ApiKeyDetailView.as_view(), name="api-key-detail"),
    path("user", UserView.as_view(), name="api-user"),
    path("user/export", DataExportView.as_view(), name="api-user-export"),
    path("user/credits", CreditsView.as_view(), name="api-user-credits"),
    path("user/credits/history", CreditHistoryView.as_view(), name="api-user-credits-history"),
    path("user/callback-secret", CallbackSecretView.as_view(), name="api-user-callback-secret"),
    path("user/callback-secret/rotate", CallbackSecretRotateView.as_view(), name="api-user-callback-secret-rotate"),
]
