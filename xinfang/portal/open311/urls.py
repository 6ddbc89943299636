"""Open311 GeoReport v2, mounted at /open311/v2/ (``xinfang/urls.py``)."""

from django.urls import re_path

from xinfang.portal.open311 import views

app_name = "open311"
FMT = r"(?P<fmt>xml|json)"
urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", views.services, name="services"),
    re_path(
        rf"^services/(?P<code>[A-Za-z0-9_-]{{1,20}})\.{FMT}$",
        views.service_definition,
        name="service",
    ),
    re_path(rf"^requests\.{FMT}$", views.requests, name="requests"),
    re_path(
        rf"^requests/(?P<request_id>[A-Za-z0-9_-]{{1,30}})\.{FMT}$",
        views.request_detail,
        name="request",
    ),
]
