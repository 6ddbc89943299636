from django.apps import AppConfig

from xinfang.core.calendar import LegalCalendar


class SupervisionConfig(AppConfig):
    """Supervision of petition matters (督办): reminders, supervision notices, listed
    supervision, leaders' case ownership and instructions (条例 Arts. 38–40)."""

    name = "xinfang.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from xinfang.core.calendar import register_pending_dues
        from xinfang.org import dashboard, navigation
        from xinfang.org.demo import DEMO_HOOKS
        from xinfang.supervision import views
        from xinfang.supervision.demo import add_demo_supervision

        register_pending_dues("督办通知", _recompute_pending_notices, _count_pending_notices)
        from xinfang.core.models import MESSAGE_KINDS

        MESSAGE_KINDS.update(
            {
                "supervision_reminder": "催办",
                "supervision_notice": "督办通知",
                "listed_supervision": "挂牌督办",
                "instruction": "领导批示",
            }
        )
        roles = tuple(str(r) for r in views.STAFF_ROLES)
        navigation.register(navigation.NavItem("督查督办", "supervision:record_list"))
        navigation.register(navigation.NavItem("领导批示", "supervision:instruction_list"))
        navigation.register(navigation.NavItem("受理登记簿", "documents:register_page"))
        dashboard.register(
            dashboard.Panel(
                key="supervision",
                title="督查督办",
                roles=roles,
                template="supervision/panel.html",
                data=views.dashboard_data,
            )
        )
        dashboard.register(
            dashboard.Panel(
                key="service_measures",
                title="服务指标（本月 / 本年）",
                roles=roles,
                template="supervision/measures_panel.html",
                data=views.measures_panel_data,
            )
        )
        # Runs after the petitions hook (this app is listed after petitions in
        # INSTALLED_APPS, so its ready() appends later): it finds the demo matters.
        if add_demo_supervision not in DEMO_HOOKS:
            DEMO_HOOKS.append(add_demo_supervision)
        from xinfang.core import facts
        from xinfang.supervision.facts import PROVIDER

        facts.register(PROVIDER)
        from xinfang.petitions.instructions import register_recorder
        from xinfang.supervision.services import record_intake_instruction

        register_recorder(record_intake_instruction)


def _recompute_pending_notices(calendar: LegalCalendar) -> int:
    from xinfang.supervision.services import recompute_notice_dues

    return recompute_notice_dues(calendar)


def _count_pending_notices() -> int:
    from xinfang.supervision.models import SupervisionNotice

    return SupervisionNotice.objects.filter(deadline_pending=True).count()
