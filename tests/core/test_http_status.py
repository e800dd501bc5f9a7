"""Every domain error code answers with one HTTP status, in the API and on pages alike."""

import pytest

from core.errors import ErrorCode
from core.http_status import http_status_for


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_code_has_an_error_status(code):
    status = http_status_for(code)

    assert 400 <= status <= 599


def test_a_code_given_as_its_string_value_maps_like_the_enum_member():
    assert http_status_for("INSUFFICIENT_CREDITS") == http_status_for(ErrorCode.INSUFFICIENT_CREDITS) == 402
