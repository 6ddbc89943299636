from django.apps import AppConfig


class GridsConfig(AppConfig):
    """Community grids: boundaries that tile, addresses, staffing, patrols and the daily log."""

    name = "xinfang.grids"
    label = "grids"
    verbose_name = "网格化服务管理"

    def ready(self) -> None:
        from xinfang.core import facts
        from xinfang.core.models import MESSAGE_KINDS
        from xinfang.grids.facts import PROVIDER

        facts.register(PROVIDER)
        MESSAGE_KINDS["grid_item"] = "民情日志转交"
