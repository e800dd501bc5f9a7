from django.apps import AppConfig


class EffectsConfig(AppConfig):
    name = "effects"
    verbose_name = "Effects and jobs"

    def ready(self) -> None:
        from effects import receivers  # noqa: F401  (connects the catalog-version receivers)
