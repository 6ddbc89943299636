"""A matter's optional location: matters nearby, and the units a location proposes.

Pure distance on the WGS-84 mean sphere (haversine): at the few hundred metres asked here
its error is centimetres. The database narrows by a latitude/longitude box first (both
columns are plain floats, so this runs on SQLite and PostgreSQL alike), then the exact
distance decides. Units are proposed by whichever app knows the boundaries: an app above
petitions registers a proposer (``register_proposer``) from ``AppConfig.ready()``, as the
grids app does with its community and grid polygons.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from xinfang.org.models import Unit
from xinfang.petitions.models import Petition

__all__ = ["distance_m", "nearby", "propose_units", "register_proposer"]

EARTH_RADIUS_M = 6371008.8
Proposer = Callable[[float, float], list[Unit]]
_PROPOSERS: list[Proposer] = []
# Where a map picker finds the areas to draw (a URL name), set by the app that has them.
AREAS_URL_NAME: list[str] = []


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby(
    petition: Petition, user: Any, radius_m: float, limit: int = 20
) -> list[tuple[Petition, float]]:
    """Other matters ``user`` may see within ``radius_m`` of ``petition``, nearest first."""
    if petition.lat is None or petition.lon is None:
        return []
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(petition.lat)), 1e-6)
    candidates = (
        Petition.objects.restrict(user, "view")
        .filter(
            lat__gte=petition.lat - dlat,
            lat__lte=petition.lat + dlat,
            lon__gte=petition.lon - dlon,
            lon__lte=petition.lon + dlon,
        )
        .exclude(pk=petition.pk)
        .only("pk", "number", "summary", "status", "received_on", "lat", "lon")[:500]
    )
    found = []
    for other in candidates:
        d = distance_m(petition.lat, petition.lon, other.lat or 0.0, other.lon or 0.0)
        if d <= radius_m:
            found.append((other, d))
    found.sort(key=lambda pair: pair[1])
    return found[:limit]


def register_proposer(proposer: Proposer) -> None:
    if proposer not in _PROPOSERS:
        _PROPOSERS.append(proposer)


def propose_units(lat: float, lon: float) -> list[Unit]:
    """Units whose area holds the location (community, grid), from every proposer."""
    return [unit for proposer in _PROPOSERS for unit in proposer(lat, lon)]
