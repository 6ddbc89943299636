"""Who must never see what (条例 Art. 30; domain principle 3) — the one home of the rule.

Art. 30 forbids passing accusation material to the person or unit it accuses. Every query,
route target, supervision, registration, notice and document asks this module:

- :func:`inside_accused` — the pure rule on unit paths: the accused unit's subtree, except
  what lies in a discipline body (纪检监察机关) strictly below it (it is independent);
- :func:`unit_is_accused` / :func:`check_may_receive` — may this unit receive (be routed,
  supervise, carry out, register) this matter? Not the accused unit nor one inside it, nor
  a unit whose staff include the accused person;
- :func:`user_unit_ids`, :func:`accused_q`, :func:`accusation_hidden_q` — the rows a user
  may never see, as a ``Q`` for every scope;
- :func:`accuser_withheld` / :func:`conceals` — an accusation held by a discipline body: its
  accuser is known to that body alone; the petition office keeps its copy in the register
  without the accuser's identity;
- :func:`discipline_body_q` / :func:`accused_origin` — where the route proposal looks for
  the discipline body of an accusation (``petitions/routing.py``).

An accusation (检举控告) is invisible to the accused unit — every user holding any grant
in the accused unit's subtree — and to the accused person's account. A petitioner who asked
for confidentiality is shown by name and details only to staff who handle or registered the
matter (register / handle / lead grants over the registering or responsible unit), and never
to the accused. Every scope (pages, API, exports, notifications, search) is built from the
querysets in ``querysets.py``, which call these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q

from xinfang.org.access import _grants, can, granted_paths
from xinfang.petitions.choices import Kind
from xinfang.petitions.errors import AccusationRoutingRefused

__all__ = [
    "CONFIDENTIAL_LABEL",
    "accusation_hidden_q",
    "accused_origin",
    "accused_q",
    "accuser_withheld",
    "addressed_to_accused",
    "check_may_receive",
    "conceals",
    "discipline_body_q",
    "discipline_paths",
    "discipline_paths_for",
    "identity_visible",
    "inside_accused",
    "may_receive_q",
    "personal_data_revealable",
    "unit_is_accused",
    "user_unit_ids",
]

CONFIDENTIAL_LABEL = "（信访人要求保密）"


def discipline_paths() -> list[str]:
    """The paths of every discipline body (纪检监察机关), for :func:`inside_accused`."""
    from xinfang.org.models import Unit

    return list(Unit.objects.filter(is_discipline_body=True).values_list("path", flat=True))


def inside_accused(path: str, accused_path: str, discipline: Iterable[str]) -> bool:
    """Is the unit at ``path`` "in" the accused unit at ``accused_path`` (Art. 30)?

    Its subtree is — the unit itself and everything below it — except a discipline body
    strictly below the accused unit and what lies under that body: supervising discipline
    is independent of the unit it sits in (an accusation against the county government goes
    to the county discipline body). A discipline body accused itself is inside. Pure: the
    caller passes :func:`discipline_paths`, so a loop asks the database once."""
    if not accused_path or not path.startswith(accused_path):
        return False
    return not any(
        d != accused_path and d.startswith(accused_path) and path.startswith(d) for d in discipline
    )


def unit_is_accused(petition: Any, unit: Any) -> bool:
    """Is ``unit`` the accused of the accusation ``petition``: the accused unit or inside it
    (:func:`inside_accused`), or the unit whose staff include the accused person (their own
    unit, ``Unit.staff``)? Always ``False`` for any other kind of matter. A grant the person
    holds elsewhere does not make that unit theirs: they are kept out of the matter by
    :func:`accused_q` whatever the unit that handles it."""
    if petition.kind != Kind.ACCUSATION:
        return False
    accused = petition.accused_unit
    if accused is not None and inside_accused(unit.path, accused.path, discipline_paths()):
        return True
    person = petition.accused_user
    if person is None:
        return False
    return bool(person.unit_id == unit.pk)


def may_receive_q(petition: Any) -> Q:
    """The units (a ``Q`` on ``Unit``) that may receive ``petition``: the complement of
    :func:`unit_is_accused`, for the target lists a page offers (route, supervise)."""
    q = Q()
    if petition.kind != Kind.ACCUSATION:
        return q
    accused = petition.accused_unit
    if accused is not None:
        inside = Q(path__startswith=accused.path)
        for d in discipline_paths():
            if d != accused.path and d.startswith(accused.path):
                inside &= ~Q(path__startswith=d)
        q &= ~inside
    person = petition.accused_user
    if person is not None and person.unit_id is not None:
        q &= ~Q(pk=person.unit_id)
    return q


def check_may_receive(
    petition: Any,
    unit: Any,
    *,
    role: str = "接收单位",
    error: type[Exception] = AccusationRoutingRefused,
) -> None:
    """Refuse ``unit`` as ``role`` of ``petition`` (routed to, supervising, carrying out,
    reviewing, registering) when it is the accused (:func:`unit_is_accused`): 条例 Art. 30.
    ``error`` lets an app raise its own refusal with the same words."""
    if unit_is_accused(petition, unit):
        raise error(
            f"检举控告事项的{role}不得为被检举控告的单位、其下属单位或被检举控告人所在单位"
            "（《信访工作条例》第三十条），请交由纪检监察机关或有权处理的机关"
        )


def user_unit_ids(user: Any) -> set[int]:
    """The units a user "is in" for the purpose of Art. 30: every unit of a grant or their
    own unit, and the units above it — except that a discipline body (纪检监察机关) is
    independent: its staff are not "in" the units above it (an accusation against the
    county government still goes to, and is seen by, the county discipline body).
    Cached on the user object for the request.
    """
    cached = getattr(user, "_xinfang_unit_ids", None)
    if cached is not None:
        return set(cached)
    paths = [path for _role, path in _grants(user)]
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    if unit is not None:
        paths.append(unit.path)
    discipline = discipline_paths_for(user) if paths else []
    ids: set[int] = set()
    for path in paths:
        # The ancestors A of ``path`` with inside_accused(path, A's path): those from the
        # deepest discipline body containing it down (the same rule, in id form for a Q).
        parts = [int(part) for part in path.strip("/").split("/") if part]
        cut = max((d.count("/") - 1 for d in discipline if path.startswith(d)), default=0)
        ids.update(parts[cut:])
    user._xinfang_unit_ids = frozenset(ids)
    return ids


def addressed_to_accused(messages: Sequence[Any]) -> set[int]:
    """Indexes of outbox ``messages`` addressed to their own accused: the accused person, a
    unit that is the accused (:func:`inside_accused`), or the accused person's own unit —
    the outbox refuses to queue them (registered with ``core.outbox``). Three queries."""
    from xinfang.org.models import Unit, User

    about = [m for m in messages if m.accused_unit_id or m.accused_user_id]
    persons = {m.accused_user_id for m in about if m.accused_user_id and m.recipient_unit_id}
    staff_of: dict[int, int | None] = (
        dict(User.objects.filter(pk__in=persons).values_list("pk", "unit_id")) if persons else {}
    )
    ids = {m.recipient_unit_id for m in about if m.recipient_unit_id}
    ids |= {m.accused_unit_id for m in about if m.accused_unit_id and m.recipient_unit_id}
    paths: dict[int, str] = (
        dict(Unit.objects.filter(pk__in=ids).values_list("pk", "path")) if ids else {}
    )
    discipline = discipline_paths() if ids else []

    def to_accused(m: Any) -> bool:
        if m.accused_user_id and m.recipient_user_id == m.accused_user_id:
            return True
        if not m.recipient_unit_id:
            return False
        if m.accused_user_id and staff_of.get(m.accused_user_id) == m.recipient_unit_id:
            return True
        accused = paths.get(m.accused_unit_id, "") if m.accused_unit_id else ""
        return inside_accused(paths.get(m.recipient_unit_id, ""), accused, discipline)

    return {
        i
        for i, m in enumerate(messages)
        if (m.accused_unit_id or m.accused_user_id) and to_accused(m)
    }


def accused_q(user: Any, prefix: str = "") -> Q:
    """Rows where ``user`` is the accused (unit or person): to be excluded, whatever the kind
    of row the prefix leads from."""
    q = Q(**{f"{prefix}accused_user_id": user.pk})
    ids = user_unit_ids(user)
    if ids:
        q |= Q(**{f"{prefix}accused_unit_id__in": sorted(ids)})
    return q


def accusation_hidden_q(user: Any, prefix: str = "") -> Q:
    """Accusations the user may never see."""
    return Q(**{f"{prefix}kind": Kind.ACCUSATION}) & accused_q(user, prefix)


def _is_accused(user: Any, petition: Any) -> bool:
    return bool(
        petition.accused_user_id == user.pk
        or (petition.accused_unit_id and petition.accused_unit_id in user_unit_ids(user))
    )


def _needs_identity(user: Any, petition: Any) -> bool:
    # register / handle / lead over the registering or responsible unit ("lead" is held by
    # unit leaders, who also hold "handle": org.access.ACTION_ROLES).
    paths = (petition.registering_unit.path, petition.responsible_unit.path)
    return any(
        can(user, action, path) for action in ("register", "handle", "lead") for path in paths
    )


def discipline_paths_for(user: Any) -> list[str]:
    """:func:`discipline_paths`, read once per request object (cached on the user)."""
    cached = getattr(user, "_xinfang_discipline_paths", None)
    if cached is None:
        cached = discipline_paths()
        if user is not None:
            user._xinfang_discipline_paths = cached
    return list(cached)


def accuser_withheld(user: Any, petition: Any) -> bool:
    """Is the accuser of ``petition`` withheld from ``user``? For an accusation held by a
    discipline body (纪检监察机关) the accuser's identity is for that body alone (Art. 30
    and the protection of those who accuse): the petition office that registered and routed
    it keeps the matter in its register, without the accuser. Staff of the body — a grant
    on it or inside it, not one above it — are not withheld from."""
    if petition.kind != Kind.ACCUSATION or getattr(user, "is_superuser", False):
        return False
    held = petition.responsible_unit.path
    bodies = [d for d in discipline_paths_for(user) if held.startswith(d)]
    if not bodies:
        return False
    body = min(bodies, key=len)
    paths = {p for action in ("register", "handle", "lead") for p in granted_paths(user, action)}
    return not any(p.startswith(body) for p in paths)


def discipline_body_q() -> Q:
    """The discipline bodies (a ``Q`` on ``Unit``), for the route proposal."""
    return Q(is_discipline_body=True)


def accused_origin(petition: Any) -> Any:
    """Where an accusation's discipline body is looked for: the accused unit, else the
    accused person's own unit, else ``None``."""
    if petition.accused_unit is not None:
        return petition.accused_unit
    person = petition.accused_user
    return person.unit if person is not None and person.unit_id else None


def identity_visible(user: Any, petition: Any) -> bool:
    """May ``user`` see the name and details of a confidential petitioner of ``petition``?"""
    if getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if _is_accused(user, petition) or accuser_withheld(user, petition):
        return False
    return _needs_identity(user, petition)


def conceals(user: Any, petition: Any, confidential: bool) -> bool:
    """Must a petitioner of ``petition`` (who asked for confidentiality or not) be shown to
    ``user`` as :data:`CONFIDENTIAL_LABEL`, without name or details?"""
    if accuser_withheld(user, petition):
        return True
    return confidential and not identity_visible(user, petition)


def personal_data_revealable(user: Any, petitioner: Any) -> bool:
    """May ``user`` read the full phone and ID number of ``petitioner`` (domain principle 3)?

    Only staff who need it to resolve the matter: holders of register / handle / lead over
    the registering or responsible unit; never the accused unit or person (条例 Art. 30),
    and a confidential petitioner only where :func:`identity_visible` allows. The caller
    has already checked that the matter is in the user's scope.
    """
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", False):
        return False
    petition = petitioner.petition
    if _is_accused(user, petition) or not _needs_identity(user, petition):
        return False
    if accuser_withheld(user, petition):
        return False
    return not petitioner.wants_confidentiality or identity_visible(user, petition)
