from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users"

    def ready(self):
        from accounts import signals  # noqa: F401  (connects the audit log receivers)
        from accounts.models import UserManager
        from accounts.services import user_create

        # create_user / create_superuser (the createsuperuser command) go through the service.
        UserManager.user_create = staticmethod(user_create)
