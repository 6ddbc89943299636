from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Official documents (文书) and the general register (受理事项总登记簿)."""

    name = "xinfang.documents"
    label = "documents"
    verbose_name = "文书与登记簿"

    def ready(self) -> None:
        from xinfang.documents.citizen import citizen_documents
        from xinfang.portal.mine import register_document_lister

        register_document_lister(citizen_documents)

        from xinfang.documents.demo import add_demo_documents
        from xinfang.org.demo import DEMO_HOOKS

        if add_demo_documents not in DEMO_HOOKS:
            DEMO_HOOKS.append(add_demo_documents)
