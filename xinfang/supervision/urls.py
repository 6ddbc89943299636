"""URLs of the supervision pages."""

from django.urls import path

from xinfang.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("matter/<int:pk>/", views.matter_panel, name="matter_panel"),
    path("matter/<int:pk>/new/<slug:kind>/", views.record_create, name="record_create"),
    path("<slug:kind>/<int:pk>/act/", views.record_act, name="record_act"),
]
