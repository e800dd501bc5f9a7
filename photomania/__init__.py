# Importing the Celery app here binds @shared_task to it in every process that loads Django.
from photomania.celery import app as celery_app

__all__ = ("celery_app",)
