"""The petitioner's proof: what lets a step that is the petitioner's own act happen.

Rating the answer (条例 Art. 21) and requesting review or re-review (Arts. 35, 36) are acts
of the petitioner; a rating "from the petitioner" entered by staff would falsify the
satisfaction rate the assessments are built on (issue 10, finding 1). So no staff grant
allows these steps and no boolean says "as the petitioner": :func:`~.transitions.transition`
takes them only with a :class:`PetitionerProof` for the same matter, and refuses any staff
actor even then.

A proof is minted only where the petitioner has shown who they are — today the portal's
lookup with query code *and* contact phone (:func:`prove_by_query_code`) — and travels as a
token signed with the secret key, valid for :data:`PROOF_SECONDS`, bound to one matter. It
is not JSON a request could carry into the API or a staff form: those never take one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing

from xinfang.core.errors import TransitionNotAllowed
from xinfang.petitions.models import Petition

__all__ = [
    "PROOF_SECONDS",
    "PetitionerProof",
    "proof_from_token",
    "prove_by_query_code",
]

PROOF_SECONDS = 30 * 60  # as long as the portal keeps a lookup verified
_SALT = "xinfang.petitions.petitioner-proof"
VIA_QUERY_CODE = "query_code"


@dataclass(frozen=True)
class PetitionerProof:
    """A signed statement "the petitioner of matter ``petition_id`` has proved themselves
    by ``via``"; :meth:`check` verifies the signature, the age and the matter."""

    petition_id: int
    via: str
    token: str = field(repr=False)

    def check(self, petition: Petition) -> None:
        """Raise ``TransitionNotAllowed`` unless this proof is genuine, fresh and for
        ``petition``."""
        try:
            claim = signing.loads(self.token, salt=_SALT, max_age=PROOF_SECONDS)
        except signing.BadSignature as exc:  # also SignatureExpired
            raise TransitionNotAllowed("身份验证已失效，请重新输入查询码和联系电话") from exc
        if claim != {"p": petition.pk, "v": self.via} or self.petition_id != petition.pk:
            raise TransitionNotAllowed("身份验证与该事项不符，请重新查询")


def _issue(petition_id: int, via: str) -> PetitionerProof:
    token = signing.dumps({"p": petition_id, "v": via}, salt=_SALT)
    return PetitionerProof(petition_id=petition_id, via=via, token=token)


def prove_by_query_code(code: str, phone: str) -> PetitionerProof | None:
    """The proof for the matter with this query code and contact phone, or ``None`` (the
    caller rate-limits and answers unknown and wrong alike)."""
    from xinfang.petitions.services import find_by_query_code

    petition = find_by_query_code(code, phone)
    return None if petition is None else _issue(petition.pk, VIA_QUERY_CODE)


def proof_from_token(token: object) -> PetitionerProof | None:
    """A proof kept as its token (the portal's session) back as an object, or ``None`` when
    it is missing, forged or expired."""
    if not isinstance(token, str):
        return None
    try:
        claim = signing.loads(token, salt=_SALT, max_age=PROOF_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or not isinstance(claim.get("p"), int):
        return None
    return PetitionerProof(petition_id=claim["p"], via=str(claim.get("v")), token=token)
