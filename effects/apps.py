from django.apps import AppConfig


class EffectsConfig(AppConfig):
    name = "effects"
    verbose_name = "Effects and jobs"

    def ready(self) -> None:
        from django.conf import settings

        from effects import receivers  # noqa: F401  (connects the catalog-version receivers)
        from effects.engines import faces

        # The engines import nothing from Django: the face models' folder is handed over here.
        faces.configure(model_dir=settings.FACE_MODEL_DIR)
