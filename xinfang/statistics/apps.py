from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    """Service statistics by unit and period, the monthly ranking, the Art. 41 annual
    report, the public statistics (Art. 18) and recurring problems. Aggregates only:
    offices are counted, never a person (principle 4)."""

    name = "xinfang.statistics"
    label = "statistics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from xinfang.org import navigation
        from xinfang.org.demo import DEMO_HOOKS
        from xinfang.statistics.demo import add_demo_statistics

        navigation.register(navigation.NavItem("统计分析", "statistics:statistics_home"))
        # After the petitions and supervision hooks (listed after them in INSTALLED_APPS):
        # the aggregates count the demo matters.
        if add_demo_statistics not in DEMO_HOOKS:
            DEMO_HOOKS.append(add_demo_statistics)
