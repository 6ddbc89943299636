"""The workflow of a petition matter as data, and the one function that moves it.

:data:`STEPS` is the transition table (2022 《信访工作条例》, see ``docs/petitions.md`` for
the drawn graph). :func:`transition` is the only way a status changes: it finds the step in
the table, checks the actor's grant on the unit the step belongs to, runs the step's guard
(rules of law: deadlines, one extension, final matters …), writes the change with a
compare-and-swap on ``(status, version)``, recomputes the due dates, and records a
:class:`~xinfang.petitions.models.Transition` row and an audit entry.

The package is split by sub-domain:

- :mod:`.table` — the table (:class:`Step`, :data:`STEPS`), each step's typed input and
  the grant checks;
- :mod:`.proof` — the petitioner's proof, without which their own steps (rating, review
  and re-review requests) cannot be taken;
- :mod:`.steps` — the guard and effect of each step;
- :mod:`.dues` — the legal clock applied to a row (:func:`apply_dues`);
- :mod:`.transitions` — :func:`transition` and the timeline row (:func:`record_step`,
  :func:`record_action`).
"""

from __future__ import annotations

from xinfang.petitions.workflow.dues import anchors_of, apply_dues
from xinfang.petitions.workflow.proof import PetitionerProof, proof_from_token, prove_by_query_code
from xinfang.petitions.workflow.steps import (
    RETURN_VISIT_COSIGNERS,
    open_draft,
    opinion_stage,
    return_visit_required,
)
from xinfang.petitions.workflow.table import (
    IN_STATE_STEPS,
    STEPS,
    Step,
    StepInput,
    actor_may,
    allowed_steps,
    grant_units,
    is_recused,
    mermaid,
    step_between,
)
from xinfang.petitions.workflow.transitions import (
    input_for,
    record_action,
    record_step,
    take_in_state_step,
    transition,
)

__all__ = [
    "IN_STATE_STEPS",
    "RETURN_VISIT_COSIGNERS",
    "STEPS",
    "PetitionerProof",
    "Step",
    "StepInput",
    "actor_may",
    "allowed_steps",
    "anchors_of",
    "apply_dues",
    "grant_units",
    "input_for",
    "is_recused",
    "mermaid",
    "open_draft",
    "opinion_stage",
    "proof_from_token",
    "prove_by_query_code",
    "record_action",
    "record_step",
    "return_visit_required",
    "step_between",
    "take_in_state_step",
    "transition",
]
