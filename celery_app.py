"""The Celery app (``celery -A celery_app worker``); configured in ``photomania/celery.py``."""

from photomania.celery import app

__all__ = ("app",)
