"""Models of the petitions app: the matter, its people, its history and its clock.

Split by sub-domain: ``taxonomy`` (matter types), ``matter`` (the petition, petitioners,
attachments, the units it reached), ``history`` (transitions, hand-overs, extensions,
hearings, answers, receipts, evidence, reports, return visits, review requests),
and ``links`` (same-matter groups and candidates). Notices go to the outbox of ``core``
(``core.Message``).
"""

from xinfang.petitions.models.history import (
    Answer,
    CompletionReport,
    DeliveryReceipt,
    Evidence,
    Extension,
    Hearing,
    OpinionDraft,
    ReturnVisit,
    ReviewRequest,
    RouteHandover,
    Transition,
    WindowCheck,
)
from xinfang.petitions.models.links import MatterGroup, SameMatterCandidate
from xinfang.petitions.models.matter import Attachment, Petition, Petitioner, PetitionReach
from xinfang.petitions.models.procedure import AftercareHelp, Agreement, CoHandling, Recusal
from xinfang.petitions.models.taxonomy import MatterType

__all__ = [
    "AftercareHelp",
    "Agreement",
    "Answer",
    "Attachment",
    "CoHandling",
    "CompletionReport",
    "DeliveryReceipt",
    "Evidence",
    "Extension",
    "Hearing",
    "MatterGroup",
    "MatterType",
    "OpinionDraft",
    "Petition",
    "PetitionReach",
    "Petitioner",
    "Recusal",
    "ReturnVisit",
    "ReviewRequest",
    "RouteHandover",
    "SameMatterCandidate",
    "Transition",
    "WindowCheck",
]
