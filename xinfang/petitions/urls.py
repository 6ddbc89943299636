"""URLs of the petitions app (staff pages)."""

from django.urls import path

from xinfang.petitions import discipline_views, procedure_views, views, window_views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="petition_list"),
    path("new/", views.petition_register, name="petition_register"),
    path("new/matches/", views.register_matches, name="register_matches"),
    path("due/", views.due_list, name="due_list"),
    path("accusations/", discipline_views.discipline_queue, name="discipline_queue"),
    path("window-checks/", window_views.window_check_list, name="window_check_list"),
    path(
        "window-checks/<int:pk>/decide/",
        window_views.window_check_decide,
        name="window_check_decide",
    ),
    path("<int:pk>/", views.petition_detail, name="petition_detail"),
    path("<int:pk>/step/<slug:name>/", views.petition_step, name="petition_step"),
    path("<int:pk>/extend/", views.petition_extend, name="petition_extend"),
    path("<int:pk>/hearing/start/", views.hearing_start, name="hearing_start"),
    path("<int:pk>/hearing/end/", views.hearing_end, name="hearing_end"),
    path(
        "<int:pk>/answers/<int:answer_pk>/delivery/", views.delivery_record, name="delivery_record"
    ),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/completion-report/", views.completion_report, name="completion_report"),
    path(
        "<int:pk>/petitioners/<int:person_pk>/reveal/",
        views.petitioner_reveal,
        name="petitioner_reveal",
    ),
    path("<int:pk>/litigation/", procedure_views.litigation_flag, name="litigation_flag"),
    path("<int:pk>/recusal/", procedure_views.recusal_record, name="recusal_record"),
    path("<int:pk>/co-handling/", procedure_views.co_handling_add, name="co_handling_add"),
    path(
        "<int:pk>/co-handling/<int:co_pk>/sign-off/",
        procedure_views.co_handling_sign_off,
        name="co_handling_sign_off",
    ),
    path("<int:pk>/agreements/", procedure_views.agreement_record, name="agreement_record"),
    path("<int:pk>/aftercare/", procedure_views.aftercare_record, name="aftercare_record"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("candidates/<int:pk>/<slug:decision>/", views.candidate_decide, name="candidate_decide"),
]
