"""URLs of the trips app (mounted at /trips/)."""

from django.urls import path

from xinfang.trips import views

app_name = "trips"
urlpatterns = [
    path("", views.trip_list, name="trip_list"),
    path("new/", views.trip_create, name="trip_create"),
    path("<int:pk>/", views.trip_detail, name="trip_detail"),
    path("<int:pk>/edit/", views.trip_edit, name="trip_edit"),
    path("<int:pk>/transition/", views.trip_transition, name="trip_transition"),
    path("<int:pk>/exception/", views.trip_exception, name="trip_exception"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/set/", views.rule_update, name="rule_update"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("statistics/", views.trip_statistics, name="trip_statistics"),
    path("statistics.xlsx", views.trip_statistics_export, name="trip_statistics_export"),
]
