"""URLs of the grids app (mounted at /grids/)."""

from django.urls import path

from xinfang.grids import views

app_name = "grids"
urlpatterns = [
    path("", views.community_list, name="community_list"),
    path("streets/<int:pk>/review/", views.review_record, name="review_record"),
    path("communities/<int:pk>/", views.community_detail, name="community_detail"),
    path("communities/<int:pk>/map.geojson", views.community_geojson, name="community_geojson"),
    path("communities/<int:pk>/boundaries/", views.boundary_import, name="boundary_import"),
    path("communities/<int:pk>/grids/draw/", views.grid_draw, name="grid_draw"),
    path("communities/<int:pk>/addresses/", views.address_import, name="address_import"),
    path("communities/<int:pk>/pairs/", views.pair_create, name="pair_create"),
    path("communities/<int:pk>/meeting/", views.meeting_record, name="meeting_record"),
    path("patrols/new/", views.patrol_create, name="patrol_create"),
    path("log/", views.log_item_list, name="log_item_list"),
    path("log/new/", views.log_item_create, name="log_item_create"),
    path("log/<int:pk>/", views.log_item_detail, name="log_item_detail"),
    path("log/<int:pk>/step/", views.log_item_transition, name="log_item_transition"),
    path("areas.geojson", views.areas_geojson, name="areas_geojson"),
    path("board/<int:pk>/", views.notice_board, name="notice_board"),
    path("board/<int:pk>/board.pdf", views.notice_board_pdf, name="notice_board_pdf"),
]
