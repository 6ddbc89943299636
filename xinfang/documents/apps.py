from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Official documents (文书) and the general register (受理事项总登记簿)."""

    name = "xinfang.documents"
    label = "documents"
    verbose_name = "文书与登记簿"
