from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    """Rulebooks and the pure engine; schemes, periods, facts, appeals and results."""

    name = "xinfang.assessment"
    label = "assessment"
    verbose_name = "考评"

    def ready(self) -> None:
        from xinfang.assessment.demo import add_demo_assessment
        from xinfang.assessment.notices import KIND
        from xinfang.core.models import MESSAGE_KINDS
        from xinfang.org import demo, navigation

        MESSAGE_KINDS[KIND] = "考评通知"
        navigation.register(navigation.NavItem("考评", "assessment:period_list"))
        if add_demo_assessment not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(add_demo_assessment)
        from xinfang.assessment import tasks  # noqa: F401 - registers the periodic job
