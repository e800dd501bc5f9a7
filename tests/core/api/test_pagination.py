"""?page and ?pageSize: integers from 1, else a 400 naming the parameter (as the schema declares)."""

import pytest

from tests.support.factories import EffectFactory


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["page=abc", "page=0", "pageSize=abc", "pageSize=0", "pageSize=-3"])
def test_a_page_parameter_that_is_not_an_integer_in_range_is_a_400(anon_client, query):
    EffectFactory()

    response = anon_client.get(f"/api/effects?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["details"]) == [query.split("=")[0]]


@pytest.mark.django_db
def test_a_page_past_the_last_one_is_a_404(anon_client):
    EffectFactory()

    assert anon_client.get("/api/effects?page=2").status_code == 404
