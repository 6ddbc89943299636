from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    """Petition matters: intake, workflow, the legal clock, confidentiality."""

    name = "xinfang.petitions"
    label = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from xinfang.org import dashboard, navigation
        from xinfang.org.choices import Role
        from xinfang.org.demo import DEMO_HOOKS
        from xinfang.petitions import views
        from xinfang.petitions.demo import add_demo_petitions

        staff = tuple(str(r) for r in views.STAFF_ROLES)
        navigation.register(navigation.NavItem("信访事项", "petitions:list", staff))
        navigation.register(
            navigation.NavItem(
                "登记信访", "petitions:register", (Role.REGISTRAR, Role.ADMINISTRATOR)
            )
        )
        navigation.register(navigation.NavItem("临期超期", "petitions:due", staff))
        navigation.register(navigation.NavItem("提醒消息", "petitions:inbox", staff))
        dashboard.register(
            dashboard.Panel(
                key="petitions",
                title="信访事项期限",
                roles=staff,
                template="petitions/panel.html",
                data=views.dashboard_data,
            )
        )
        if add_demo_petitions not in DEMO_HOOKS:
            DEMO_HOOKS.append(add_demo_petitions)
