"""/api/ routes of the effects app."""

from django.urls import path

from effects.api import (
    EffectDetailView,
    EffectListView,
    JobDetailView,
    JobListView,
    ReplicateWebhookView,
)
from effects.api.apply import ApplyView
from effects.api.batch import BatchApplyView

urlpatterns = [
    path("effects", EffectListView.as_view(), name="api-effects"),
    path("effects/apply", ApplyView.as_view(), name="api-effects-apply"),
    path("effects/apply/batch", BatchApplyView.as_view(), name="api-effects-apply-batch"),
    path("effects/<str:ref>", EffectDetailView.as_view(), name="api-effect"),
    path("jobs", JobListView.as_view(), name="api-jobs"),
    path("jobs/<str:jobId>", JobDetailView.as_view(), name="api-job"),
    path("webhooks/replicate", ReplicateWebhookView.as_view(), name="webhook-replicate"),
]
