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
        from accounts import receivers  # noqa: F401  (connects the audit log receivers)
        from accounts.models import UserManager
        from accounts.services import user_create

        # create_user / create_superuser (the createsuperuser command) go through the service.
        UserManager.user_create = staticmethod(user_create)
        post_migrate.connect(_site_sync_after_migrate, sender=self, dispatch_uid="accounts.site_sync")
