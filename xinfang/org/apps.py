from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xinfang.org"
    label = "org"
    verbose_name = "单位与人员"

    def ready(self) -> None:
        from xinfang.org import dashboard, inbox, navigation

        # Every staff member has an inbox: messages of every app to their units or to them.
        navigation.register(navigation.NavItem("提醒消息", "org:inbox"))
        dashboard.register(
            dashboard.Panel(
                key="inbox",
                title="提醒消息",
                roles=(),
                template="org/inbox_panel.html",
                data=inbox.dashboard_data,
            )
        )

        # django-otp registers its devices in the admin, unscoped, with each TOTP secret
        # (and a QR code of it) readable by any administrator. A second factor is managed
        # only by its owner, on the audited page /account/two-factor/. The admin's
        # autodiscover has run already: AdminConfig comes first in INSTALLED_APPS.
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
