"""/api/ routes of the effects app."""

urlpatterns: list = []
