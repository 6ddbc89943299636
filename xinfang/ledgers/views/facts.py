"""Download the derived assessment facts as CSV (the ``xinfang assess`` format)."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.facts import write_csv
from xinfang.core.models import AuditAction
from xinfang.ledgers.facts import derive_facts
from xinfang.ledgers.views._common import parse_date, visible_units
from xinfang.org.access import granted_paths
from xinfang.org.choices import Role
from xinfang.org.guards import require_roles


@require_roles(Role.ASSESSMENT_OFFICER, Role.UNIT_LEADER, Role.SUPERVISOR)
def facts_export(request: HttpRequest) -> HttpResponse:
    """Facts for the user's units (each granted subtree), between ``from`` and ``to``."""
    today = timezone.localdate()
    start = parse_date(request.GET.get("from")) or today.replace(day=1)
    end = parse_date(request.GET.get("to")) or today
    if request.user.is_superuser:
        units = visible_units(request).filter(parent__isnull=True)
    else:
        units = visible_units(request).filter(path__in=granted_paths(request.user, "view"))
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        units = visible_units(request).filter(pk=int(unit_id))
    facts = []
    for unit in units:
        facts.extend(derive_facts(start, end, unit=unit))
    out = io.StringIO()
    count = write_csv(facts, out)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="ledgers.facts",
        detail={"from": str(start), "to": str(end), "rows": count},
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ledger-facts-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    return response
