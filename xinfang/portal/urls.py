"""URLs of the portal app (the citizen's pages, mounted at /portal/)."""

from django.urls import path

from xinfang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submitted, name="submitted"),
    path("lookup/", views.lookup, name="lookup"),
    path("matter/", views.matter, name="matter"),
    path("matter/rate/", views.rate, name="rate"),
    path("matter/review/", views.review, name="review"),
    path("matter/leave/", views.leave, name="leave"),
    path("lookup/new-code/", views.code_replace, name="code_replace"),
    path("mine/", views.my_matters, name="my_matters"),
    path("mine/phone/send/", views.phone_code_send, name="phone_code_send"),
    path("mine/phone/confirm/", views.phone_code_confirm, name="phone_code_confirm"),
    path("matter/<int:pk>/public-title/", views.public_title_edit, name="public_title_edit"),
]
