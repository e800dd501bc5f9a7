"""GET /api/effects (public catalog) and GET /api/effects/{id or slug}."""

import pytest

from effects.catalog import effects_set_active
from effects.models import Effect
from tests.api.test_envelope import assert_error
from tests.factories import EffectFactory

pytestmark = pytest.mark.django_db


def test_effect_list_is_public_and_ordered_by_position(anon_client):
    second = EffectFactory(position=2)
    first = EffectFactory(position=1)

    response = anon_client.get("/api/effects")

    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True
    assert [item["id"] for item in body["data"]] == [first.pk, second.pk]
    assert body["meta"] == {"count": 2, "next": None, "previous": None}


def test_effect_list_items_have_the_seed_fields_and_never_the_engine_config(anon_client):
    EffectFactory(model_id="replicate:secret/model", config={"apiKey": "hidden"})

    item = anon_client.get("/api/effects").json()["data"][0]

    assert set(item) == {"id", "name", "slug", "description", "previewUrl", "credits", "category"}


def test_effect_list_hides_inactive_effects(anon_client):
    EffectFactory(is_active=False)
    active = EffectFactory()

    data = anon_client.get("/api/effects").json()["data"]

    assert [item["id"] for item in data] == [active.pk]


def test_effect_list_filters_by_category(anon_client):
    vintage = EffectFactory(category="Vintage")
    EffectFactory(category="Anime")

    data = anon_client.get("/api/effects?category=vintage").json()["data"]

    assert [item["id"] for item in data] == [vintage.pk]


def test_effect_list_searches_by_text(anon_client):
    EffectFactory(name="Oil Painting")
    sketch = EffectFactory(name="Pencil Sketch")

    data = anon_client.get("/api/effects?q=sketch").json()["data"]

    assert [item["id"] for item in data] == [sketch.pk]


def test_effect_list_page_size_is_capped_at_100(anon_client):
    EffectFactory.create_batch(105)

    body = anon_client.get("/api/effects?pageSize=500").json()

    assert len(body["data"]) == 100
    assert body["meta"]["count"] == 105
    assert body["meta"]["next"]


def test_effect_list_defaults_to_20_per_page(anon_client):
    EffectFactory.create_batch(21)

    body = anon_client.get("/api/effects").json()

    assert len(body["data"]) == 20


def test_effect_list_query_count_does_not_grow_with_rows(anon_client, django_assert_max_num_queries):
    EffectFactory.create_batch(30)

    with django_assert_max_num_queries(2):
        anon_client.get("/api/effects?pageSize=100")


def test_effect_list_reflects_an_admin_edit_immediately(anon_client):
    effect = EffectFactory(name="Before")
    anon_client.get("/api/effects")
    effect.name = "After"
    effect.save()

    data = anon_client.get("/api/effects").json()["data"]

    assert data[0]["name"] == "After"


def test_effect_list_hides_effects_deactivated_in_bulk_at_once(anon_client):
    keep, hide = EffectFactory(), EffectFactory()
    anon_client.get("/api/effects")

    effects_set_active(effects=Effect.objects.filter(pk=hide.pk), active=False)

    slugs = [e["slug"] for e in anon_client.get("/api/effects").json()["data"]]
    assert slugs == [keep.slug]


def test_a_repeated_catalog_read_is_served_without_database_queries(anon_client, django_assert_num_queries):
    EffectFactory.create_batch(3)
    anon_client.get("/api/effects")

    with django_assert_num_queries(0):
        response = anon_client.get("/api/effects")

    assert len(response.json()["data"]) == 3


def test_effect_detail_by_id(anon_client, effect):
    response = anon_client.get(f"/api/effects/{effect.pk}")

    assert response.status_code == 200
    assert response.json()["data"]["slug"] == "sepia-dream"


def test_effect_detail_by_slug(anon_client, effect):
    response = anon_client.get("/api/effects/sepia-dream")

    assert response.json()["data"]["id"] == effect.pk


def test_inactive_effect_detail_is_404(anon_client):
    effect = EffectFactory(is_active=False)

    response = anon_client.get(f"/api/effects/{effect.slug}")

    assert_error(response, 404, "NOT_FOUND")


def test_unknown_effect_detail_is_404(anon_client):
    response = anon_client.get("/api/effects/99999999999999999999999")

    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize("query", ["q=a%00b", "category=Vintage%00"])
def test_catalog_search_with_a_nul_byte_is_an_empty_page_not_a_500(anon_client, effect, query):
    # Found by tests/fuzz/test_schema_stateful.py: PostgreSQL rejects NUL in text parameters.
    response = anon_client.get(f"/api/effects?{query}")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_effect_detail_with_a_nul_byte_is_404_not_a_500(anon_client, effect):
    response = anon_client.get("/api/effects/sepia%00dream")

    assert_error(response, 404, "NOT_FOUND")
