"""The public projection of petition matters as Open311 service requests.

The request feed is public by design (GeoReport v2 lists requests without a key), so it
does not start from ``Petition.objects.restrict(user, …)``: it starts from
:func:`public_matters`, which leaves out every accusation (条例 Art. 30: accusation material
never leaves the handling bodies) and every matter whose petitioner asked for
confidentiality, and it shows only fields that cannot identify a petitioner:

- ``description``: the public title the office gave the matter (``PublicTitle``), else a
  generic sentence built from the matter type (never the summary or the text the
  petitioner wrote);
- ``requested_datetime``: when the matter was received (the day of receipt; the time of
  registration when it was registered that day);
- ``address``: the township-level place of the unit handling the matter (never the place
  the petitioner typed, which may be a house);
- no names, phones, ID numbers, attachments (``media_url``) or coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xinfang.org.choices import TERRITORIAL_ORDER
from xinfang.org.models import Unit
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.models import MatterType, Petition

__all__ = [
    "CLOSED_STATUSES",
    "EXCLUDED_CATEGORY_CODES",
    "PublicRequest",
    "project",
    "public_description",
    "public_matters",
    "public_services",
    "requested_at",
]

S = Status

# Matter types under these categories are accusations by nature (纪检监察): Open311 neither
# offers them as services nor shows matters of these types.
EXCLUDED_CATEGORY_CODES = ("08",)

# Open311 knows "open" and "closed": a matter is closed once answered (or finished without
# an answer), and open again while a review or re-review is under way.
CLOSED_STATUSES = frozenset(
    {S.ANSWERED, S.EVALUATED, S.CLOSED, S.REVIEWED, S.FINAL, S.NOT_ACCEPTED, S.LINKED}
)

STATUS_NOTES: dict[str, str] = {
    S.REGISTERED: "已登记，待转送或受理",
    S.ROUTED: "已转送有权处理的机关",
    S.OBJECTED: "正在重新确定处理机关",
    S.ACCEPTED: "已受理",
    S.IN_HANDLING: "正在办理",
    S.ANSWERED: "已书面答复",
    S.EVALUATED: "已答复，已回访评价",
    S.CLOSED: "已办结",
    S.NOT_ACCEPTED: "不予受理，已告知信访人",
    S.LINKED: "已并入同一事项办理",
    S.REVIEW_REQUESTED: "复查中",
    S.REVIEWED: "已出具复查意见",
    S.REREVIEW_REQUESTED: "复核中",
    S.FINAL: "已复核终结",
}

SERVICE_NOTICE = "依照《信访工作条例》，应自受理之日起60日内办结并书面答复。"

_TOWNSHIP_AND_ABOVE = {str(level) for level in TERRITORIAL_ORDER[:4]}  # province … township


def public_services() -> QuerySet[MatterType]:
    """Matter types offered as Open311 services (active leaves, accusation types left out)."""
    return (
        MatterType.objects.active()
        .leaves()
        .exclude(parent__code__in=EXCLUDED_CATEGORY_CODES)
        .select_related("parent")
        .order_by("parent__order", "parent__code", "order", "code")
    )


def public_matters() -> QuerySet[Petition]:
    """Matters that may appear in the public feed at all (see the module docstring)."""
    return (
        Petition.objects.exclude(kind=Kind.ACCUSATION)
        .exclude(is_confidential=True)
        .exclude(petitioners__wants_confidentiality=True)
        .exclude(accused_unit__isnull=False)
        .exclude(accused_person__gt="")
        .filter(number__isnull=False, matter_type__isnull=False)
        .exclude(matter_type__parent__code__in=EXCLUDED_CATEGORY_CODES)
        .filter(matter_type__parent__isnull=False)
        .select_related("matter_type__parent", "responsible_unit", "public_title")
    )


def service_description(matter_type: MatterType) -> str:
    """The generic text standing in for a matter's description."""
    group = matter_type.parent.name if matter_type.parent_id and matter_type.parent else ""
    return (
        f"{group}·{matter_type.name}方面的信访事项"
        if group
        else f"{matter_type.name}方面的信访事项"
    )


@dataclass(frozen=True)
class PublicRequest:
    """One request of the public feed: only the fields GeoReport v2 needs, none personal."""

    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str
    lat: float | None = None
    long: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "service_request_id": self.service_request_id,
            "status": self.status,
            "status_notes": self.status_notes,
            "service_name": self.service_name,
            "service_code": self.service_code,
            "description": self.description,
            "agency_responsible": self.agency_responsible,
            "service_notice": self.service_notice,
            "requested_datetime": self.requested_datetime,
            "updated_datetime": self.updated_datetime,
            "expected_datetime": self.expected_datetime,
            "address": self.address,
            "address_id": None,
            "zipcode": None,
            "lat": self.lat,
            "long": self.long,
            "media_url": None,
        }


def requested_at(p: Petition) -> datetime:
    """When the request was made: the receipt, not the data entry of a letter typed in
    days later (GeoReport v2 ``requested_datetime``)."""
    created = timezone.localtime(p.created_at)
    if created.date() == p.received_on:
        return created
    return timezone.make_aware(datetime.combine(p.received_on, time(0, 0)))


def public_description(p: Petition, matter_type: MatterType) -> str:
    title = getattr(p, "public_title", None)
    return title.title if title is not None and title.title else service_description(matter_type)


def _end_of_day(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class _Places:
    """Township-level place names of units, resolved in one query for a page of matters."""

    def __init__(self, units: list[Unit]) -> None:
        ids: set[int] = set()
        for unit in units:
            ids.update(unit.ancestor_ids())
        self.units = {
            u.pk: u for u in Unit.objects.filter(pk__in=ids).only("pk", "name", "level", "path")
        }

    def address(self, unit: Unit) -> str:
        names = [
            self.units[pk].name
            for pk in unit.ancestor_ids()
            if pk in self.units and self.units[pk].level in _TOWNSHIP_AND_ABOVE
        ]
        # From most specific to most general, as GeoReport asks; at most the township.
        return "，".join(reversed(names))


# The public feed gives a matter's place to about 100 m (three decimals), enough to show
# it on a map, not enough to point at a door; a confidential matter gives none.
PUBLIC_COORDINATE_DECIMALS = 3


def _public_coordinate(p: Petition, value: float | None) -> float | None:
    if value is None or p.is_confidential or p.lat is None or p.lon is None:
        return None
    return round(value, PUBLIC_COORDINATE_DECIMALS)


def project(petitions: list[Petition]) -> list[PublicRequest]:
    """Project matters (already filtered by :func:`public_matters`) onto the public feed."""
    places = _Places([p.responsible_unit for p in petitions])
    out = []
    for p in petitions:
        mt = p.matter_type
        if mt is None:  # left out by public_matters(); never shown without a type
            continue
        closed = p.status in CLOSED_STATUSES
        out.append(
            PublicRequest(
                service_request_id=str(p.number),
                status="closed" if closed else "open",
                status_notes=STATUS_NOTES.get(p.status, ""),
                service_name=mt.name,
                service_code=mt.code,
                description=public_description(p, mt),
                agency_responsible=p.responsible_unit.name,
                service_notice=SERVICE_NOTICE,
                requested_datetime=requested_at(p),
                updated_datetime=timezone.localtime(p.updated_at),
                expected_datetime=None if closed else _end_of_day(p.next_due),
                address=places.address(p.responsible_unit),
                lat=_public_coordinate(p, p.lat),
                long=_public_coordinate(p, p.lon),
            )
        )
    return out
