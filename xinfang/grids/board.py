"""The notice board (公示牌) of a grid: what the seed asks to be posted, and its map.

Posted publicly (哈办发〔2011〕14号): the grid map, the names of its staff and their roles,
office phones (never personal numbers), the duties of grid staff and the phone for
complaints about the service. The map is an SVG drawn here from the stored polygons, so
the page and the PDF need no outside tiles and no script.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from xinfang.grids.geometry import LocalProjection
from xinfang.grids.models import Boundary
from xinfang.grids.staffing import staffing_of
from xinfang.org.models import Unit

DUTIES = (
    "每日巡查网格，了解民情，记录民情日志",
    "群众反映的问题能当场解决的当场解决，不能解决的及时转交、上报并反馈结果",
    "宣传政策法规，提供便民服务",
    "排查矛盾纠纷，及时报告并协助化解",
    "协助做好社区服务和管理工作",
)
WIDTH, HEIGHT, PAD = 480, 360, 12


def board_context(grid: Unit) -> dict[str, Any]:
    community = grid.parent or grid
    street = community.parent
    gs = next((g for g in staffing_of(community).grids if g.grid.pk == grid.pk), None)
    return {
        "grid": grid,
        "community": community,
        "street": street,
        "heads": [u.full_name or u.username for u in gs.heads] if gs else [],
        "workers": [u.full_name or u.username for u in gs.workers] if gs else [],
        "households": gs.households if gs else 0,
        "office_phone": community.contact_phone,
        "complaint_phone": street.contact_phone if street else "",
        "duties": DUTIES,
    }


def _path(geometry: BaseGeometry, fit: Any) -> str:
    parts = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            points = " L ".join(f"{x:.1f} {y:.1f}" for x, y in (fit(c) for c in ring.coords))
            parts.append(f"M {points} Z")
    return " ".join(parts)


def board_svg(grid: Unit) -> SafeString:
    """The community's grids with ``grid`` highlighted, as inline SVG (empty without data)."""
    rows = list(Boundary.objects.filter(unit__parent=grid.parent).select_related("unit"))
    if not rows:
        return SafeString("")
    geometries = [(b, shape(b.geometry)) for b in rows]
    outline = Boundary.objects.filter(unit=grid.parent).first()
    extent = shape(outline.geometry) if outline else geometries[0][1]
    projection = LocalProjection.centred_on(extent)
    projected = [(b, projection.forward(g)) for b, g in geometries]
    xs = [c for _, g in projected for c in (g.bounds[0], g.bounds[2])]
    ys = [c for _, g in projected for c in (g.bounds[1], g.bounds[3])]
    scale = min(
        (WIDTH - 2 * PAD) / ((max(xs) - min(xs)) or 1),
        (HEIGHT - 2 * PAD) / ((max(ys) - min(ys)) or 1),
    )

    def fit(c: tuple[float, ...]) -> tuple[float, float]:
        return PAD + (c[0] - min(xs)) * scale, HEIGHT - PAD - (c[1] - min(ys)) * scale

    shapes = format_html_join(
        "",
        '<path d="{}" class="{}"><title>{}</title></path>',
        (
            (_path(g, fit), "mine" if b.unit_id == grid.pk else "other", f"{b.code} {b.unit.name}")
            for b, g in projected
        ),
    )
    return format_html(
        '<svg class="grid-map" viewBox="0 0 {} {}" role="img" aria-label="{}网格图">'
        "<style>.other{{fill:#eef2f6;stroke:#7a8797;stroke-width:1}}"
        ".mine{{fill:#f6d28b;stroke:#b5651d;stroke-width:2}}</style>{}</svg>",
        WIDTH,
        HEIGHT,
        grid.name,
        shapes,
    )
