from django.apps import AppConfig
from django.http import HttpRequest, HttpResponse


class PortalConfig(AppConfig):
    name = "xinfang.portal"
    label = "portal"
    verbose_name = "群众端"

    def ready(self) -> None:
        from xinfang.core.outage import register_error_renderer
        from xinfang.portal.open311.render import errors_response

        def open311_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
            fmt = "xml" if request.path.endswith(".xml") else "json"
            return errors_response(fmt, status, [message])

        # Outages and refused numbers under Open311 answer GeoReport error documents.
        register_error_renderer("/open311/", open311_error)

        from xinfang.org.demo import DEMO_HOOKS
        from xinfang.portal.demo import add_demo_portal

        if add_demo_portal not in DEMO_HOOKS:
            DEMO_HOOKS.append(add_demo_portal)
