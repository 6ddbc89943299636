from django.apps import AppConfig

from xinfang.core.calendar import LegalCalendar


class PetitionsConfig(AppConfig):
    """Petition matters: intake, workflow, the legal clock, confidentiality."""

    name = "xinfang.petitions"
    label = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from xinfang.core.calendar import register_pending_dues
        from xinfang.org import dashboard, navigation
        from xinfang.org.demo import DEMO_HOOKS
        from xinfang.petitions import views
        from xinfang.petitions.demo import add_demo_petitions

        staff = tuple(str(r) for r in views.STAFF_ROLES)
        navigation.register(navigation.NavItem("信访事项", "petitions:list"))
        navigation.register(navigation.NavItem("登记信访", "petitions:register"))
        navigation.register(navigation.NavItem("临期超期", "petitions:due"))
        navigation.register(navigation.NavItem("提醒消息", "petitions:inbox"))
        navigation.register(navigation.NavItem("待定期限内的申请", "petitions:window_checks"))
        dashboard.register(
            dashboard.Panel(
                key="petitions",
                title="信访事项期限",
                roles=staff,
                template="petitions/panel.html",
                data=views.dashboard_data,
            )
        )
        register_pending_dues("信访事项", _recompute_pending_matters, _count_pending_matters)
        if add_demo_petitions not in DEMO_HOOKS:
            DEMO_HOOKS.append(add_demo_petitions)


def _recompute_pending_matters(calendar: LegalCalendar) -> int:
    from xinfang.petitions.services import recompute_deadlines
    from xinfang.petitions.windows import settle_window_checks

    changed = recompute_deadlines(pending_only=True, calendar=calendar)
    settle_window_checks()
    return changed


def _count_pending_matters() -> int:
    from xinfang.petitions.models import Petition

    return Petition.objects.filter(deadline_pending=True).count()
