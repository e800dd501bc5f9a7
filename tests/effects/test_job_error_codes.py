"""Job error codes: one enum (JobErrorCode) for Job.error_code, the engines' codes and the API schema."""

from drf_spectacular.generators import SchemaGenerator

from effects.engines import EngineFailureCode
from effects.models import Job, JobErrorCode


def test_every_engine_error_code_is_a_job_error_code():
    assert {code.value for code in EngineFailureCode} <= set(JobErrorCode.values)


def test_job_error_code_field_takes_its_choices_from_the_enum():
    assert Job._meta.get_field("error_code").choices == JobErrorCode.choices


def test_the_job_payloads_error_code_is_an_enum_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    # The job's ``error`` is an inline nullable object (strict OAS 3.0 has no nullable $ref).
    code = components["Job"]["properties"]["error"]["properties"]["code"]
    assert code == {"$ref": "#/components/schemas/JobErrorCodeEnum"} or code.get("allOf") == [
        {"$ref": "#/components/schemas/JobErrorCodeEnum"}
    ]
    assert components["JobErrorCodeEnum"]["enum"] == list(JobErrorCode.values)
