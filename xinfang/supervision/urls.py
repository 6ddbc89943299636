"""URLs of the supervision pages."""

from django.urls import path

from xinfang.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("instructions/", views.instruction_list, name="instructions"),
    path("matter/<int:pk>/", views.matter_panel, name="matter"),
    path("matter/<int:pk>/new/<slug:kind>/", views.record_create, name="create"),
    path("<slug:kind>/<int:pk>/act/", views.record_act, name="act"),
]
