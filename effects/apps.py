from django.apps import AppConfig


class EffectsConfig(AppConfig):
    name = "effects"
    verbose_name = "Effects and jobs"

    def ready(self) -> None:
        from effects import receivers  # noqa: F401  (connects the catalog-version receivers)

        _configure_engines()
        _register_personal_data()


def _register_personal_data() -> None:
    """Account deletion and data export (accounts) reach the user's jobs and photos through these."""
    from accounts import personal_data
    from effects.jobs.erasure import jobs_erase_for_user, jobs_export_for_user

    personal_data.register("jobs", erase=jobs_erase_for_user, export=jobs_export_for_user)


def _configure_engines() -> None:
    """The engines import nothing from Django: hand them their settings once per process."""
    from django.conf import settings

    from effects.engines import faces, replicate, segmentation

    segmentation.configure(model_path=settings.SEGMENTATION_MODEL_PATH)
    faces.configure(model_dir=settings.FACE_MODEL_DIR)

    def replicate_client() -> replicate.ReplicateClient:
        # Built per call, so a changed setting (tests, a reloaded config) takes effect at once.
        return replicate.ReplicateClient(
            base=settings.REPLICATE_API_BASE,
            token=settings.REPLICATE_API_TOKEN,
            timeout=settings.REPLICATE_TIMEOUT,
            data_uri_max_bytes=settings.REPLICATE_DATA_URI_MAX_BYTES,
        )

    replicate.configure(client_factory=replicate_client)
