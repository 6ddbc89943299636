from django.apps import AppConfig


class GridsConfig(AppConfig):
    """Community grids: boundaries that tile, addresses, staffing, patrols and the daily log."""

    name = "xinfang.grids"
    label = "grids"
    verbose_name = "网格化服务管理"
