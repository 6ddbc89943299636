"""URLs of the portal app."""

from django.urls import path  # noqa: F401 - filled in as the app grows

app_name = "portal"
urlpatterns: list = []
