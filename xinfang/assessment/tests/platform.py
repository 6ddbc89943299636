"""Builders for the platform's tests: a county scheme over model-2022 and its periods."""

from __future__ import annotations

from datetime import date
from typing import Any

from xinfang.assessment import services
from xinfang.assessment.models import Period, Scheme
from xinfang.core.workflow import SYSTEM
from xinfang.org.choices import Role
from xinfang.shell.testing import Cast

AUGUST = (date(2026, 8, 1), date(2026, 8, 31))


def categorise(cast: Cast) -> None:
    """The cast's townships and department become subjects (categories A and C)."""
    for unit, category in ((cast.unit_a, "A"), (cast.unit_b, "A"), (cast.department, "C")):
        unit.category = category
        unit.save(update_fields=["category"])


def scheme(cast: Cast, *, unit: Any = None, rulebook: str = "model-2022", **kw: Any) -> Scheme:
    categorise(cast)
    return services.create_scheme(
        actor=SYSTEM,
        name="测试县规范化考评",
        assessing_unit=unit or cast.county,
        rulebook_text=services.shipped_text(rulebook),
        **{"min_matters": 0, **kw},
    )


def period(cast: Cast, *, status: str = "open", **kw: Any) -> Period:
    """A period of August 2026 taken by the system up to ``status``."""
    p = services.open_period(
        actor=SYSTEM,
        scheme=scheme(cast, **kw),
        title="2026年8月考评",
        start=AUGUST[0],
        end=AUGUST[1],
    )
    order = ["collect", "open_declaration", "start_review", "open_appeals", "close", "publish"]
    targets = ["collecting", "declaration", "review", "appeals", "closed", "published"]
    for step, target in zip(order, targets, strict=True):
        if p.status == status:
            break
        services.take_step(p, step, actor=SYSTEM, reason="测试" if step == "close" else "")
        assert p.status == target
    return p


def office(cast: Cast, unit: Any = None) -> Any:
    return cast.user_with(Role.ASSESSMENT_OFFICER, unit or cast.county, username="office")


def unit_leader(cast: Cast, unit: Any = None) -> Any:
    return cast.user_with(Role.UNIT_LEADER, unit or cast.unit_a, username="leader-a")
