"""Page routes (the server-rendered site)."""

from django.urls import path

from accounts import views as account_views
from billing import views as billing_views
from effects import views as effect_views

urlpatterns = [
    path("", effect_views.gallery, name="home"),
    path("effects/<slug:slug>/", effect_views.effect_detail, name="effect_detail"),
    path("jobs/", effect_views.job_history, name="job_history"),
    path("jobs/<uuid:job_id>/", effect_views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/delete/", effect_views.job_delete_view, name="job_delete"),
    path("dashboard/", account_views.dashboard, name="dashboard"),
    path("dashboard/export/", account_views.data_export_start, name="data_export"),
    path("dashboard/api-keys/", account_views.api_keys, name="api_keys"),
    path("dashboard/delete/", account_views.account_delete, name="account_delete"),
    path("privacy/", account_views.privacy, name="privacy"),
    path("billing/", billing_views.billing, name="billing"),
    path("billing/checkout/", billing_views.checkout, name="billing_checkout"),
    path("billing/portal/", billing_views.portal, name="billing_portal"),
    path("billing/success/", billing_views.checkout_success, name="billing_success"),
    path("billing/cancel/", billing_views.checkout_cancel, name="billing_cancel"),
]
