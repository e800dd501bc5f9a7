"""The site's URLs plus a view that raises, to see the friendly 500 page."""

from django.urls import path

from photomania.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
