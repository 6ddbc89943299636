from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from xinfang.core import checks  # noqa: F401 - registers the deploy checks
        from xinfang.core.views import calendar_panel_data
        from xinfang.org import dashboard, navigation
        from xinfang.org.choices import Role

        # Every staff member computes periods (empty roles = any staff).
        navigation.register(navigation.NavItem("期限计算器", "core:deadline_calculator"))
        dashboard.register(
            dashboard.Panel(
                key="calendar",
                title="法定节假日安排",
                roles=(Role.ADMINISTRATOR,),
                template="core/calendar_panel.html",
                data=calendar_panel_data,
            )
        )
