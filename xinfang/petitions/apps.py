from django.apps import AppConfig

from xinfang.core.calendar import LegalCalendar


class PetitionsConfig(AppConfig):
    """Petition matters: intake, workflow, the legal clock, confidentiality."""

    name = "xinfang.petitions"
    label = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from xinfang.core.calendar import register_pending_dues
        from xinfang.core.personal_data import register_sealed_files
        from xinfang.org import dashboard, navigation
        from xinfang.org.demo import DEMO_HOOKS
        from xinfang.petitions import views
        from xinfang.petitions.demo import add_demo_petitions

        staff = tuple(str(r) for r in views.STAFF_ROLES)
        navigation.register(navigation.NavItem("信访事项", "petitions:petition_list"))
        navigation.register(navigation.NavItem("登记信访", "petitions:petition_register"))
        navigation.register(navigation.NavItem("临期超期", "petitions:due_list"))
        navigation.register(navigation.NavItem("待定期限内的申请", "petitions:window_check_list"))
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
        register_sealed_files("petitions.attachment", _rekey_attachments)

        from xinfang.core.models import MESSAGE_KINDS
        from xinfang.core.outbox import register_addressee_rule, register_withheld
        from xinfang.petitions.choices import NotificationKind
        from xinfang.petitions.confidentiality import accused_q, addressed_to_accused

        # Art. 30: a message about an accusation never reaches its accused (unit or person).
        register_withheld(accused_q)
        register_addressee_rule(addressed_to_accused)
        MESSAGE_KINDS.update({str(k): str(k.label) for k in NotificationKind})
        MESSAGE_KINDS["citizen_sms"] = "信访人短信"
        if add_demo_petitions not in DEMO_HOOKS:
            DEMO_HOOKS.append(add_demo_petitions)
        from xinfang.core import facts
        from xinfang.petitions.facts import PROVIDER

        facts.register(PROVIDER)


def _recompute_pending_matters(calendar: LegalCalendar) -> int:
    from xinfang.petitions.services import recompute_deadlines

    return recompute_deadlines(pending_only=True, calendar=calendar)


def _count_pending_matters() -> int:
    from xinfang.petitions.models import Petition

    return Petition.objects.filter(deadline_pending=True).count()


def _rekey_attachments(*, batch_size: int, dry_run: bool) -> int:
    from xinfang.petitions.attachments import rekey_attachments

    return rekey_attachments(batch_size=batch_size, dry_run=dry_run)
