"""The effects app's admin: the catalog (``effects.py``) and jobs (``jobs.py``), registered on import."""

from effects.admin import effects, jobs  # noqa: F401
