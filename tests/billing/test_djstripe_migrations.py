"""dj-stripe's schema comes from one migration that replaces the migrations dj-stripe ships."""

from importlib import import_module
from pathlib import Path

from django.db.migrations.loader import MigrationLoader

SQUASHED = ("djstripe", "0001_squashed_2_11")


def shipped_djstripe_migrations() -> list[str]:
    package = Path(import_module("djstripe").__file__).parent / "migrations"
    return sorted(p.stem for p in package.glob("[0-9]*.py"))


def test_the_squashed_migration_replaces_exactly_the_migrations_the_installed_dj_stripe_ships():
    migration = import_module("billing.djstripe_migrations.0001_squashed_2_11").Migration

    replaced = sorted(name for app, name in migration.replaces if app == "djstripe")

    assert replaced == shipped_djstripe_migrations(), (
        "dj-stripe ships other migrations than billing/djstripe_migrations replaces: regenerate it "
        "(MIGRATION_MODULES in photomania/settings/billing.py explains how)"
    )


def test_the_migration_graph_has_the_squashed_migration_as_dj_stripes_only_node():
    loader = MigrationLoader(None, ignore_no_migrations=True)

    djstripe_nodes = sorted(key for key in loader.graph.nodes if key[0] == "djstripe")

    assert djstripe_nodes == [SQUASHED]
