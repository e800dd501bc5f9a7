"""/api/ routes of the billing app."""

urlpatterns: list = []
