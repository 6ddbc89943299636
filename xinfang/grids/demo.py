"""Demo grids: 东街社区 tiled cleanly with addresses, patrols and log items; 西街社区 drawn
with a gap and an overlap so that the tiling report and the map show both."""

from __future__ import annotations

import json
import random
from datetime import time, timedelta
from typing import Any

from django.utils import timezone
from shapely.geometry import box, mapping

from xinfang.core.workflow import SYSTEM
from xinfang.grids import services
from xinfang.grids.assignment import AddressRow
from xinfang.grids.choices import LogItemTopic
from xinfang.grids.geometry import parse_tiling
from xinfang.org.models import Unit

# Two communities side by side in the demo county (WGS-84; the coordinates are invented).
EAST = (120.1500, 30.2700)
WEST = (120.1400, 30.2700)
W, H = 0.008, 0.006


def _collection(community: Unit, origin: tuple[float, float], *, faulty: bool) -> str:
    lon, lat = origin
    grids = list(Unit.objects.filter(parent=community).order_by("pk"))
    half = W / 2
    first = box(lon, lat, lon + half + (0.0004 if faulty else 0), lat + H)
    second = box(lon + half, lat, lon + W, lat + H - (0.0008 if faulty else 0))
    features = [
        {
            "type": "Feature",
            "properties": {"role": "community", "name": community.name},
            "geometry": mapping(box(lon, lat, lon + W, lat + H)),
        }
    ]
    for i, (grid, polygon) in enumerate(zip(grids, (first, second), strict=False), start=1):
        features.append(
            {
                "type": "Feature",
                "properties": {"role": "grid", "code": f"W{i:02d}", "name": grid.name},
                "geometry": mapping(polygon),
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features})


def add_demo_grids(demo: Any) -> None:
    east, west = demo.units["东街社区"], demo.units["西街社区"]
    east.contact_phone = "0571-8700 1001"
    east.save(update_fields=["contact_phone"])
    town = demo.units["城关镇"]
    town.contact_phone = "0571-8700 1000"
    town.save(update_fields=["contact_phone"])
    services.import_tiling(
        actor=SYSTEM, community=east, tiling=parse_tiling(_collection(east, EAST, faulty=False))
    )
    services.import_tiling(
        actor=SYSTEM, community=west, tiling=parse_tiling(_collection(west, WEST, faulty=True))
    )
    rng = random.Random(14)  # noqa: S311 - invented demo addresses, not security
    rows = [
        AddressRow(
            f"DJ{i:04d}",
            EAST[0] + rng.uniform(0, W),
            EAST[1] + rng.uniform(0, H),
            f"东街{i // 10 + 1}号楼{i % 10 + 1}单元",
            rng.randint(6, 24),
        )
        for i in range(120)
    ]
    services.import_addresses(actor=SYSTEM, community=east, rows=rows)

    worker = demo.users["grid_worker"]
    grid = Unit.objects.filter(parent=east).order_by("pk")[0]
    today = timezone.localdate()
    for back in range(1, 6):
        services.record_patrol(
            actor=worker,
            grid=grid,
            day=today - timedelta(days=back),
            started=time(9),
            ended=time(11, 30),
            notes="走访楼栋，查看消防通道",
        )
    services.record_log_item(
        actor=worker,
        grid=grid,
        topic=LogItemTopic.ENVIRONMENT,
        summary="3号楼前垃圾清运不及时，居民反映有异味",
        place="东街3号楼",
    )
    handed = services.record_log_item(
        actor=worker,
        grid=grid,
        topic=LogItemTopic.SAFETY,
        summary="小区东门路面塌陷，夜间有安全隐患",
        place="东街小区东门",
        contact="13900009999",
    )
    services.hand_on_item(
        actor=worker,
        item=handed,
        unit=demo.units["housing"],
        deadline=today + timedelta(days=7),
        reason="需住建部门维修",
    )
    spot = services.record_log_item(
        actor=worker, grid=grid, topic=LogItemTopic.POLICY, summary="咨询居民医保缴费时间"
    )
    services.resolve_item(actor=worker, item=spot, result="当场告知缴费时间和渠道", returned=True)
