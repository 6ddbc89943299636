"""The authority of a backlog import: what lets the general register's matters be entered
step by step with their real dates.

An office moving in brings years of matters kept in its 受理事项总登记簿. They are entered
through the same steps as today's (registration, hand-over, acceptance, extension,
answer, closing), each with its real date (``occurred_on``) and the reason
(``occurred_reason``), so the timeline, the audit trail and the due dates are what they
would have been. The administrator who imports them does not hold "handle" or "lead" on
every unit of the county, and should not; instead :func:`~.transitions.transition` takes
these steps with a :class:`BacklogImport`, which allows them to whoever holds
"import_register" over every unit the step's grant is checked on. The petitioner's own
acts (rating, review and re-review requests, 条例 Arts. 21, 35, 36) are never allowed:
they are not the office's to enter (issue 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xinfang.core.errors import TransitionNotAllowed
from xinfang.org.access import can
from xinfang.org.models import Unit
from xinfang.petitions.models import Petition
from xinfang.petitions.workflow.table import Step, grant_units

__all__ = ["IMPORT_ACTION", "IMPORT_REASON", "BacklogImport"]

IMPORT_ACTION = "import_register"
IMPORT_REASON = "据总登记簿导入"


@dataclass(frozen=True)
class BacklogImport:
    """A step of a matter imported from the general register (see the module text)."""

    reason: str = IMPORT_REASON

    def check_units(self, actor: Any, units: list[Unit]) -> None:
        """Raise ``TransitionNotAllowed`` unless ``actor`` may import into every unit."""
        if actor is None or not getattr(actor, "is_authenticated", False):
            raise TransitionNotAllowed("导入登记簿须由工作人员办理")
        if getattr(actor, "is_citizen", False):
            raise TransitionNotAllowed("导入登记簿须由工作人员办理")
        outside = [u.name for u in units if not can(actor, IMPORT_ACTION, u.path)]
        if outside:
            raise TransitionNotAllowed(f"您没有向{'、'.join(outside)}导入登记簿的权限")

    def check(self, actor: Any, petition: Petition, step: Step) -> None:
        if step.petitioner_only:
            raise TransitionNotAllowed(
                f"“{step.label}”是信访人本人的行为，不能据登记簿补录"
                "（《信访工作条例》第二十一条、第三十五条、第三十六条）"
            )
        self.check_units(actor, grant_units(petition, step))
