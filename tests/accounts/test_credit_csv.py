"""GET /api/user/credits/history?format=csv: the whole ledger as a streamed CSV download, safe to open
in a spreadsheet."""

import csv
import io

import pytest

from accounts.credit_csv import csv_safe
from billing.models import CreditTransaction
from billing.services import credits_charge, credits_grant
from tests.support.api import assert_error
from tests.support.api_keys import api_key_for, key_client
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_csv_is_a_streamed_attachment_with_every_movement(user_client, user):
    for number in range(25):  # more than a page of the JSON list
        credits_grant(user=user, amount=1, kind=CreditTransaction.Kind.PURCHASE, reference=f"pack:{number}")

    response = user_client.get("/api/user/credits/history?format=csv")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="photomania-credits.csv"'
    assert "X-RateLimit-Remaining" in response
    rows = _rows(response)
    assert rows[0] == ["date", "change", "balance", "reason", "description", "jobId", "reference"]
    assert len(rows) == 1 + 26  # the sign-up grant and 25 purchases
    assert rows[1][1:4] == ["1", "35", "PURCHASE"]
    assert rows[-1][1:4] == ["10", "10", "SIGNUP_GRANT"]


def test_csv_rows_name_the_job_and_keep_negative_changes_numeric(user_client, user):
    job = JobFactory(user=user, effect__name="Sepia", credits_charged=1)
    credits_charge(user=user, amount=1, reference=f"charge:{job.pk}", job=job)

    rows = _rows(user_client.get("/api/user/credits/history?format=csv"))

    assert rows[1][1:6] == ["-1", "9", "EFFECT_CHARGE", "Effect charge — Sepia", str(job.pk)]


def test_a_cell_that_starts_like_a_formula_is_quoted(user_client, user):
    credits_grant(user=user, amount=1, kind=CreditTransaction.Kind.PURCHASE, reference='=HYPERLINK("evil")')

    rows = _rows(user_client.get("/api/user/credits/history?format=csv"))

    assert rows[1][6] == '\'=HYPERLINK("evil")'
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_safe_quotes_every_formula_start(value):
    assert csv_safe(value) == "'" + value


def test_csv_safe_leaves_numbers_and_plain_text():
    assert (csv_safe(-3), csv_safe("Refund"), csv_safe(None)) == (-3, "Refund", "")


def test_accept_text_csv_asks_for_it_too(user_client):
    response = user_client.get("/api/user/credits/history", HTTP_ACCEPT="text/csv")

    assert response["Content-Type"].startswith("text/csv")


def test_csv_without_credentials_is_the_json_envelope(anon_client):
    response = anon_client.get("/api/user/credits/history?format=csv")

    assert_error(response, 401, "UNAUTHORIZED")


def test_csv_with_a_read_key_works_and_an_apply_only_key_is_refused(user):
    assert key_client(api_key_for(user, scopes=["read"])).get("/api/user/credits/history?format=csv").status_code == 200
    response = key_client(api_key_for(user, scopes=["apply"])).get("/api/user/credits/history?format=csv")

    assert_error(response, 403, "FORBIDDEN")
