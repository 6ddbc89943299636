from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from xinfang.core import checks  # noqa: F401 - registers the deploy checks
