"""The same matter (条例 Art. 19 ¶3).

On intake, :func:`propose_candidates` proposes earlier matters that may be the same: the
request's similarity (jieba segmentation + rapidfuzz token-set ratio) weighed together
with the petitioner (keyed digest of the ID number or phone, :func:`weighted_score`)
among recent matters of the area, within a bounded candidate set: the same petitioner's
matter on another subject is not proposed. The registrar links (:func:`link_candidate`) or dismisses
(:func:`dismiss_candidate`) each. While the earlier matter is accepted or in handling, a
new one linked to it is closed as linked rather than accepted again; after a final
re-review it is flagged ``after_final`` and cannot be accepted. :func:`group_summary`
shows every contact of a group and the highest level it reached.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction

from xinfang.core import workflow as engine
from xinfang.org.querysets import any_subtree_q
from xinfang.petitions.choices import CandidateStatus, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import MatterGroup, Petition, Petitioner, SameMatterCandidate
from xinfang.petitions.units import highest_level
from xinfang.petitions.workflow.candidates import CANDIDATES

__all__ = [
    "CANDIDATE_LIMIT",
    "LOOKBACK_DAYS",
    "PERSON_WEIGHT",
    "SIMILAR_REQUEST_THRESHOLD",
    "TEXT_THRESHOLD",
    "CandidateIndex",
    "GroupSummary",
    "area_root_of",
    "dismiss_candidate",
    "group_summary",
    "link_candidate",
    "open_proposals",
    "propose_candidates",
    "propose_candidates_after_commit",
    "propose_candidates_for",
    "score_candidates",
    "similarity",
    "summary_tokens",
    "weighted_score",
]

LOOKBACK_DAYS = 365 * 2
SCAN_LIMIT = 400  # matters of the area compared by text, newest first
CANDIDATE_LIMIT = 8  # proposals kept per matter
TEXT_THRESHOLD = 70  # rapidfuzz token-set ratio (0–100)
# 条例 Art. 36: the same petitioner asking something this similar to a matter that ended
# with a re-review opinion is flagged at intake, however long ago that was.
SIMILAR_REQUEST_THRESHOLD = 60
ACTIVE = (Status.ACCEPTED, Status.IN_HANDLING)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _tokens(text: str) -> str:
    """The words of ``text`` (jieba segmentation, one-character words dropped), space-joined."""
    words = [w.strip() for w in _jieba().lcut(text or "") if len(w.strip()) > 1]
    return " ".join(words)


def summary_tokens(text: str) -> str:
    """What :attr:`Petition.summary_tokens` stores for a summary (segmented once, reused)."""
    return _tokens(text)


def _ratio(tokens_a: str, tokens_b: str) -> int:
    from rapidfuzz import fuzz

    return round(fuzz.token_set_ratio(tokens_a, tokens_b))


def similarity(a: str, b: str) -> int:
    """Token-set similarity (0–100) of two Chinese texts after word segmentation."""
    return _ratio(_tokens(a), _tokens(b))


PERSON_WEIGHT = 30  # what the same petitioner adds to the request's similarity (0–100)
CLOSED = (Status.CLOSED, Status.FINAL, Status.NOT_ACCEPTED, Status.LINKED)


def weighted_score(text_ratio: int, *, same_petitioner: bool) -> int:
    """A proposal's score (0–100): the request's similarity, raised by ``PERSON_WEIGHT``
    when the petitioner is the same (keyed digest of the ID number or phone). A proposal
    needs :data:`TEXT_THRESHOLD`: another person's matter by its text alone, the same
    person's with a related request (not every earlier matter, whatever its subject)."""
    return min(100, text_ratio + (PERSON_WEIGHT if same_petitioner else 0))


def open_proposals(petition: Petition, user: Any) -> Any:
    """The proposals still to decide on ``petition`` that ``user`` may see: none once the
    matter is closed, and none for a matter already in its group."""
    if petition.status in CLOSED:
        return SameMatterCandidate.objects.none()
    qs = petition.candidates.filter(status=CandidateStatus.PROPOSED).filter(
        candidate__in=Petition.objects.restrict(user, "view").values("pk")
    )
    if petition.group_id is not None:
        qs = qs.exclude(candidate__group_id=petition.group_id)
    return qs.select_related("candidate")


def _area_root(petition: Petition) -> str:
    """The area whose matters are compared: the county (or the unit's top two levels)."""
    return area_root_of(petition.registering_unit)


def area_root_of(unit: Any) -> str:
    """The path of the area a unit's matters are compared within (see :func:`_area_root`)."""
    parts = unit.path.strip("/").split("/")
    # Path of the territorial root down to depth 3 (province/city/county) at most.
    return "/".join(parts[: min(len(parts), 3)]) + "/"


def _stored_tokens(rows: list[tuple[int, str, str | None]]) -> dict[int, str]:
    """Segmented summaries of candidate rows ``(pk, summary, summary_tokens)``.

    Matters registered before the column existed (or without a search) have NULL tokens:
    they are segmented here once and written back, so no matter is segmented twice. Rows
    another transaction holds are skipped (``SKIP LOCKED``), never waited for: the write
    is a cache fill, and waiting could deadlock two concurrent searches.
    """
    tokens = {pk: stored for pk, _s, stored in rows if stored is not None}
    missing = {pk: _tokens(summary) for pk, summary, stored in rows if stored is None}
    tokens.update(missing)
    if missing:
        lockable = list(
            Petition.objects.filter(pk__in=list(missing), summary_tokens__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if lockable:
            fills = [Petition(pk=pk, summary_tokens=missing[pk]) for pk in lockable]
            Petition.objects.bulk_update(fills, ["summary_tokens"], batch_size=500)
    return tokens


def _final_matters(pks: set[int]) -> set[int]:
    """Those of ``pks`` that ended with a re-review opinion, or belong to a group that did."""
    if not pks:
        return set()
    return set(Petition.objects.filter(pk__in=pks).filter(_final_q()).values_list("pk", flat=True))


def _final_q() -> Any:
    """Matters that ended with a re-review opinion, or belong to a group that did."""
    from django.db.models import Q

    final_groups = Petition.objects.filter(is_final=True, group__isnull=False).values("group")
    return Q(is_final=True) | Q(group__in=final_groups)


def score_candidates(
    own_tokens: str,
    text_tokens: str,
    person: list[tuple[int, str]],
    final_ids: set[int],
    area: list[tuple[int, str]],
) -> list[tuple[int, int, bool, bool]]:
    """The proposals kept for a matter, ``(pk, score, same_petitioner, after_final)``, best
    first: ``person`` are the same petitioner's matters (newest first, at most
    ``SCAN_LIMIT``; ``final_ids`` those of them that ended final), ``area`` the area's other
    recent matters (newest first, at most ``SCAN_LIMIT``), each with its segmented summary.
    The one rule of what is proposed, whoever gathered the matters (the database, one
    matter at a time, or :class:`CandidateIndex` for a backlog import)."""
    scores: dict[int, tuple[int, bool]] = {}
    final_similar: set[int] = set()
    seen: set[int] = set()
    for pk, tokens in person:
        seen.add(pk)
        ratio = _ratio(own_tokens, tokens)
        if pk in final_ids and ratio >= SIMILAR_REQUEST_THRESHOLD:
            final_similar.add(pk)
        # The same petitioner weighs in, but a matter on another subject is not the same
        # matter: the request's similarity must still reach the threshold with it.
        score = weighted_score(ratio, same_petitioner=True)
        if score >= TEXT_THRESHOLD or pk in final_similar:
            scores[pk] = (score, True)
    for pk, tokens in area:
        if pk in seen:
            continue
        score = _ratio(text_tokens, tokens)
        if score >= TEXT_THRESHOLD:
            scores[pk] = (score, False)
    best = sorted(scores.items(), key=lambda item: (-item[1][1], -item[1][0], -item[0]))
    kept = best[:CANDIDATE_LIMIT]
    # A flagged final matter is always proposed: it decides whether this one is accepted.
    kept += [item for item in best[CANDIDATE_LIMIT:] if item[0] in final_similar]
    return [(pk, score, same, pk in final_similar) for pk, (score, same) in kept]


@transaction.atomic
def propose_candidates(petition: Petition, *, actor: Any) -> list[SameMatterCandidate]:
    """Find and store proposed matches for a newly registered matter (bounded work).

    The new matter's text is segmented once; candidates' summaries come segmented from
    ``summary_tokens`` (filled here for the new matter, and lazily for older ones), so the
    up to 2 × ``SCAN_LIMIT`` comparisons are rapidfuzz calls only.
    """
    own_tokens = summary_tokens(petition.summary)
    if petition.summary_tokens != own_tokens:
        Petition.objects.filter(pk=petition.pk).update(summary_tokens=own_tokens)
        petition.summary_tokens = own_tokens
    since = petition.received_on - timedelta(days=LOOKBACK_DAYS)
    people = list(
        Petitioner.objects.filter(petition=petition).values_list("id_number_digest", "phone_digest")
    )
    id_digests = {i for i, _p in people if i}
    phone_digests = {p for _i, p in people if p}
    person_rows: list[tuple[int, str, str | None]] = []
    if id_digests or phone_digests:
        from django.db.models import Q

        # Recent matters of the same person, and any matter of theirs that ended final.
        same_person = Petitioner.objects.exclude(petition=petition).filter(
            Q(petition__received_on__gte=since) | Q(petition__is_final=True)
        )
        q = Q()
        if id_digests:
            q |= Q(id_number_digest__in=id_digests)
        if phone_digests:
            q |= Q(phone_digest__in=phone_digests)
        person_rows = list(
            same_person.filter(q)
            .values_list("petition_id", "petition__summary", "petition__summary_tokens")
            .order_by("-petition_id")[:SCAN_LIMIT]
        )
    person_tokens = _stored_tokens(person_rows)
    final_ids = _final_matters({pk for pk, _s, _t in person_rows})
    seen = {pk for pk, _summary, _stored in person_rows}
    root = _area_root(petition)
    area = list(
        Petition.objects.exclude(pk=petition.pk)
        .filter(
            received_on__gte=since,
            registering_unit__path__gte=root,
            registering_unit__path__lt=root + "~",
        )
        .order_by("-received_on", "-pk")
        .values_list("pk", "summary", "summary_tokens")[:SCAN_LIMIT]
    )
    area = [row for row in area if row[0] not in seen]
    area_tokens = _stored_tokens(area)
    # jieba segments runs of Chinese characters separately, so the words of
    # "summary + ' ' + text" are the summary's words followed by the text's.
    text_tokens = f"{own_tokens} {_tokens(petition.full_text[:300])}".strip()
    rows = [
        SameMatterCandidate(
            petition=petition,
            candidate_id=pk,
            score=score,
            same_petitioner=same,
            after_final=after_final,
        )
        for pk, score, same, after_final in score_candidates(
            own_tokens,
            text_tokens,
            [(pk, person_tokens[pk]) for pk, _s, _t in person_rows],
            final_ids,
            [(pk, area_tokens[pk]) for pk, _s, _t in area],
        )
    ]
    SameMatterCandidate.objects.bulk_create(rows, ignore_conflicts=True)
    return list(SameMatterCandidate.objects.filter(petition=petition).select_related("candidate"))


class CandidateIndex:
    """The same-matter search of :func:`propose_candidates` over an index held in memory,
    for a backlog import that registers thousands of matters in one transaction.

    Built once from what is already there (the recent matters of the given areas, the
    matters of the people named, which of them ended final); each imported matter is
    searched (:meth:`propose`) and then added (so a later row of the file meets it, as it
    would have one registration at a time), and :meth:`flush` stores every proposal and
    segmented summary in bulk. The proposals equal what :func:`propose_candidates` would
    have found registering the rows one by one (same gathering, :func:`score_candidates`
    decides). The import registers nothing final and forms no groups, so which matters
    are final is read once.
    """

    def __init__(self, roots: set[str], since: Any) -> None:
        from django.db.models import Q

        # Per area root, the matters as ``(received_on, pk)`` sorted ascending.
        self.area: dict[str, list[tuple[Any, int]]] = {root: [] for root in roots}
        self.tokens: dict[int, str] = {}
        self.summaries: dict[int, str] = {}
        self.received: dict[int, Any] = {}
        self.numbers: dict[int, str | None] = {}
        q = any_subtree_q(roots, "registering_unit__path") or Q(pk__in=[])
        for pk, received_on, summary, tokens, path, number in (
            Petition.objects.filter(q, received_on__gte=since)
            .values_list(
                "pk",
                "received_on",
                "summary",
                "summary_tokens",
                "registering_unit__path",
                "number",
            )
            .iterator(chunk_size=2000)
        ):
            self._remember(pk, received_on, summary, tokens, number)
            for root in roots:
                if path.startswith(root):
                    self.area[root].append((received_on, pk))
        for rows in self.area.values():
            rows.sort()
        self.final = set(Petition.objects.filter(_final_q()).values_list("pk", flat=True))
        self.new_people = 0  # keys of the imported petitioners (negative: not yet saved)
        # Petitioner rows by digest: (petitioner pk, petition pk).
        self.by_digest: dict[str, list[tuple[int, int]]] = {}
        self.fills: dict[int, str] = {}  # older matters segmented here (cache fill)
        self.proposals: list[SameMatterCandidate] = []

    def _remember(
        self, pk: int, received_on: Any, summary: str, tokens: str | None, number: str | None
    ) -> None:
        self.received[pk] = received_on
        self.summaries[pk] = summary
        self.numbers[pk] = number
        if tokens is not None:
            self.tokens[pk] = tokens

    def know_people(self, digests: set[str]) -> None:
        """Load the petitioner rows of these digests (the people of the file) that are
        already there, with their matters."""
        from django.db.models import Q

        digests = {d for d in digests if d and d not in self.by_digest}
        for digest in digests:
            self.by_digest[digest] = []
        found = list(digests)
        for start in range(0, len(found), 500):
            chunk = found[start : start + 500]
            for pet_pk, pk, id_digest, phone_digest, received_on, summary, tokens, number in (
                Petitioner.objects.filter(Q(id_number_digest__in=chunk) | Q(phone_digest__in=chunk))
                .values_list(
                    "pk",
                    "petition_id",
                    "id_number_digest",
                    "phone_digest",
                    "petition__received_on",
                    "petition__summary",
                    "petition__summary_tokens",
                    "petition__number",
                )
                .iterator(chunk_size=2000)
            ):
                self._remember(pk, received_on, summary, tokens, number)
                for digest in {id_digest, phone_digest} & digests:
                    self.by_digest[digest].append((pet_pk, pk))

    def _tokens_of(self, pk: int) -> str:
        if pk not in self.tokens:
            self.tokens[pk] = self.fills[pk] = _tokens(self.summaries[pk])
        return self.tokens[pk]

    def propose(
        self, petition: Petition, people: list[tuple[str, str]], root: str
    ) -> list[SameMatterCandidate]:
        """Search for ``petition`` (registered, not yet in the index; ``people`` are its
        petitioners' ``(id_number_digest, phone_digest)``), then add it. Returns the
        proposals unsaved: the caller adds those to keep to :attr:`proposals`, which
        :meth:`flush` stores."""
        own = summary_tokens(petition.summary)
        petition.summary_tokens = own
        since = petition.received_on - timedelta(days=LOOKBACK_DAYS)
        digests = {d for pair in people for d in pair if d}
        self.know_people(digests)
        rows: dict[int, int] = {}  # petitioner pk -> petition pk
        for digest in digests:
            rows.update(self.by_digest[digest])
        # Never itself: its own petitioners are saved already, so a digest not known
        # before (read now from the database) finds this very matter too.
        person = sorted(
            (
                pk
                for pk in rows.values()
                if pk != petition.pk and (self.received[pk] >= since or pk in self.final)
            ),
            reverse=True,
        )[:SCAN_LIMIT]
        area_rows = self.area.setdefault(root, [])
        area = [pk for day, pk in reversed(area_rows[-SCAN_LIMIT:]) if day >= since]
        text = f"{own} {_tokens(petition.full_text[:300])}".strip()
        kept = score_candidates(
            own,
            text,
            [(pk, self._tokens_of(pk)) for pk in person],
            self.final,
            [(pk, self._tokens_of(pk)) for pk in area],
        )
        found = [
            SameMatterCandidate(
                petition=petition,
                candidate_id=pk,
                score=score,
                same_petitioner=same,
                after_final=after_final,
            )
            for pk, score, same, after_final in kept
        ]
        # The new matter joins the index.
        self._remember(petition.pk, petition.received_on, petition.summary, own, petition.number)
        bisect.insort(area_rows, (petition.received_on, petition.pk))
        for other_root, other_rows in self.area.items():
            if other_root != root and petition.registering_unit.path.startswith(other_root):
                bisect.insort(other_rows, (petition.received_on, petition.pk))
        for pair in people:
            self.new_people -= 1
            for digest in {d for d in pair if d}:
                self.by_digest[digest].append((self.new_people, petition.pk))
        return found

    def number(self, pk: int) -> str:
        return self.numbers[pk] or ""

    def flush(self, imported: list[Petition], fields: tuple[str, ...] = ()) -> int:
        """Store the proposals and the segmented summaries (of the ``imported`` matters
        with their ``fields``, of the older ones segmented here) kept since the last
        flush; returns the count of proposals stored."""
        fills = [Petition(pk=pk, summary_tokens=t) for pk, t in self.fills.items()]
        Petition.objects.bulk_update(fills, ["summary_tokens"], batch_size=500)
        Petition.objects.bulk_update(imported, ["summary_tokens", *fields], batch_size=500)
        SameMatterCandidate.objects.bulk_create(
            self.proposals, ignore_conflicts=True, batch_size=500
        )
        count = len(self.proposals)
        self.fills, self.proposals = {}, []
        return count


def propose_candidates_after_commit(petition: Petition) -> None:
    """Search for the same matter in the background once the registration has committed.

    Online and Open311 submissions use this so the citizen's request does not wait for the
    search (the registrar sees the proposals on the matter page); staff registration
    searches inline. Nothing is queued if the transaction rolls back.
    """
    from xinfang.petitions.tasks import propose_candidates_task

    pk = petition.pk
    transaction.on_commit(lambda: propose_candidates_task(pk))


def propose_candidates_for(petition_id: int) -> int:
    """The background search for one matter (idempotent: candidates are unique per pair).

    Returns the number of proposals stored; a matter deleted meanwhile is skipped.
    """
    petition = Petition.objects.select_related("registering_unit").filter(pk=petition_id).first()
    if petition is None:
        return 0
    return len(propose_candidates(petition, actor=None))


def _decide(candidate: SameMatterCandidate, actor: Any, step: str) -> Petition:
    """Refuse a decided proposal and an actor without the grant before anything is written
    (the engine checks again when it moves the proposal)."""
    if candidate.status != CandidateStatus.PROPOSED:
        raise GuardFailed("该候选已处理")
    CANDIDATES.check(actor, candidate, next(s for s in CANDIDATES.steps if s.name == step))
    return candidate.petition


@transaction.atomic
def link_candidate(candidate: SameMatterCandidate, *, actor: Any, reason: str = "") -> Petition:
    """Link a new matter with a proposed earlier one (one group for both).

    If the earlier matter is accepted or in handling, the new one is closed as linked
    (not accepted again). If the earlier group was closed by a final re-review, the new
    one is flagged as a repeat after finality and cannot be accepted (Art. 36).
    """
    from xinfang.petitions.workflow import transition

    petition = _decide(candidate, actor, "link")
    other = candidate.candidate
    group = other.group or petition.group
    if group is None:
        group = MatterGroup.objects.create(created_by=actor)
    members = [pk for pk in (petition.pk, other.pk)]
    if other.group_id and petition.group_id and other.group_id != petition.group_id:
        Petition.objects.filter(group_id=petition.group_id).update(group=group)
    Petition.objects.filter(pk__in=members).update(group=group)
    petition.group = group
    after_final = Petition.objects.filter(group=group, is_final=True).exists()
    engine.transition(
        candidate, "link", actor=actor, data={"linked_with": other.pk, "group": group.pk}
    )
    if after_final:
        Petition.objects.filter(pk=petition.pk).update(after_final=True)
        petition.after_final = True
    if other.status in ACTIVE and petition.status in (Status.REGISTERED, Status.ROUTED):
        petition = transition(
            petition,
            Status.LINKED,
            actor=actor,
            reason=reason or f"与 {other.number} 为同一事项，正在办理中，不再重复受理（第十九条）",
            target=other,
        )
    return petition


@transaction.atomic
def dismiss_candidate(candidate: SameMatterCandidate, *, actor: Any) -> None:
    """The registrar judges a proposal not to be the same matter."""
    _decide(candidate, actor, "dismiss")
    engine.transition(candidate, "dismiss", actor=actor)


@dataclass(frozen=True)
class GroupSummary:
    """Every contact of a group (that the user may see) and the highest level reached."""

    contacts: list[Petition]
    highest_level: str
    hidden_count: int

    @property
    def highest_level_label(self) -> str:
        from xinfang.org.choices import UnitLevel

        return str(UnitLevel(self.highest_level).label) if self.highest_level else "—"


def group_summary(petition: Petition, user: Any) -> GroupSummary | None:
    """The linked group of ``petition`` as ``user`` may see it (others only counted)."""
    if petition.group_id is None:
        return None
    members = Petition.objects.filter(group_id=petition.group_id)
    levels = list(members.values_list("level_reached", flat=True))
    visible = list(
        Petition.objects.restrict(user, "view")
        .filter(group_id=petition.group_id)
        .select_related("responsible_unit")
        .order_by("received_on", "pk")
    )
    return GroupSummary(visible, highest_level(levels), len(levels) - len(visible))
