from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "xinfang.ledgers"
    label = "ledgers"
