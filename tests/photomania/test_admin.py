"""The admin site: every model list is browsable by staff, and only by staff."""

import pytest
from django.urls import reverse

from tests.support.factories import JobFactory

ADMIN_LISTS = [
    "admin:accounts_user_changelist",
    "admin:effects_effect_changelist",
    "admin:effects_job_changelist",
    "admin:billing_plan_changelist",
    "admin:billing_creditpack_changelist",
    "admin:billing_credittransaction_changelist",
]


@pytest.mark.parametrize("url_name", ADMIN_LISTS)
def test_staff_can_browse_and_search_every_admin_list(client, staff_user, url_name):
    JobFactory()
    client.force_login(staff_user)

    response = client.get(reverse(url_name), {"q": "a"})

    assert response.status_code == 200


def test_non_staff_user_is_sent_to_the_admin_login(client, user):
    client.force_login(user)

    response = client.get(reverse("admin:effects_effect_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
