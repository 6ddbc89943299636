from django.apps import AppConfig


class ShellConfig(AppConfig):
    """What frames every page: the admin site, the audit log page, the deadline calculator,
    the calendar panel, the test cast. It sits above ``core`` and ``org`` so that ``core``
    imports no other app."""

    name = "xinfang.shell"
    label = "shell"
    verbose_name = "平台框架"

    def ready(self) -> None:
        from xinfang.org import dashboard, navigation
        from xinfang.org.choices import Role
        from xinfang.shell.views import calendar_panel_data

        navigation.register(navigation.NavItem("期限计算器", "shell:deadline_calculator"))
        dashboard.register(
            dashboard.Panel(
                key="calendar",
                title="法定节假日安排",
                roles=(Role.ADMINISTRATOR,),
                template="core/calendar_panel.html",
                data=calendar_panel_data,
            )
        )
