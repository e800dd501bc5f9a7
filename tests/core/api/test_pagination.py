"""?page (from 1) and ?pageSize (1 to 100): integers in range, else a 400 naming the parameter (as the schema declares)."""

import pytest

from tests.support.factories import EffectFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["page=abc", "page=0", "pageSize=abc", "pageSize=0", "pageSize=-3", "pageSize=101", "pageSize=500"]
)
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


@pytest.mark.django_db
def test_a_page_size_over_100_is_refused_not_silently_capped(anon_client):
    EffectFactory()

    response = anon_client.get("/api/effects?pageSize=101")

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"pageSize": ["Must be an integer, 1 to 100."]}


def test_the_schema_says_page_size_runs_from_1_to_100_and_what_happens_outside():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    parameter = next(p for p in schema["paths"]["/api/effects"]["get"]["parameters"] if p["name"] == "pageSize")
    assert parameter["schema"]["minimum"] == 1 and parameter["schema"]["maximum"] == 100
    assert "400 VALIDATION_ERROR" in parameter["description"]
