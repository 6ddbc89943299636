from django.apps import AppConfig


class CoreConfig(AppConfig):
    """No domain models: the audit chain, the legal calendar, personal-data crypto, the
    outbox, the facts contract. Imports no other app."""

    name = "xinfang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from xinfang.core import checks  # noqa: F401 - registers the deploy checks
