"""Every ledgers route in the permission matrix (core/tests/test_permission_matrix.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xinfang.ledgers.choices import PublishStatus
from xinfang.ledgers.tests import factories as f
from xinfang.org.choices import Role
from xinfang.shell.testing import Cast, RouteCase, register


def _round(cast: Cast) -> Any:
    return f.ScreeningRoundFactory(unit=cast.unit_a, title="甲镇三月定期排查PC")


def _dispute(cast: Cast) -> Any:
    today = timezone.localdate()
    return f.DisputeFactory(
        unit=cast.unit_a,
        subject="甲镇逾期纠纷PC",
        found_on=today - timedelta(days=20),
        deadline=today - timedelta(days=2),
    )


def _roster(cast: Cast) -> Any:
    shift = f.DutyShiftFactory(roster__unit=cast.unit_a, roster__title="甲镇国庆值班表PC")
    return shift.roster


def _shift(cast: Cast) -> Any:
    return f.DutyShiftFactory(roster__unit=cast.unit_a)


def _obligation(cast: Cast) -> Any:
    return f.ReportObligationFactory(unit=cast.unit_a, title="甲镇信访日报PC")


def _due(cast: Cast) -> Any:
    return f.ReportDueFactory(unit=cast.unit_a, title="甲镇零报告PC")


def _slot(cast: Cast) -> Any:
    return f.ReceptionSlotFactory(unit=cast.unit_a, leader_name="甲镇接访领导PC")


def _draft_slot(cast: Cast) -> Any:
    return f.ReceptionSlotFactory(unit=cast.unit_a, status=PublishStatus.DRAFT)


def _reception(cast: Cast) -> Any:
    return f.ReceptionFactory(unit=cast.unit_a, matters_raised="甲镇反映问题PC")


def _meeting(cast: Cast) -> Any:
    return f.MeetingFactory(unit=cast.unit_a, title="甲镇周例会PC")


def _campaign(cast: Cast) -> Any:
    campaign = f.CampaignFactory(unit=cast.unit_a, name="甲镇百日攻坚PC")
    campaign.participants.set([cast.village_a])
    return campaign


pk = lambda obj: {"pk": obj.pk}  # noqa: E731

register(
    RouteCase(
        "ledgers:dashboard", Role.HANDLER, make=_dispute, marker=lambda d: d.subject, list_view=True
    ),
    RouteCase(
        "ledgers:round_list", Role.HANDLER, make=_round, marker=lambda r: r.title, list_view=True
    ),
    RouteCase("ledgers:rule_create", Role.UNIT_LEADER, list_view=True),
    RouteCase(
        "ledgers:round_detail", Role.HANDLER, make=_round, kwargs=pk, marker=lambda r: r.title
    ),
    RouteCase(
        "ledgers:dispute_list",
        Role.HANDLER,
        make=_dispute,
        marker=lambda d: d.subject,
        list_view=True,
    ),
    RouteCase("ledgers:dispute_export", Role.HANDLER, make=_dispute, list_view=True),
    RouteCase("ledgers:dispute_create", Role.HANDLER, list_view=True),
    RouteCase("ledgers:dispute_import", Role.HANDLER, list_view=True),
    RouteCase("ledgers:dispute_stats", Role.HANDLER, make=_dispute, list_view=True),
    RouteCase("ledgers:lookback", Role.HANDLER, list_view=True),
    RouteCase(
        "ledgers:dispute_detail", Role.HANDLER, make=_dispute, kwargs=pk, marker=lambda d: d.subject
    ),
    RouteCase(
        "ledgers:dispute_transition",
        Role.HANDLER,
        make=_dispute,
        kwargs=pk,
        method="post",
        data=lambda d: {"step": "start"},
        ok_status=302,
    ),
    RouteCase(
        "ledgers:roster_list",
        Role.DUTY_OFFICER,
        make=_roster,
        marker=lambda r: r.title,
        list_view=True,
    ),
    RouteCase("ledgers:roster_create", Role.DUTY_OFFICER, list_view=True),
    RouteCase(
        "ledgers:roster_detail",
        Role.DUTY_OFFICER,
        make=_roster,
        kwargs=pk,
        marker=lambda r: r.title,
    ),
    RouteCase(
        "ledgers:roster_publish",
        Role.DUTY_OFFICER,
        make=_roster,
        kwargs=pk,
        method="post",
        ok_status=302,
    ),
    RouteCase("ledgers:roster_pdf", Role.HANDLER, make=_roster, kwargs=pk),
    RouteCase("ledgers:roster_export", Role.HANDLER, make=_roster, kwargs=pk),
    RouteCase(
        "ledgers:shift_absence",
        Role.SUPERVISOR,
        make=_shift,
        kwargs=pk,
        method="post",
        data=lambda s: {"note": "未接听值班电话"},
        ok_status=302,
    ),
    RouteCase(
        "ledgers:obligation_list",
        Role.HANDLER,
        make=_obligation,
        marker=lambda o: o.title,
        list_view=True,
    ),
    RouteCase("ledgers:obligation_create", Role.UNIT_LEADER, list_view=True),
    RouteCase(
        "ledgers:report_list",
        Role.DUTY_OFFICER,
        make=_due,
        marker=lambda d: d.title,
        list_view=True,
    ),
    RouteCase("ledgers:report_export", Role.DUTY_OFFICER, make=_due, list_view=True),
    RouteCase("ledgers:urgent_create", Role.DUTY_OFFICER, list_view=True),
    RouteCase(
        "ledgers:report_file", Role.DUTY_OFFICER, make=_due, kwargs=pk, marker=lambda d: d.title
    ),
    RouteCase(
        "ledgers:slot_list",
        Role.HANDLER,
        make=_slot,
        marker=lambda s: s.leader_name,
        list_view=True,
    ),
    RouteCase("ledgers:slot_create", Role.UNIT_LEADER, list_view=True),
    RouteCase(
        "ledgers:slot_publish",
        Role.UNIT_LEADER,
        make=_draft_slot,
        kwargs=lambda s: {"unit_id": s.unit_id},
        method="post",
        ok_status=302,
    ),
    RouteCase(
        "ledgers:spotcheck_create",
        Role.SUPERVISOR,
        make=_slot,
        kwargs=pk,
        method="post",
        data=lambda s: {"leader_present": "1"},
        ok_status=302,
    ),
    RouteCase(
        "ledgers:reception_list",
        Role.HANDLER,
        make=_reception,
        marker=lambda r: r.matters_raised,
        list_view=True,
    ),
    RouteCase("ledgers:reception_create", Role.RECEIVING_LEADER, list_view=True),
    RouteCase(
        "ledgers:reception_detail",
        Role.HANDLER,
        make=_reception,
        kwargs=pk,
        marker=lambda r: r.matters_raised,
    ),
    RouteCase(
        "ledgers:reception_register_petition",
        Role.REGISTRAR,
        make=_reception,
        kwargs=pk,
        method="post",
        data=lambda r: {"petitioner_name": "张某", "kind": "appeal"},
        ok_status=302,
    ),
    RouteCase(
        "ledgers:public_schedule",
        Role.HANDLER,
        make=_slot,
        kwargs=lambda s: {"unit_id": s.unit_id},
        anonymous="public",
    ),
    RouteCase(
        "ledgers:public_ics",
        Role.HANDLER,
        make=_slot,
        kwargs=lambda s: {"unit_id": s.unit_id},
        anonymous="public",
    ),
    RouteCase(
        "ledgers:public_notice",
        Role.HANDLER,
        make=_slot,
        kwargs=lambda s: {"unit_id": s.unit_id},
        anonymous="public",
    ),
    RouteCase(
        "ledgers:meeting_list",
        Role.HANDLER,
        make=_meeting,
        marker=lambda m: m.title,
        list_view=True,
    ),
    RouteCase("ledgers:meeting_create", Role.HANDLER, list_view=True),
    RouteCase("ledgers:requirement_create", Role.UNIT_LEADER, list_view=True),
    RouteCase(
        "ledgers:campaign_list",
        Role.HANDLER,
        make=_campaign,
        marker=lambda c: c.name,
        list_view=True,
    ),
    RouteCase("ledgers:campaign_create", Role.UNIT_LEADER, list_view=True),
    RouteCase(
        "ledgers:campaign_detail", Role.HANDLER, make=_campaign, kwargs=pk, marker=lambda c: c.name
    ),
    RouteCase(
        "ledgers:submission_create",
        Role.UNIT_LEADER,
        make=_campaign,
        kwargs=pk,
        method="post",
        data=lambda c: {
            "title": "排查登记表",
            "cadence": "weekly",
            "due_weekday": "4",
            "due_time": "17:30",
        },
        ok_status=302,
    ),
    RouteCase("ledgers:facts_export", Role.ASSESSMENT_OFFICER, make=_dispute, list_view=True),
)
