from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _site_sync_after_migrate(sender, using="default", **kwargs):
    """Every `migrate` (each release runs one) writes SITE_URL and SITE_NAME to the Sites row."""
    from accounts.services import site_sync

    site_sync(using=using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users"

    def ready(self):
        from accounts import personal_data, receivers  # noqa: F401  (connects the audit log receivers)
        from accounts.api_keys import api_keys_erase_for_user, api_keys_export_for_user
        from accounts.models import UserManager
        from accounts.services import user_create

        # create_user / create_superuser (the createsuperuser command) go through the service.
        UserManager.user_create = staticmethod(user_create)
        # Developer API keys: deleted with the account; exported as metadata (never a secret).
        personal_data.register("api_keys", erase=api_keys_erase_for_user, export=api_keys_export_for_user)
        post_migrate.connect(_site_sync_after_migrate, sender=self, dispatch_uid="accounts.site_sync")
