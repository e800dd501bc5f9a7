"""The PhotoMania user: email is the login; credits are a cache of the ledger's sum."""

import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import get_random_string, salted_hmac
from rest_framework_api_key.crypto import KeyGenerator
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from billing.models import PlanCode
from core.credentials import API_KEY_PREFIX_LENGTH, API_KEY_SCOPES, API_KEY_SECRET_LENGTH, API_KEY_TAG

# Django's own salt for the session auth hash (AbstractBaseUser.get_session_auth_hash).
_SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


def generate_referral_code() -> str:
    """Eight URL-safe characters (48 random bits)."""
    return secrets.token_urlsafe(6)


def generate_callback_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    # Every user is born through accounts.services.user_create, so the signup grant lands in the
    # ledger. Models never import services: AccountsConfig.ready() hands the function over.
    user_create = None

    def create_user(self, email, password=None, **fields):
        if UserManager.user_create is None:
            raise RuntimeError("the accounts app is not ready: users are created through accounts.services")
        return UserManager.user_create(email=email, password=password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    image = models.URLField(max_length=2048, blank=True, help_text="Avatar URL")

    plan = models.CharField(max_length=16, choices=PlanCode.choices, default=PlanCode.FREE)
    # Written only by billing.services (the ledger); starts at 0 and the signup grant adds
    # the FREE plan's credits (10 by default) so that balance == sum(ledger) from day one.
    credits = models.IntegerField(default=0)
    # The part of ``credits`` bought in credit packs: it never expires, while the rest (plan
    # credits) is reset at each renewal. Written only by the ledger, like ``credits``.
    purchased_credits = models.IntegerField(default=0)
    # Credits still owed for a refunded credit pack whose credits were already spent: the refund
    # took back what the balance held and recorded the rest here. Every credit the user gets
    # afterwards (a job refund, a refill, a purchase) pays it off first. Written only by the ledger;
    # it equals the sum of the ledger rows' ``debt_amount``.
    credit_debt = models.IntegerField(default=0)
    credits_refilled_at = models.DateTimeField(default=timezone.now)
    is_past_due = models.BooleanField(default=False, help_text="Last subscription invoice failed")

    referral_code = models.CharField(max_length=16, unique=True, default=generate_referral_code)
    referred_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals")
    callback_secret = models.CharField(max_length=64, default=generate_callback_secret)

    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised when the account's second factors change (an authenticator added, removed or its
    # recovery codes renewed): part of every session's auth hash, so it ends the other sessions.
    sessions_generation = models.PositiveIntegerField(default=0, editable=False)
    # Account deletion: set when the deletion is asked for (sign-in stops at once), then the erasure
    # runs step by step (``deletion_steps`` lists the finished ones) until ``deleted_at``. The row
    # stays as an anonymous tombstone so the ledger and the audit log keep their foreign keys.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deletion_steps = models.JSONField(default=list, blank=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("invite_staff", "Can invite staff to set up their authenticator app"),
            ("adjust_credits", "Can adjust credit balances (admin action; audited)"),
            ("delete_account_data", "Can delete a user's account and personal data"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(credits__gte=0), name="user_credits_non_negative"),
            models.CheckConstraint(
                condition=models.Q(purchased_credits__gte=0, purchased_credits__lte=models.F("credits")),
                name="user_purchased_credits_within_balance",
            ),
            models.CheckConstraint(condition=models.Q(credit_debt__gte=0), name="user_credit_debt_non_negative"),
            # A debt is paid before anything is spendable: credits and a debt never coexist.
            models.CheckConstraint(
                condition=models.Q(credit_debt=0) | models.Q(credits=0), name="user_credit_debt_only_at_zero_balance"
            ),
        ]
        indexes = [
            models.Index(
                fields=["deletion_requested_at"],
                name="user_deletion_unfinished",
                condition=models.Q(deletion_requested_at__isnull=False, deleted_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def plan_credits(self) -> int:
        """Credits of the current plan period (reset at renewal, spent first)."""
        return self.credits - self.purchased_credits

    def get_session_auth_hash(self) -> str:
        return self._sessions_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._sessions_hash(secret)

    def _sessions_hash(self, secret: str) -> str:
        """Django's session auth hash (HMAC of the password hash) with ``sessions_generation`` mixed in.

        Generation 0 gives exactly Django's own hash, so sessions made before it existed stay valid.
        """
        value = self.password if not self.sessions_generation else f"{self.password}:{self.sessions_generation}"
        return salted_hmac(_SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]


class AuditEvent(models.Model):
    """One security-relevant event (append-only); written by accounts.audit.audit_record."""

    class Event(models.TextChoices):
        LOGIN_FAILED = "login_failed", "Login failed"
        LOGIN_LOCKED_OUT = "login_locked_out", "Login locked out (too many failures)"
        ADMIN_CREDIT_ADJUSTMENT = "admin_credit_adjustment", "Admin credit adjustment"
        JOB_GOODWILL_REFUND = "job_goodwill_refund", "Goodwill refund of a completed job"
        ADMIN_JOB_FAILED = "admin_job_failed", "Job failed and refunded by staff"
        ADMIN_JOB_RETRIED = "admin_job_retried", "Job run again by staff"
        STAFF_INVITATION_CREATED = "staff_invitation_created", "Staff invited to set up an authenticator app"
        STAFF_INVITATION_USED = "staff_invitation_used", "Staff invitation used"
        SSRF_REFUSED = "ssrf_refused", "Image URL refused (SSRF guard)"
        WEBHOOK_SIGNATURE_FAILED = "webhook_signature_failed", "Webhook signature failed"
        WEBHOOK_EVENT_UNPROCESSABLE = "webhook_event_unprocessable", "Webhook event unprocessable"
        ACCOUNT_DELETION_REQUESTED = "account_deletion_requested", "Account deletion requested"
        ACCOUNT_DELETED = "account_deleted", "Account deleted (personal data erased)"
        DATA_EXPORT_REQUESTED = "data_export_requested", "Data export requested"
        API_KEY_CREATED = "api_key_created", "API key created"
        API_KEY_REVOKED = "api_key_revoked", "API key revoked"

    event = models.CharField(max_length=40, choices=Event.choices)
    # The account the event is about (a login's target, an adjusted user); the actor is who did it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["event", "-created_at"], name="audit_event_created"),
            models.Index(fields=["user", "-created_at"], name="audit_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.created_at:%Y-%m-%d %H:%M:%S}"


class StaffInvitation(models.Model):
    """A one-time link that lets a staff member set up their first authenticator app.

    Staff enrol a second factor only with one (created by another staff member in admin or by
    ``manage.py staff_invite``): a staff password alone never leads to an admin session. Only a
    hash of the link's token is stored.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class DeletedAccount(models.Model):
    """A deleted account's address, as a keyed hash only: a new account on it gets no sign-up credits.

    ``email_hash`` is an HMAC (key derived from SECRET_KEY) of the address normalised as for
    referrals (``farmer+1@googlemail.com`` and ``farmer@gmail.com`` are one mailbox), so the
    address itself cannot be read back from the table.
    """

    email_hash = models.CharField(max_length=64, unique=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.deleted_at:%Y-%m-%d})"


def data_export_upload_to(instance: "DataExport", filename: str) -> str:
    return f"exports/{instance.token}/photomania-export.zip"


def generate_export_token() -> str:
    return secrets.token_hex(16)


class DataExport(models.Model):
    """One "export my data" archive: built by a task, downloadable until ``expires_at``, then deleted."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Being built"
        READY = "READY", "Ready to download"
        FAILED = "FAILED", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # An unguessable folder name, so the stored key says nothing about the user.
    token = models.CharField(max_length=32, unique=True, default=generate_export_token, editable=False)
    archive = models.FileField(upload_to=data_export_upload_to, blank=True, max_length=255)
    size = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="data_export_user_created")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} {self.created_at:%Y-%m-%d %H:%M}"


class ApiKeyGenerator(KeyGenerator):
    """``pmk_<8>.<32>`` keys (letters and digits, about 190 random bits in the secret), hashed with one
    SHA-512 (the library's hasher): a slow password hash buys nothing for a random secret this long."""

    def __init__(self):
        super().__init__(prefix_length=API_KEY_PREFIX_LENGTH, secret_key_length=API_KEY_SECRET_LENGTH)

    def get_prefix(self) -> str:
        return API_KEY_TAG + get_random_string(self.prefix_length)


class ApiKeyManager(BaseAPIKeyManager):
    key_generator = ApiKeyGenerator()

    def assign_key(self, obj: "ApiKey") -> str:
        # The library makes the primary key "<prefix>.<hash>"; ours is a UUID, so the hash never
        # leaves the table (not in URLs, admin links or logs).
        key, prefix, hashed_key = self.key_generator.generate()
        obj.prefix = prefix
        obj.hashed_key = hashed_key
        return key


class ApiKey(AbstractAPIKey):
    """A developer API key of one user: only its public prefix and the SHA-512 of the whole key are stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    # A JSON list (not a PostgreSQL array): the embedded development database is SQLite.
    scopes = models.JSONField(default=list, help_text="read, apply, account")
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="Updated at most once a minute")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        ordering = ("-created",)
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        indexes = [models.Index(fields=["user", "revoked"], name="apikey_user_revoked")]

    def save(self, *args, **kwargs):
        # No database check can read a JSON list on SQLite and PostgreSQL alike: every save checks it.
        if not isinstance(self.scopes, list) or not set(self.scopes) <= set(API_KEY_SCOPES):
            raise ValueError(f"unknown API key scopes: {self.scopes!r}")
        super().save(*args, **kwargs)

    # What the API layer reads from ``request.auth`` (core.api.views, core.throttles).
    @property
    def api_key_id(self):
        return self.pk

    @property
    def api_key_scopes(self) -> frozenset[str]:
        return frozenset(self.scopes)
