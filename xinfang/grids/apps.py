from django.apps import AppConfig


class GridsConfig(AppConfig):
    """Community grids: boundaries that tile, addresses, staffing, patrols and the daily log."""

    name = "xinfang.grids"
    label = "grids"
    verbose_name = "网格化服务管理"

    def ready(self) -> None:
        from xinfang.core import facts
        from xinfang.core.models import MESSAGE_KINDS
        from xinfang.grids.demo import add_demo_grids
        from xinfang.grids.facts import PROVIDER
        from xinfang.org import demo, navigation

        facts.register(PROVIDER)
        MESSAGE_KINDS["grid_item"] = "民情日志转交"
        navigation.register(navigation.NavItem("社区网格", "grids:community_list"))
        navigation.register(navigation.NavItem("民情日志", "grids:log_item_list"))
        from xinfang.grids.services import units_at
        from xinfang.petitions import location

        location.register_proposer(units_at)
        if "grids:areas_geojson" not in location.AREAS_URL_NAME:
            location.AREAS_URL_NAME.append("grids:areas_geojson")
        if add_demo_grids not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(add_demo_grids)
