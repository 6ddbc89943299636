from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from xinfang.core import checks  # noqa: F401 - registers the deploy checks
        from xinfang.org import navigation

        # Every staff member computes periods (empty roles = any staff).
        navigation.register(navigation.NavItem("期限计算器", "core:deadline_calculator", ()))
