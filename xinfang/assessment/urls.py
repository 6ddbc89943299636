"""URLs of the assessment platform (mounted at /assessment/)."""

from django.urls import path

from xinfang.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.period_list, name="period_list"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/periods/new/", views.period_create, name="period_create"),
    path("periods/<int:pk>/", views.period_detail, name="period_detail"),
    path("periods/<int:pk>/step/", views.period_step, name="period_step"),
    path("periods/<int:pk>/facts/", views.fact_list, name="fact_list"),
    path("periods/<int:pk>/facts/new/", views.fact_create, name="fact_create"),
    path("periods/<int:pk>/what-if/", views.what_if_page, name="what_if_page"),
    path("periods/<int:pk>/results/", views.result_list, name="result_list"),
    path("periods/<int:pk>/results.xlsx", views.result_xlsx, name="result_xlsx"),
    path("periods/<int:pk>/results.pdf", views.result_pdf, name="result_pdf"),
    path("periods/<int:pk>/units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("facts/<int:pk>/step/", views.fact_step, name="fact_step"),
    path("facts/<int:pk>/appeal/", views.appeal_create, name="appeal_create"),
    path("facts/<int:pk>/attachment/", views.fact_attachment, name="fact_attachment"),
    path("appeals/<int:pk>/step/", views.appeal_step, name="appeal_step"),
    path("periods/<int:pk>/ratings/", views.rating_list, name="rating_list"),
    path("ratings/", views.my_ratings, name="my_ratings"),
    path("ratings/<int:pk>/", views.rating_submit, name="rating_submit"),
]
