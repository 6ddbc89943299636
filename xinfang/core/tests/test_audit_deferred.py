"""Entries recorded inside ``audit.deferred()`` join the chain at the end of the block, in
order; a block that fails writes none; another actor's entry is written at once."""

from __future__ import annotations

import pytest

from xinfang.core import audit
from xinfang.core.audit import verify_chain
from xinfang.core.calendar import held_calendar, legal_calendar
from xinfang.core.models import AuditAction, AuditEntry
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def test_a_deferred_block_appends_its_entries_in_order_and_the_chain_verifies(cast: Cast) -> None:
    actor = cast.user_with("handler", cast.unit_a)
    audit.record(actor=actor, action=AuditAction.CHANGE, obj=cast.unit_a, detail={"n": 0})
    with audit.deferred(actor=actor):
        for i in range(1, 4):
            audit.record(actor=actor, action=AuditAction.CHANGE, obj=cast.unit_a, detail={"n": i})
        assert AuditEntry.objects.count() == 1  # nothing written yet
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.detail["n"] for e in entries] == [0, 1, 2, 3]
    assert all(e.object_id == str(cast.unit_a.pk) and e.actor_id == actor.pk for e in entries)
    assert verify_chain() == []


def test_a_deferred_block_that_fails_writes_no_entry(cast: Cast) -> None:
    actor = cast.user_with("handler", cast.unit_a)
    with pytest.raises(ValueError), audit.deferred(actor=actor):
        audit.record(actor=actor, action=AuditAction.CHANGE, obj=cast.unit_a)
        raise ValueError("refused")
    assert not AuditEntry.objects.exists()


def test_another_actors_entry_inside_a_deferred_block_is_written_at_once(cast: Cast) -> None:
    actor = cast.user_with("handler", cast.unit_a)
    other = cast.user_with("registrar", cast.unit_a, "other")
    with audit.deferred(actor=actor):
        audit.record(actor=actor, action=AuditAction.CHANGE, obj=cast.unit_a)
        audit.record(actor=other, action=AuditAction.CHANGE, obj=cast.unit_a)
        assert list(AuditEntry.objects.values_list("actor_id", flat=True)) == [other.pk]
    assert AuditEntry.objects.count() == 2
    assert verify_chain() == []


def test_a_held_calendar_is_loaded_once_for_the_block(
    cast: Cast, django_assert_num_queries: object
) -> None:
    with held_calendar() as held, django_assert_num_queries(0):  # type: ignore[operator]
        assert legal_calendar() is held
        assert legal_calendar() is held
    assert legal_calendar() is not held  # outside the block: read again
