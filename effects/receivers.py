"""Keep cached catalog reads honest: any saved or deleted Effect (or Category) changes the catalog version."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from effects.catalog import effect_catalog_changed
from effects.models import Category, Effect


@receiver(post_save, sender=Effect, dispatch_uid="effects.catalog_changed.save")
@receiver(post_delete, sender=Effect, dispatch_uid="effects.catalog_changed.delete")
@receiver(post_save, sender=Category, dispatch_uid="effects.catalog_changed.category_save")
@receiver(post_delete, sender=Category, dispatch_uid="effects.catalog_changed.category_delete")
def _effect_changed(sender, **kwargs) -> None:
    # Now (readers inside this transaction) and again after commit (a reader in another process
    # may have cached the old rows under the first new version in between).
    effect_catalog_changed()
    transaction.on_commit(effect_catalog_changed)
