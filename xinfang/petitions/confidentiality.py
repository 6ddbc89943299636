"""Who must never see what (条例 Art. 30; domain principle 3).

An accusation (检举控告) is invisible to the accused unit — every user holding any grant
in the accused unit's subtree — and to the accused person's account. A petitioner who asked
for confidentiality is shown by name and details only to staff who handle or registered the
matter (register / handle / lead grants over the registering or responsible unit), and never
to the accused. Every scope (pages, API, exports, notifications, search) is built from the
querysets in ``querysets.py``, which call these helpers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from xinfang.org.access import _grants, can
from xinfang.petitions.choices import Kind

__all__ = [
    "CONFIDENTIAL_LABEL",
    "accused_q",
    "identity_visible",
    "personal_data_revealable",
    "user_unit_ids",
]

CONFIDENTIAL_LABEL = "(信访人要求保密)"


def _discipline_paths() -> list[str]:
    from xinfang.org.models import Unit

    return list(Unit.objects.filter(is_discipline_body=True).values_list("path", flat=True))


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
    discipline = _discipline_paths() if paths else []
    ids: set[int] = set()
    for path in paths:
        parts = [int(part) for part in path.strip("/").split("/") if part]
        cut = max((d.count("/") - 1 for d in discipline if path.startswith(d)), default=0)
        ids.update(parts[cut:])
    user._xinfang_unit_ids = frozenset(ids)
    return ids


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


def identity_visible(user: Any, petition: Any) -> bool:
    """May ``user`` see the name and details of a confidential petitioner of ``petition``?"""
    if getattr(user, "is_superuser", False):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if _is_accused(user, petition):
        return False
    return _needs_identity(user, petition)


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
    return not petitioner.wants_confidentiality or identity_visible(user, petition)
