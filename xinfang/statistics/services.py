"""Writes of the statistics: publishing a ranking, recounting months on demand."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from xinfang.core import audit
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.models import AuditAction
from xinfang.org.access import can
from xinfang.org.models import Unit
from xinfang.statistics.aggregates import refresh_months, refresh_years
from xinfang.statistics.models import RankingPublication
from xinfang.statistics.ranking import Weights, monthly_ranking

__all__ = ["publish_ranking", "recount_month"]


def _require_lead(actor: Any, root: Unit) -> None:
    # Publishing speaks for the unit: its leaders (the "lead" action) over the root.
    if not can(actor, "lead", root.path):
        raise NotFoundOrForbidden("没有发布该单位排名的权限")


@transaction.atomic
def publish_ranking(
    *,
    actor: Any,
    root: Unit,
    level: str,
    month: date,
    weights: Weights,
    min_sample: int,
    public: bool,
) -> RankingPublication:
    """Publish the month's ranking of ``root``'s units of ``level`` as it stands now.

    The rows are stored as published (unit, rates, samples, rank and change): no person,
    no accusation, nothing a later recount would rewrite. ``public`` also shows it on the
    public page (条例 Art. 18's openness of the handling of petitions).
    """
    _require_lead(actor, root)
    ranking = monthly_ranking(root, level, month, weights, min_sample)
    publication = RankingPublication.objects.create(
        root=root,
        level=level,
        month=month,
        weights=weights.as_dict(),
        min_sample=min_sample,
        rows=[row.public_row() for row in ranking.rows],
        is_public=public,
        published_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=publication,
        after={
            "level": level,
            "month": f"{month:%Y-%m}",
            "weights": weights.as_dict(),
            "min_sample": min_sample,
            "public": public,
        },
    )
    return publication


def recount_month(*, actor: Any, root: Unit, month: date) -> int:
    """Recount one month's aggregates now (a leader who wants today's figures), and the
    year it falls in for ``root``'s subtree (what its annual report reads)."""
    _require_lead(actor, root)
    written = refresh_months([month])
    written += refresh_years([month.year], root=root)
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=root,
        detail={"statistics_recount": f"{month:%Y-%m}", "rows": written},
    )
    return written
