from django.apps import AppConfig

from xinfang.core.calendar import LegalCalendar


class TripsConfig(AppConfig):
    """Official trips abroad (因公临时出国(境)): requests checked against the rules,
    approval by rank, report and passport dues after return, statistics."""

    name = "xinfang.trips"
    label = "trips"
    verbose_name = "因公出国（境）"

    def ready(self) -> None:
        from xinfang.core.calendar import register_pending_dues
        from xinfang.core.models import MESSAGE_KINDS
        from xinfang.org import demo, navigation
        from xinfang.trips.demo import add_demo_trips

        MESSAGE_KINDS["trip_due"] = "出访报告与护照交回提醒"
        register_pending_dues("出访报告与护照交回", _recompute, _count)
        navigation.register(navigation.NavItem("因公出国（境）", "trips:trip_list"))
        if add_demo_trips not in demo.DEMO_HOOKS:
            demo.DEMO_HOOKS.append(add_demo_trips)
        from xinfang.trips import tasks  # noqa: F401 - registers the periodic job with huey


def _recompute(calendar: LegalCalendar) -> int:
    from xinfang.trips.services import recompute_pending_trip_dues

    return recompute_pending_trip_dues(calendar)


def _count() -> int:
    from django.db.models import Q

    from xinfang.trips.models import TripRequest

    return TripRequest.objects.filter(
        Q(returned_on__isnull=False),
        Q(report_due__isnull=True) | Q(passport_due__isnull=True),
    ).count()
