# Importing the Celery app here binds @shared_task to it in every process that loads Django.
from celery_app import app as celery_app

__all__ = ("celery_app",)
