"""The code layout's rules, checked on the import graph: no import cycles, every import points down
the layers, every API view on ApiView.

The import contracts themselves (layers, pure engines, API-only core.api) live in pyproject.toml
and are run by `lint-imports`; this file runs them too, so `pytest` alone proves them.
"""

from pathlib import Path

import grimp
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

from core.api.views import ApiView

# Top to bottom: the Django project wires the apps; the apps, in the order they may import each
# other; the shared base, which imports no app.
LAYERS = ("photomania", "effects", "accounts", "billing", "core")
OUR_PACKAGES = LAYERS
REPO_ROOT = Path(__file__).resolve().parent.parent


def _import_cycles(graph) -> list[tuple[str, ...]]:
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                cycles.add(tuple(sorted(chain)))
    return sorted(cycles)


def test_our_modules_import_each_other_without_cycles():
    graph = grimp.build_graph(*OUR_PACKAGES)

    assert _import_cycles(graph) == []


def test_the_cycle_check_finds_a_cycle_when_there_is_one():
    graph = grimp.build_graph(*OUR_PACKAGES)
    graph.add_import(importer="billing.models", imported="billing.services")

    assert ("billing.models", "billing.services") in _import_cycles(graph)


def _upward_imports(graph) -> list[tuple[str, str]]:
    rank = {package: index for index, package in enumerate(LAYERS)}
    upward = []
    for module in graph.modules:
        importer_rank = rank.get(module.split(".")[0])
        for imported in graph.find_modules_directly_imported_by(module):
            imported_rank = rank.get(imported.split(".")[0])
            if importer_rank is not None and imported_rank is not None and imported_rank < importer_rank:
                upward.append((module, imported))
    return sorted(upward)


def test_every_import_points_down_the_layers():
    graph = grimp.build_graph(*OUR_PACKAGES)

    assert _upward_imports(graph) == []


def test_the_layer_check_finds_an_import_that_points_up():
    graph = grimp.build_graph(*OUR_PACKAGES)
    graph.add_import(importer="core.errors", imported="effects.models")
    graph.add_import(importer="billing.models", imported="accounts.models")

    assert _upward_imports(graph) == [("billing.models", "accounts.models"), ("core.errors", "effects.models")]


def test_the_celery_entry_point_only_names_the_project_celery_app():
    source = (REPO_ROOT / "celery_app.py").read_text()
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]

    assert imports == ["from photomania.celery import app"]


def test_the_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    configure()

    assert lint_imports(config_filename=str(REPO_ROOT / "pyproject.toml"), cache_dir=None, no_logo=True) is True


# A module that grows past this is split by stage or by family (as effects/jobs/ and
# effects/engines/classic/ are); generated migrations are exempt.
MODULE_MAX_LINES = 500
SIZE_CHECKED_PACKAGES = ("photomania", "core", "accounts", "effects", "billing", "bench")
GENERATED_FOLDERS = {"migrations", "djstripe_migrations"}


def _long_modules(root: Path) -> list[tuple[str, int]]:
    long = []
    for package in SIZE_CHECKED_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if GENERATED_FOLDERS.intersection(relative.parts):
                continue
            lines = len(path.read_text().splitlines())
            if lines > MODULE_MAX_LINES:
                long.append((relative.as_posix(), lines))
    return long


def test_no_module_is_longer_than_500_lines():
    long = _long_modules(REPO_ROOT)

    assert long == []


def test_the_size_check_finds_a_long_module_outside_migrations(tmp_path):
    for name in ("effects/jobs/huge.py", "effects/migrations/0001_initial.py", "billing/djstripe_migrations/0001.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n" * (MODULE_MAX_LINES + 1))
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "short.py").write_text("x = 1\n" * MODULE_MAX_LINES)

    assert _long_modules(tmp_path) == [("effects/jobs/huge.py", MODULE_MAX_LINES + 1)]


def _api_views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and (prefix + str(entry.pattern)).startswith("api/"):
            view_class = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
            # The schema and its viewer are drf-spectacular's own views.
            if view_class is not None and view_class.__module__.startswith(OUR_PACKAGES):
                yield prefix + str(entry.pattern), view_class


@pytest.mark.parametrize(("route", "view_class"), list(_api_views(get_resolver().url_patterns)))
def test_every_api_view_is_built_on_the_api_base_class(route, view_class):
    assert issubclass(view_class, ApiView), route


def test_the_api_view_list_covers_every_app():
    modules = {view_class.__module__ for _route, view_class in _api_views(get_resolver().url_patterns)}

    assert {"accounts.api", "billing.api", "effects.api", "photomania.health"} <= modules
