from typing import Any

from django.apps import AppConfig

from xinfang.core.calendar import LegalCalendar


class LedgersConfig(AppConfig):
    """Dispute screening, duty and reports, leaders' reception, meetings and campaigns."""

    name = "xinfang.ledgers"
    label = "ledgers"
    verbose_name = "工作台账"

    def ready(self) -> None:
        from xinfang.core.calendar import register_pending_dues
        from xinfang.ledgers.demo import add_demo_ledgers
        from xinfang.ledgers.views.dashboard import panel_data
        from xinfang.org import dashboard, demo, navigation
        from xinfang.org.choices import Role

        register_pending_dues("台账报送与排查", _recompute_pending_ledgers, _count_pending_ledgers)
        from xinfang.core.models import MESSAGE_KINDS

        MESSAGE_KINDS["report_due"] = "报送提醒"
        staff = tuple(Role.values)
        navigation.register(navigation.NavItem("工作台账", "ledgers:dashboard"))
        navigation.register(navigation.NavItem("矛盾纠纷", "ledgers:dispute_list"))
        navigation.register(navigation.NavItem("值班报送", "ledgers:report_list"))
        navigation.register(navigation.NavItem("领导接访", "ledgers:slot_list"))
        dashboard.register(
            dashboard.Panel(
                key="ledgers",
                title="工作台账：待办与逾期",
                roles=staff,
                template="ledgers/panel.html",
                data=panel_data,
            )
        )
        if add_demo_ledgers not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(add_demo_ledgers)
        from xinfang.core import facts
        from xinfang.ledgers.facts import PROVIDER

        facts.register(PROVIDER)
        from xinfang.ledgers import tasks  # noqa: F401 - registers the periodic job with huey
        from xinfang.petitions.procedure import register_agreement_sink

        # 条例 Art. 33: an agreement recorded on a matter lands in the dispute ledger.
        register_agreement_sink(_agreement_to_ledger)


def _agreement_to_ledger(agreement: Any, actor: Any) -> str:
    from xinfang.ledgers.services.screening import record_agreement

    petition = agreement.petition
    dispute = record_agreement(
        actor=actor,
        unit=petition.responsible_unit,
        petition_ref=petition.number or "",
        subject=petition.summary[:200],
        parties=agreement.parties,
        agreement_text=agreement.text,
        agreed_on=agreement.agreed_on,
        petition=petition,
    )
    return str(dispute.number or dispute.pk)


def _recompute_pending_ledgers(calendar: LegalCalendar) -> int:
    from xinfang.ledgers.services.duty import recompute_pending_report_dues
    from xinfang.ledgers.services.screening import recompute_pending_rounds

    return recompute_pending_report_dues(calendar) + recompute_pending_rounds(calendar)


def _count_pending_ledgers() -> int:
    from xinfang.ledgers.models import ReportDue, ScreeningRound

    return (
        ReportDue.objects.filter(due_pending=True).count()
        + ScreeningRound.objects.filter(due_pending=True).count()
    )
