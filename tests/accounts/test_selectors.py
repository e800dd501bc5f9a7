"""Staff dashboard reads of users: sign-ups per day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.selectors import users_new_over_time
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_new_users_are_counted_per_day_with_empty_days_as_zero():
    now = timezone.now()
    UserFactory(created_at=now - timedelta(days=2))
    UserFactory(created_at=now)
    UserFactory(created_at=now)
    UserFactory(created_at=now - timedelta(days=10))  # before the period

    result = users_new_over_time(since=now - timedelta(days=3), until=now, bucket="day")

    assert len(result["buckets"]) == 4
    assert result["counts"] == [0, 1, 0, 2]
