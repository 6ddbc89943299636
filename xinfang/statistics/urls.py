"""Statistics pages (mounted at ``/statistics/``); every name is its view's."""

from django.urls import path

from xinfang.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.statistics_home, name="statistics_home"),
    path("unit/<int:pk>/", views.statistics_overview, name="statistics_overview"),
    path("unit/<int:pk>/export.xlsx", views.statistics_export, name="statistics_export"),
    path("unit/<int:pk>/matters/<str:figure>/", views.figure_list, name="figure_list"),
    path("unit/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("unit/<int:pk>/ranking/publish/", views.ranking_publish, name="ranking_publish"),
    path("unit/<int:pk>/recount/", views.statistics_recount, name="statistics_recount"),
    path("unit/<int:pk>/recurring/", views.recurring_list, name="recurring_list"),
    path("unit/<int:pk>/annual/<int:year>/", views.annual_report_page, name="annual_report_page"),
    path(
        "unit/<int:pk>/annual/<int:year>.<str:fmt>",
        views.annual_report_download,
        name="annual_report_download",
    ),
    path("published/<int:pk>/", views.ranking_publication, name="ranking_publication"),
    path("public/", views.public_index, name="public_index"),
    path("public/county/<int:pk>/", views.public_statistics, name="public_statistics"),
    path("public/ranking/<int:pk>/", views.public_ranking, name="public_ranking"),
]
