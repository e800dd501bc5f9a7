"""The Sites row follows SITE_URL and SITE_NAME: on every migrate, and from the data migration."""

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.services import site_domain, site_sync

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("site_url", "domain"),
    [("https://photomania.app", "photomania.app"), ("http://127.0.0.1:8000", "127.0.0.1:8000")],
)
def test_the_site_domain_is_the_host_and_port_of_site_url(site_url, domain):
    assert site_domain(site_url) == domain


def test_site_sync_writes_site_url_and_site_name_to_the_current_site(settings):
    settings.SITE_URL = "https://photos.photomania.test"
    settings.SITE_NAME = "PhotoMania Studio"

    site_sync()

    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("photos.photomania.test", "PhotoMania Studio")


def test_migrate_updates_the_site_after_the_environment_changed(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    settings.SITE_URL = "https://new.photomania.test"
    settings.SITE_NAME = "PhotoMania"

    call_command("migrate", verbosity=0)

    assert Site.objects.values_list("domain", "name").get(pk=settings.SITE_ID) == ("new.photomania.test", "PhotoMania")


def test_the_data_migration_replaces_django_default_example_com(settings):
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0003_purchased_credits")])
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    settings.SITE_URL = "https://photos.photomania.test"

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0004_site_name_and_domain_from_settings")])

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("photos.photomania.test", "PhotoMania")
