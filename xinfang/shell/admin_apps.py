"""App config that swaps in Xinfang's admin site."""

from django.contrib.admin.apps import AdminConfig


class XinfangAdminConfig(AdminConfig):
    """The Django admin, for administrators only and scoped like every other page."""

    default_site = "xinfang.shell.admin_site.XinfangAdminSite"
