"""User admin: balances are read-only; credits change only through the "adjust credits" action."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect, render
from django.utils import timezone
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey as LibraryApiKey

from accounts.api_keys import api_keys_revoke
from accounts.audit import audit_record, client_ip
from accounts.deletion import account_deletion_request
from accounts.models import ApiKey, AuditEvent, DataExport, StaffInvitation, User
from accounts.services import user_credits_adjust, user_deactivate, user_register, user_set_initial_password
from accounts.staff_invitations import staff_invitation_create, staff_invitation_url
from billing.models import CreditTransaction
from core.admin import ReadOnlyModelAdmin
from core.credentials import API_KEY_SCOPES
from core.errors import ApplicationError


class CreditTransactionInline(admin.TabularInline):
    model = CreditTransaction
    fk_name = "user"
    fields = ("created_at", "kind", "amount", "balance_after", "reference", "note", "created_by")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-created_at", "-id")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


class AdjustCreditsForm(forms.Form):
    amount = forms.IntegerField(help_text="Positive adds credits, negative removes them.")
    note = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required: why.")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("Amount must not be zero.")
        return amount


class UserCreationForm(forms.ModelForm):
    password = forms.CharField(widget=forms.PasswordInput, required=False, help_text="Leave empty for no password.")

    class Meta:
        model = User
        fields = ("email", "name", "is_staff")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email already exists.")
        return email


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("-created_at",)
    list_display = ("email", "name", "plan", "credits", "is_past_due", "is_staff", "created_at")
    list_filter = ("plan", "is_past_due", "is_staff", "is_active", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "name", "referral_code")
    readonly_fields = (
        "credits",
        "credit_debt",
        "credits_refilled_at",
        "referral_code",
        "referred_by",
        "created_at",
        "updated_at",
        "last_login",
        "deletion_requested_at",
        "deleted_at",
    )
    raw_id_fields = ("referred_by",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "image")}),
        ("Billing", {"fields": ("plan", "credits", "credit_debt", "credits_refilled_at", "is_past_due")}),
        ("Referrals", {"fields": ("referral_code", "referred_by")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at", "deletion_requested_at", "deleted_at")}),
    )
    add_form = UserCreationForm
    add_fieldsets = ((None, {"fields": ("email", "name", "password", "is_staff")}),)
    inlines = [CreditTransactionInline]
    actions = ["adjust_credits", "invite_staff", "delete_account_data"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if "is_active" in form.changed_data and not obj.is_active:
                user_deactivate(user=obj)
            return
        user_set_initial_password(user=obj, password=form.cleaned_data.get("password"))
        user_register(user=obj)

    def has_adjust_credits_permission(self, request) -> bool:
        return request.user.has_perm("accounts.adjust_credits")

    @admin.action(description="Adjust credits (writes the ledger, needs a note)", permissions=["adjust_credits"])
    def adjust_credits(self, request, queryset):
        if "apply" in request.POST:
            form = AdjustCreditsForm(request.POST)
            if form.is_valid():
                done = 0
                batch = uuid.uuid4().hex[:12]
                for user in queryset:
                    try:
                        user_credits_adjust(
                            user=user,
                            amount=form.cleaned_data["amount"],
                            note=form.cleaned_data["note"],
                            actor=request.user,
                            reference=f"admin:{batch}:{user.pk}",
                            ip=client_ip(request),
                        )
                        done += 1
                    except ApplicationError as exc:
                        self.message_user(request, f"{user.email}: {exc.message}", messages.ERROR)
                if done:
                    self.message_user(request, f"Adjusted credits of {done} user(s).", messages.SUCCESS)
                return redirect(request.get_full_path())
        else:
            form = AdjustCreditsForm()
        return render(
            request,
            "admin/accounts/adjust_credits.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "users": queryset,
                "title": "Adjust credits",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def has_invite_staff_permission(self, request) -> bool:
        return request.user.has_perm("accounts.invite_staff")

    @admin.action(description="Invite to set up an authenticator app (staff)", permissions=["invite_staff"])
    def invite_staff(self, request, queryset):
        """Create a one-time link for each selected staff member without an authenticator app; show them once."""
        invitations = []
        for user in queryset:
            try:
                invitation, token = staff_invitation_create(user=user, created_by=request.user, request=request)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                invitations.append((user.email, staff_invitation_url(token), invitation.expires_at))
        if not invitations:
            return None
        return render(
            request,
            "admin/accounts/staff_invitations.html",
            {
                **self.admin_site.each_context(request),
                "invitations": invitations,
                "title": "Invitations to set up an authenticator app",
                "opts": self.model._meta,
            },
        )

    def has_delete_account_data_permission(self, request) -> bool:
        return request.user.has_perm("accounts.delete_account_data")

    @admin.action(
        description="Delete accounts and personal data (support request)", permissions=["delete_account_data"]
    )
    def delete_account_data(self, request, queryset):
        users = list(queryset.filter(deleted_at__isnull=True).exclude(pk=request.user.pk))
        if "apply" in request.POST:
            for user in users:
                account_deletion_request(user=user, actor=request.user, request=request, ip=client_ip(request))
            self.message_user(
                request,
                f"Deletion started for {len(users)} account(s); it finishes in the background.",
                messages.SUCCESS,
            )
            return redirect(request.get_full_path())
        return render(
            request,
            "admin/accounts/delete_account_data.html",
            {
                **self.admin_site.each_context(request),
                "users": users,
                "title": "Delete accounts and personal data",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """The audit log is read-only: rows are written by accounts.audit.audit_record."""

    list_display = ("created_at", "event", "user", "actor", "ip_address", "request_id")
    list_filter = ("event", "created_at")
    search_fields = ("user__email", "actor__email", "ip_address", "request_id")
    list_select_related = ("user", "actor")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(StaffInvitation)
class StaffInvitationAdmin(ReadOnlyModelAdmin):
    """Invitations to set up an authenticator app: who invited whom, until when, used or not (never the link)."""

    list_display = ("user", "created_by", "created_at", "expires_at", "used_at")
    list_select_related = ("user", "created_by")
    search_fields = ("user__email", "created_by__email")
    exclude = ("token_hash",)


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyModelAdmin):
    """Data exports (support can see whether a user's export was built); archives are deleted when they expire."""

    list_display = ("created_at", "user", "status", "size", "expires_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in DataExport._meta.fields if f.name != "archive"]
    exclude = ("archive",)


class ApiKeyAdminForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in API_KEY_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=list(API_KEY_SCOPES),
    )

    class Meta:
        model = ApiKey
        fields = ("user", "name", "scopes", "expiry_date", "revoked")


# The library registers its own (unused) APIKey model; PhotoMania's keys are accounts.ApiKey.
if admin.site.is_registered(LibraryApiKey):
    admin.site.unregister(LibraryApiKey)


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    """Developer API keys: staff see prefixes, never secrets or hashes. A key made here is shown once,
    in the page's message after saving (the library's behaviour); revoking cannot be undone."""

    form = ApiKeyAdminForm
    list_display = ("prefix", "user", "name", "scopes", "created", "last_used_at", "expiry_date", "revoked")
    list_filter = ("revoked", "created")
    search_fields = ("prefix", "name", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        fields = ("prefix", "created", "last_used_at", "revoked_at")
        if obj is not None:
            fields += ("user",)
        if obj is not None and obj.revoked:
            fields += ("name", "scopes", "revoked", "expiry_date")
        return fields

    def get_fields(self, request, obj=None):
        return ("user", "name", "scopes", "expiry_date", "revoked", "prefix", "created", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if obj.revoked and obj.revoked_at is None:
            obj.revoked_at = timezone.now()
        if obj._state.adding:
            key = ApiKey.objects.assign_key(obj)
            obj.save()
            messages.warning(
                request, f"The API key {obj.name!r} is: {key} — give it to its owner now: it is never shown again."
            )
            return
        obj.save()

    def has_delete_permission(self, request, obj=None):
        return False  # keys are revoked, not deleted: the row says who had which key, and when

    @admin.action(description="Revoke the selected API keys (cannot be undone)", permissions=["change"])
    def revoke(self, request, queryset):
        live = list(queryset.filter(revoked=False).select_related("user"))
        count = api_keys_revoke(keys=queryset.filter(pk__in=[key.pk for key in live]))
        for key in live:
            audit_record(event=AuditEvent.Event.API_KEY_REVOKED, user=key.user, request=request, prefix=key.prefix)
        messages.success(request, f"{count} API key(s) revoked.")
