from datetime import date, time, timedelta

import pytest

from xinfang.core.errors import NotFoundOrForbidden, TransitionNotAllowed
from xinfang.core.models import AuditEntry, Message
from xinfang.grids import services
from xinfang.grids.choices import LogItemStatus
from xinfang.grids.errors import GridsError
from xinfang.grids.models import LogItem
from xinfang.grids.tests import factories as f
from xinfang.ledgers.choices import DisputeDomain, RiskLevel
from xinfang.org.choices import Role

TODAY = date(2026, 9, 1)


def test_a_patrol_is_a_record_of_day_start_end_and_grid(cast):
    c = f.community(cast)
    patrol = f.patrol(c, TODAY)
    assert (patrol.worker, patrol.grid, patrol.minutes) == (c.worker, c.grid, 120)
    assert not hasattr(patrol, "track") and not hasattr(patrol, "lat")


def test_a_patrol_must_end_after_it_starts_and_not_lie_in_the_future(cast):
    c = f.community(cast)
    with pytest.raises(GridsError, match="结束时间须晚于开始时间"):
        f.patrol(c, TODAY, start=time(11), end=time(9))
    with pytest.raises(GridsError, match="未来日期"):
        f.patrol(c, TODAY + timedelta(days=1))


def test_only_a_worker_of_the_grid_records_a_patrol_there(cast):
    c = f.community(cast)
    with pytest.raises(NotFoundOrForbidden):
        services.record_patrol(
            actor=c.worker, grid=c.other_grid, day=TODAY, started=time(9), ended=time(10)
        )


def test_a_log_item_keeps_no_identity_and_a_left_contact_sealed(cast):
    c = f.community(cast)
    anonymous = f.log_item(c)
    assert anonymous.contact_token == "" and anonymous.contact == ""
    with_contact = f.log_item(c, contact="13900001111")
    assert with_contact.contact == with_contact.contact_masked != "13900001111"
    assert "13900001111" not in str(LogItem.objects.filter(pk=with_contact.pk).values().get())


def test_an_item_handed_to_a_unit_is_seen_and_resolved_there_and_the_unit_is_told(cast):
    c = f.community(cast)
    item = f.log_item(c)
    services.hand_on_item(
        actor=c.worker, item=item, unit=cast.department, deadline=TODAY + timedelta(days=5)
    )
    assert item.status == LogItemStatus.HANDED and item.handed_to == cast.department
    message = Message.objects.get(kind="grid_item")
    assert message.recipient_unit_id == cast.department.pk and "楼道灯坏了三天" in message.text
    handler = cast.user_with(Role.HANDLER, cast.department)
    assert list(LogItem.objects.restrict(handler, "handle")) == [item]
    services.resolve_item(actor=handler, item=item, result="已更换灯泡", returned=True)
    item.refresh_from_db()
    assert (item.status, item.result, item.result_returned) == (
        LogItemStatus.RESOLVED,
        "已更换灯泡",
        True,
    )
    assert [t.step for t in item.transitions.order_by("pk")] == ["hand_on", "resolve"]


def test_an_item_cannot_be_handed_on_with_a_deadline_in_the_past(cast):
    c = f.community(cast)
    with pytest.raises(GridsError, match="办理期限不能早于今天"):
        services.hand_on_item(
            actor=c.worker,
            item=f.log_item(c),
            unit=cast.department,
            deadline=TODAY - timedelta(days=1),
        )


def test_an_item_is_raised_only_to_the_street_of_its_grid(cast):
    c = f.community(cast)
    item = services.raise_item(
        actor=c.worker, item=f.log_item(c), deadline=TODAY + timedelta(days=3)
    )
    assert item.status == LogItemStatus.RAISED and item.handed_to == cast.unit_a


def test_an_item_handled_on_the_spot_is_resolved_by_the_worker(cast):
    c = f.community(cast)
    item = services.resolve_item(
        actor=c.worker, item=f.log_item(c), result="当场解答政策", returned=True
    )
    assert item.status == LogItemStatus.RESOLVED


def test_a_worker_of_another_grid_cannot_act_on_the_item(cast):
    c = f.community(cast)
    other = cast.user_with(Role.GRID_WORKER, c.other_grid, username="worker-g12")
    with pytest.raises(NotFoundOrForbidden):
        services.resolve_item(actor=other, item=f.log_item(c), result="x", returned=False)


def test_a_resolved_item_cannot_be_handed_on_again(cast):
    c = f.community(cast)
    item = services.resolve_item(
        actor=c.worker, item=f.log_item(c), result="已处理", returned=False
    )
    with pytest.raises(TransitionNotAllowed, match="不能执行"):
        services.hand_on_item(actor=c.worker, item=item, unit=cast.department, deadline=TODAY)


def test_in_one_step_an_item_becomes_a_petition_matter_linked_both_ways(cast):
    c = f.community(cast)
    item = f.log_item(c, summary="小区供暖不达标，多次反映未解决", contact="13900002222")
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a)
    petition = services.item_to_petition(
        actor=registrar, item=item, registering_unit=cast.unit_a, petitioner_name="王某"
    )
    item.refresh_from_db()
    assert item.status == LogItemStatus.CONVERTED and item.petition == petition
    assert petition.grid_log_item == item and petition.summary == item.summary
    assert AuditEntry.objects.filter(action="pii_read", object_id=str(item.pk)).exists()


def test_a_grid_worker_without_the_registrar_role_cannot_register_a_matter(cast):
    c = f.community(cast)
    with pytest.raises(TransitionNotAllowed, match="登记信访事项的权限"):
        services.item_to_petition(
            actor=c.worker, item=f.log_item(c), registering_unit=cast.unit_a, petitioner_name="王某"
        )
    assert LogItem.objects.get().status == LogItemStatus.OPEN


def test_in_one_step_an_item_becomes_a_dispute_in_the_screening_ledger(cast):
    c = f.community(cast)
    item = f.log_item(c, summary="两户因漏水发生纠纷")
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    dispute = services.item_to_dispute(
        actor=handler,
        item=item,
        unit=cast.unit_a,
        domain=DisputeDomain.NEIGHBOURHOOD,
        parties="楼上楼下两户居民",
        risk_level=RiskLevel.LOW,
        responsible_person="调解员",
        deadline=TODAY + timedelta(days=15),
    )
    item.refresh_from_db()
    assert item.dispute == dispute and dispute.grid_log_item == item
    assert dispute.subject == "两户因漏水发生纠纷"
