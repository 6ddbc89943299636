"""当日清: the community's daily meeting closes every open item of the day through the item
workflow (哈办发〔2011〕14号), or is not recorded as held at all."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.facts import unit_subject
from xinfang.core.models import AuditEntry, Message
from xinfang.grids import services
from xinfang.grids.choices import LogItemStatus, MeetingOutcome
from xinfang.grids.errors import GridsError, MeetingIncomplete
from xinfang.grids.facts import derive_facts
from xinfang.grids.models import DailyMeeting, LogItem, LogItemTransition
from xinfang.grids.services import Disposition
from xinfang.grids.tests import factories as f
from xinfang.org.choices import Role
from xinfang.shell.testing import sign_in

TODAY = date(2026, 9, 1)
SOON = TODAY + timedelta(days=3)


def _head(cast, c):  # type: ignore[no-untyped-def]
    return cast.user_with(Role.GRID_HEAD, c.unit)


def test_daily_meeting_closes_every_item_of_the_day(cast):
    c = f.community(cast)
    lamp, bins, road = (f.log_item(c, s) for s in ("楼道灯坏了", "垃圾桶满了", "道路塌陷"))
    head = _head(cast, c)
    meeting = services.hold_meeting(
        actor=head,
        community=c.unit,
        notes="逐件过堂",
        dispositions={
            lamp.pk: Disposition("resolve", result="物业当场更换灯泡", returned=True),
            bins.pk: Disposition("hand_on", unit=cast.department, deadline=SOON),
            road.pk: Disposition("raise", deadline=SOON),
        },
    )
    statuses = dict(LogItem.objects.values_list("pk", "status"))
    assert statuses == {
        lamp.pk: LogItemStatus.RESOLVED,
        bins.pk: LogItemStatus.HANDED,
        road.pk: LogItemStatus.RAISED,
    }
    lamp.refresh_from_db()
    assert (lamp.result, lamp.result_returned) == ("物业当场更换灯泡", True)
    # Each disposition is a step of the item workflow, taken by the meeting's recorder.
    steps = LogItemTransition.objects.filter(actor=head).values_list("item_id", "step")
    assert set(steps) == {(lamp.pk, "resolve"), (bins.pk, "hand_on"), (road.pk, "raise")}
    told = set(Message.objects.filter(kind="grid_item").values_list("recipient_unit_id", flat=True))
    assert told == {cast.department.pk, cast.unit_a.pk}
    # The meeting's record lists what it did with each item.
    record = [(r.item_id, r.outcome, r.unit, r.deadline) for r in meeting.items.all()]
    assert record == [
        (lamp.pk, MeetingOutcome.RESOLVED, None, None),
        (bins.pk, MeetingOutcome.HANDED, cast.department, SOON),
        (road.pk, MeetingOutcome.RAISED, cast.unit_a, SOON),
    ]
    entry = AuditEntry.objects.get(object_type="grids.dailymeeting", object_id=str(meeting.pk))
    assert entry.detail["items"] == {
        str(lamp.pk): "resolved",
        str(bins.pk): "handed",
        str(road.pk): "raised",
    }


def test_a_meeting_with_an_item_left_without_a_disposition_is_not_recorded_as_held(cast):
    c = f.community(cast)
    lamp, bins = f.log_item(c, "楼道灯坏了"), f.log_item(c, "垃圾桶满了")
    with pytest.raises(MeetingIncomplete) as refused:
        services.hold_meeting(
            actor=_head(cast, c),
            community=c.unit,
            dispositions={lamp.pk: Disposition("resolve", result="已修", returned=True)},
        )
    assert "尚未议定处理方式" in str(refused.value)
    assert f"民情日志 {bins.pk}（甲村G11网格：垃圾桶满了）" in str(refused.value)
    assert f"民情日志 {lamp.pk}" not in str(refused.value)
    # Nothing was written: no meeting, the disposed item is still open.
    assert not DailyMeeting.objects.exists()
    assert not LogItemTransition.objects.exists()
    assert LogItem.objects.get(pk=lamp.pk).status == LogItemStatus.OPEN


def test_a_disposition_the_workflow_refuses_records_nothing_and_names_the_item(cast):
    c = f.community(cast)
    lamp, bins = f.log_item(c, "楼道灯坏了"), f.log_item(c, "垃圾桶满了")
    with pytest.raises(GridsError, match=rf"民情日志 {bins.pk}.*办理期限不能早于今天"):
        services.hold_meeting(
            actor=_head(cast, c),
            community=c.unit,
            dispositions={
                lamp.pk: Disposition("resolve", result="已修", returned=True),
                bins.pk: Disposition(
                    "hand_on", unit=cast.department, deadline=TODAY - timedelta(days=1)
                ),
            },
        )
    assert not DailyMeeting.objects.exists()
    assert set(LogItem.objects.values_list("status", flat=True)) == {LogItemStatus.OPEN}
    assert not Message.objects.filter(kind="grid_item").exists()


def test_items_handed_on_earlier_keep_their_own_clock_and_are_carried_over(cast):
    c = f.community(cast)
    due = TODAY + timedelta(days=10)
    with time_machine.travel("2026-08-31 10:00 +08:00", tick=False):
        earlier = f.log_item(c, "井盖松动")
        services.hand_on_item(actor=c.worker, item=earlier, unit=cast.department, deadline=due)
    today_item = f.log_item(c, "楼道灯坏了")
    meeting = services.hold_meeting(
        actor=_head(cast, c),
        community=c.unit,
        dispositions={today_item.pk: Disposition("resolve", result="已修", returned=False)},
    )
    earlier.refresh_from_db()
    assert (earlier.status, earlier.deadline) == (LogItemStatus.HANDED, due)
    assert [t.step for t in earlier.transitions.all()] == ["hand_on"]
    carried = [
        (r.item_id, r.unit, r.deadline)
        for r in meeting.items.all()
        if r.outcome == MeetingOutcome.CARRIED
    ]
    assert carried == [(earlier.pk, cast.department, due)]


def test_an_item_left_open_by_an_earlier_day_comes_before_todays_meeting(cast):
    c = f.community(cast)
    with time_machine.travel("2026-08-31 10:00 +08:00", tick=False):
        old = f.log_item(c, "井盖松动")
    with pytest.raises(MeetingIncomplete, match=f"民情日志 {old.pk}"):
        services.hold_meeting(actor=_head(cast, c), community=c.unit, dispositions={})


def test_an_item_already_resolved_is_not_on_the_agenda_and_cannot_be_disposed_again(cast):
    c = f.community(cast)
    other = cast.user_with(Role.GRID_WORKER, c.grid)
    item = services.record_log_item(actor=other, grid=c.grid, topic="other", summary="噪音")
    services.resolve_item(actor=other, item=item, result="已劝导", returned=True)
    with pytest.raises(GridsError, match=f"不在今天的当日清议程中.*民情日志 {item.pk}"):
        services.hold_meeting(
            actor=_head(cast, c),
            community=c.unit,
            dispositions={item.pk: Disposition("resolve", result="再办一次")},
        )


def test_the_meeting_is_held_once_a_day_and_only_by_the_communitys_staff(cast):
    c = f.community(cast)
    with pytest.raises(NotFoundOrForbidden):
        services.hold_meeting(actor=c.worker, community=c.unit, dispositions={})
    services.hold_meeting(actor=_head(cast, c), community=c.unit, dispositions={})
    with pytest.raises(GridsError, match="今天的当日清会议已登记"):
        services.hold_meeting(actor=_head(cast, c), community=c.unit, dispositions={})


@time_machine.travel("2026-09-03 10:00 +08:00", tick=False)
def test_a_day_whose_meeting_was_refused_for_an_undisposed_item_owes_the_meeting(cast):
    c = f.community(cast)
    with time_machine.travel("2026-09-02 18:00 +08:00", tick=False):
        f.log_item(c)
        with pytest.raises(MeetingIncomplete):
            services.hold_meeting(actor=_head(cast, c), community=c.unit, dispositions={})
    facts = [x for _p, x in derive_facts(date(2026, 9, 2), date(2026, 9, 2))]
    assert [(x.subject, x.date) for x in facts if x.key == "grids.meeting.missing"] == [
        (unit_subject(c.unit), date(2026, 9, 2))
    ]


def test_the_meeting_page_takes_every_disposition_in_one_form(cast):
    c = f.community(cast)
    lamp, bins = f.log_item(c, "楼道灯坏了"), f.log_item(c, "垃圾桶满了")
    client = Client()
    sign_in(client, _head(cast, c))
    url = reverse("grids:meeting_record", args=[c.unit.pk])
    page = client.get(url).content.decode()
    assert "楼道灯坏了" in page and "垃圾桶满了" in page
    only_one = {f"i{lamp.pk}-step": "resolve", f"i{lamp.pk}-result": "已修"}
    refused = client.post(url, only_one, follow=True).content.decode()
    assert f"民情日志 {bins.pk}（甲村G11网格：垃圾桶满了）" in refused
    assert not DailyMeeting.objects.exists()
    both = only_one | {
        f"i{bins.pk}-step": "hand_on",
        f"i{bins.pk}-unit": str(cast.department.pk),
        f"i{bins.pk}-deadline": SOON.isoformat(),
    }
    record = client.post(url, both, follow=True).content.decode()
    assert "已登记今天的当日清会议" in record and "会上办结" in record and "会上转交单位" in record
    assert DailyMeeting.objects.get().items.count() == 2


def test_a_hand_on_without_a_unit_is_refused_by_the_form_naming_the_item(cast):
    c = f.community(cast)
    bins = f.log_item(c, "垃圾桶满了")
    client = Client()
    sign_in(client, _head(cast, c))
    url = reverse("grids:meeting_record", args=[c.unit.pk])
    page = client.post(url, {f"i{bins.pk}-step": "hand_on"}, follow=True).content.decode()
    assert f"民情日志 {bins.pk}：须选择转交单位" in page and "须填写办理期限" in page
    assert not DailyMeeting.objects.exists()


def test_the_meeting_page_reads_in_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    c = f.community(cast)
    for n in range(12):
        f.log_item(c, f"事项{n}")
    client = Client()
    sign_in(client, _head(cast, c))
    url = reverse("grids:meeting_record", args=[c.unit.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert "事项11" in client.get(url).content.decode()
