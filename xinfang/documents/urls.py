"""Document downloads and the general register (mounted at ``/documents/``)."""

from django.urls import path

from xinfang.documents import views

app_name = "documents"
urlpatterns = [
    path("matter/<int:pk>/", views.document_index, name="document_index"),
    path("matter/<int:pk>/<slug:kind>.pdf", views.document_pdf, name="document_pdf"),
    path("issued/<int:pk>.pdf", views.issued_pdf, name="issued_pdf"),
    path("mine/<int:pk>/<slug:kind>.pdf", views.citizen_pdf, name="citizen_pdf"),
    path("supervision-notice/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("register/", views.register_page, name="register_page"),
    path("register/export/", views.register_export, name="register_export"),
    path("register/print/", views.register_print, name="register_print"),
    path("register/jobs/<int:pk>/", views.job_page, name="job_page"),
    path("register/jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("register/jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("register/import/", views.register_import, name="register_import"),
    path("register/import/<int:pk>/", views.import_job_page, name="import_job_page"),
    path("register/import/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("register/import/<int:pk>/confirm/", views.import_job_confirm, name="import_job_confirm"),
    path("register/import/<int:pk>/restart/", views.import_job_restart, name="import_job_restart"),
]
