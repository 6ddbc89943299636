"""URLs of the ledgers app (mounted at /ledgers/)."""

from django.urls import path

from xinfang.ledgers.views import campaigns, dashboard, duty, facts, meetings, reception, screening

app_name = "ledgers"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Dispute screening
    path("rounds/", screening.round_list, name="round_list"),
    path("rounds/plan/", screening.rule_create, name="rule_create"),
    path("rounds/<int:pk>/", screening.round_detail, name="round_detail"),
    path("disputes/", screening.dispute_list, name="dispute_list"),
    path("disputes/export.xlsx", screening.dispute_export, name="dispute_export"),
    path("disputes/new/", screening.dispute_create, name="dispute_create"),
    path("disputes/import/", screening.dispute_import, name="dispute_import"),
    path("disputes/stats/", screening.dispute_stats, name="dispute_stats"),
    path("disputes/lookback/", screening.lookback, name="lookback"),
    path("disputes/<int:pk>/", screening.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/transition/", screening.dispute_transition, name="dispute_transition"),
    # Duty and reporting
    path("rosters/", duty.roster_list, name="roster_list"),
    path("rosters/new/", duty.roster_create, name="roster_create"),
    path("rosters/<int:pk>/", duty.roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/publish/", duty.roster_publish, name="roster_publish"),
    path("rosters/<int:pk>/roster.pdf", duty.roster_pdf, name="roster_pdf"),
    path("rosters/<int:pk>/roster.xlsx", duty.roster_export, name="roster_export"),
    path("shifts/<int:pk>/absence/", duty.shift_absence, name="shift_absence"),
    path("obligations/", duty.obligation_list, name="obligation_list"),
    path("obligations/new/", duty.obligation_create, name="obligation_create"),
    path("reports/", duty.report_list, name="report_list"),
    path("reports/export.xlsx", duty.report_export, name="report_export"),
    path("reports/urgent/", duty.urgent_create, name="urgent_create"),
    path("reports/<int:pk>/", duty.report_file, name="report_file"),
    # Leaders' reception
    path("reception/schedule/", reception.slot_list, name="slot_list"),
    path("reception/schedule/new/", reception.slot_create, name="slot_create"),
    path("reception/schedule/publish/<int:unit_id>/", reception.slot_publish, name="slot_publish"),
    path(
        "reception/slots/<int:pk>/spot-check/", reception.spotcheck_create, name="spotcheck_create"
    ),
    path("reception/records/", reception.reception_list, name="reception_list"),
    path("reception/records/new/", reception.reception_create, name="reception_create"),
    path("reception/records/<int:pk>/", reception.reception_detail, name="reception_detail"),
    path(
        "reception/records/<int:pk>/petition/",
        reception.reception_register_petition,
        name="reception_register_petition",
    ),
    path("public/reception/<int:unit_id>/", reception.public_schedule, name="public_schedule"),
    path("public/reception/<int:unit_id>/calendar.ics", reception.public_ics, name="public_ics"),
    path(
        "public/reception/<int:unit_id>/notice.pdf", reception.public_notice, name="public_notice"
    ),
    # Meetings
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/rules/new/", meetings.requirement_create, name="requirement_create"),
    # Campaigns
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/submissions/", campaigns.submission_create, name="submission_create"),
    # Assessment facts
    path("facts.csv", facts.facts_export, name="facts_export"),
]
