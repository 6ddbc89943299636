"""The backlog from the general register: the platform's export read back, step by step."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
import time_machine

from xinfang.core.errors import TransitionNotAllowed
from xinfang.core.models import AuditEntry
from xinfang.documents import register as reg
from xinfang.documents.errors import RegisterImportInvalid
from xinfang.documents.punctuation import fullwidth as F
from xinfang.documents.register_import import import_register
from xinfang.org.choices import Role
from xinfang.org.models import User
from xinfang.petitions.choices import Channel, Kind, Outcome, Status
from xinfang.petitions.models import Petition, Petitioner, SameMatterCandidate, Transition
from xinfang.petitions.services import PetitionerData, extend_handling, recompute_deadlines
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition

pytestmark = pytest.mark.django_db

ANSWER = {"outcome": Outcome.EXPLAIN, "facts": "事实", "reasons": "理由", "legal_basis": "依据"}
COL = reg.COLUMNS.index


def _admin(people: People) -> User:
    return people.cast.user_with(Role.ADMINISTRATOR, people.cast.county, "county-admin")


def _export(user: User, qs: Any = None) -> bytes:
    fh = io.BytesIO()
    qs = Petition.objects.restrict(user, "view") if qs is None else qs
    reg.write_register(fh, reg.register_rows(user, qs))
    return fh.getvalue()


def _rows(content: bytes) -> list[list[Any]]:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    return rows


def _book(rows: list[dict[str, Any]]) -> bytes:
    """A register written by hand: the export's columns, the given cells filled."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "受理事项总登记簿"
    sheet.append(reg.COLUMNS)
    for row in rows:
        sheet.append([row.get(c) for c in reg.COLUMNS])
    fh = io.BytesIO()
    wb.save(fh)
    return fh.getvalue()


def _row(**cells: Any) -> dict[str, Any]:
    base = {
        "收到日期": date(2026, 3, 2),
        "信访形式": "来信",
        "信访人": "王五",
        "联系电话": "13900001111",
        "信访类别": "申诉求决类",
        "内容摘要": "反映村道破损",
        "登记单位": "甲镇",
        "登记人": "town-registrar",
        "责任单位": "甲镇",
        "当前状态": "已登记",
    }
    return base | cells


def _various(people: People) -> None:
    """Matters in every state the register can carry, with their steps on real days."""
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        make_petition(people.cast, summary="只登记的事项", received_on=date(2026, 3, 2))
        routed = make_petition(people.cast, summary="转送的事项", received_on=date(2026, 3, 2))
        transition(routed, Status.ROUTED, actor=people.town_registrar, to_unit=people.cast.unit_b)
        accepted = make_petition(people.cast, summary="受理的事项", received_on=date(2026, 3, 2))
        transition(accepted, Status.ACCEPTED, actor=people.handler_a)
        refused = make_petition(people.cast, summary="不予受理的事项")
        transition(refused, Status.NOT_ACCEPTED, actor=people.handler_a, reason="不属于信访事项")
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        handling = make_petition(
            people.cast, summary="办理中的事项", channel=Channel.VISIT, place="甲村"
        )
        handling = transition(handling, Status.ACCEPTED, actor=people.handler_a)
        extend_handling(handling, actor=people.leader_a, days=15, reason="情况复杂")
        transition(handling, Status.IN_HANDLING, actor=people.handler_a)
        answered = make_petition(people.cast, summary="已答复的事项", kind=Kind.SUGGESTION)
        answered = transition(answered, Status.ACCEPTED, actor=people.handler_a)
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        transition(
            answered, Status.ANSWERED, actor=people.leader_a, suggestion_outcome="adopted", **ANSWER
        )
        closed = make_petition(
            people.cast,
            summary="已办结的事项",
            petitioners=[PetitionerData(name="赵六", phone="13900002222"), PetitionerData("钱七")],
        )
        closed = transition(closed, Status.ACCEPTED, actor=people.handler_a)
        closed = transition(closed, Status.ANSWERED, actor=people.leader_a, **ANSWER)
        transition(closed, Status.CLOSED, actor=people.handler_a)


def test_export_then_import_into_an_empty_database_exports_again_equal(people: People) -> None:
    admin = _admin(people)
    _various(people)
    recompute_deadlines(pending_only=False)  # the originals judged overdue as of today too
    first = _rows(_export(admin))
    assert len(first) == 8
    Petition.objects.all().delete()  # an empty database of the same organisation
    result = import_register(_export_bytes(first), actor=admin, unit=people.cast.county)
    assert result.rows == 7 and not result.dry_run
    again = _rows(_export(admin))
    ignored = {COL("登记编号")}  # new numbers (the old one is kept as the source reference)
    strip = [[v for i, v in enumerate(r) if i not in ignored] for r in first]
    assert [[v for i, v in enumerate(r) if i not in ignored] for r in again] == strip
    old_numbers = {r[COL("登记编号")] for r in first[1:]}
    assert set(Petition.objects.values_list("source_reference", flat=True)) == old_numbers


def _export_bytes(rows: list[list[Any]]) -> bytes:
    """The exported rows written back as a workbook (what the office would upload)."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "受理事项总登记簿"
    for row in rows:
        sheet.append(row)
    fh = io.BytesIO()
    wb.save(fh)
    return fh.getvalue()


@time_machine.travel("2026-09-01 10:00 +0800", tick=False)
def test_imported_steps_carry_their_real_dates_on_the_timeline_and_the_due_dates(
    people: People,
) -> None:
    admin = _admin(people)
    book = _book(
        [
            _row(
                收到日期=date(2026, 3, 2),
                责任单位="测试县自然资源局",
                转送交办日期=date(2026, 3, 3),
                受理日期=date(2026, 3, 6),
                答复日期=date(2026, 4, 20),
                处理结果="予以支持",
                当前状态="已办结",
            )
        ]
    )
    import_register(book, actor=admin, unit=people.cast.county)
    p = Petition.objects.get()
    assert (p.status, p.received_on, p.routed_on) == (
        Status.CLOSED,
        date(2026, 3, 2),
        date(2026, 3, 3),
    )
    assert (p.accepted_on, p.answered_on, p.closed_on) == (
        date(2026, 3, 6),
        date(2026, 4, 20),
        date(2026, 4, 20),
    )
    assert p.responsible_unit == people.cast.department
    steps = list(Transition.objects.filter(petition=p).order_by("pk"))
    assert [s.step for s in steps] == ["register", "route", "accept", "answer", "close"]
    assert [s.data.get("occurred_on") for s in steps[1:]] == [
        "2026-03-03",
        "2026-03-06",
        "2026-04-20",
        "2026-04-20",
    ]
    assert all(s.data["occurred_reason"] == "据总登记簿导入" for s in steps[1:])
    assert all(s.actor == admin for s in steps)
    # The clock runs from the real acceptance day: 60 days from 6 March, not from today.
    assert p.handle_due is not None and p.handle_due < date(2026, 6, 1)
    entries = AuditEntry.objects.filter(object_id=str(p.pk), action="transition")
    assert entries.count() == 5
    summary = AuditEntry.objects.get(object_type="petitions.register_import")
    assert summary.detail["rows"] == 1 and summary.actor == admin


def test_phones_are_sealed_on_the_way_in_and_masked_ones_kept_as_display_only(
    people: People,
) -> None:
    admin = _admin(people)
    book = _book(
        [
            _row(信访人="孙八", 联系电话="13912345678"),
            _row(信访人="周九", 联系电话="139****0001", 内容摘要="反映路灯不亮"),
        ]
    )
    import_register(book, actor=admin, unit=people.cast.county)
    full = Petitioner.objects.get(name="孙八")
    assert full.phone == "139****5678" and full.phone_token and full.phone_digest
    assert "13912345678" not in full.phone_token
    masked = Petitioner.objects.get(name="周九")
    assert masked.phone == "139****0001"
    assert masked.phone_token == "" and masked.phone_digest == ""


def test_every_bad_cell_is_named_by_sheet_row_and_column_in_chinese(people: People) -> None:
    admin = _admin(people)
    book = _book(
        [
            _row(),
            _row(收到日期="去年", 信访形式="飞鸽传书"),
            _row(登记单位="不存在镇", 当前状态="已答复", 受理日期=date(2026, 3, 3)),
            _row(回访评价="满意"),
        ]
    )
    with pytest.raises(RegisterImportInvalid) as caught:
        import_register(book, actor=admin, unit=people.cast.county)
    problems = caught.value.problems
    assert (
        F("「受理事项总登记簿」表第 3 行「收到日期」列：日期格式不正确，应为“2026-03-02”")
        in problems
    )
    assert any(
        p.startswith(F("「受理事项总登记簿」表第 3 行「信访形式」列：“飞鸽传书”")) for p in problems
    )
    assert any(F("第 4 行「登记单位」列：系统中没有名为“不存在镇”的单位") in p for p in problems)
    assert any(F("第 4 行「答复日期」列：“已答复”的事项须填写答复日期") in p for p in problems)
    assert any(F("第 5 行「回访评价」列：回访评价是信访人本人的评价") in p for p in problems)
    assert not any("第 2 行" in p for p in problems)
    assert not Petition.objects.exists()


def test_a_row_a_rule_refuses_rolls_the_whole_import_back(people: People) -> None:
    admin = _admin(people)
    # A forwarded matter may only be closed after the petitioner's rating (domain.md §4):
    # the close step refuses it, and the good rows before it are not kept either.
    book = _book(
        [
            _row(内容摘要="好的一行"),
            _row(
                信访形式="上级转送",
                登记单位="测试县自然资源局",
                责任单位="测试县自然资源局",
                受理日期=date(2026, 3, 3),
                答复日期=date(2026, 3, 20),
                处理结果="解释说明",
                当前状态="已办结",
            ),
        ]
    )
    with pytest.raises(RegisterImportInvalid) as caught:
        import_register(book, actor=admin, unit=people.cast.county)
    assert caught.value.problems == [
        F("「受理事项总登记簿」表第 3 行「当前状态」列：")
        + "该事项须先回访并请信访人评价后方可办结（联名5人以上、重复信访、上级转交办、集体访）"
    ]
    assert not Petition.objects.exists()
    assert not AuditEntry.objects.filter(object_type="petitions.register_import").exists()


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(people: People) -> None:
    admin = _admin(people)
    before = AuditEntry.objects.count()
    book = _book(
        [_row(), _row(内容摘要="反映垃圾清运", 受理日期=date(2026, 3, 3), 当前状态="已受理")]
    )
    result = import_register(book, actor=admin, unit=people.cast.county, dry_run=True)
    assert result.dry_run and result.rows == 2
    assert result.states == {Status.REGISTERED: 1, Status.ACCEPTED: 1}
    assert "共 2 件" in result.summary()
    assert not Petition.objects.exists() and not Petitioner.objects.exists()
    assert AuditEntry.objects.count() == before


def test_same_matter_candidates_are_flagged_against_what_is_there_not_refused(
    people: People,
) -> None:
    admin = _admin(people)
    existing = make_petition(
        people.cast,
        summary="反映甲村村道破损严重无法通行",
        petitioners=[PetitionerData(name="王五", phone="13900001111")],
    )
    book = _book([_row(内容摘要="反映甲村村道破损严重无法通行")])
    result = import_register(book, actor=admin, unit=people.cast.county)
    imported = Petition.objects.exclude(pk=existing.pk).get()
    assert result.flags and result.flags[0]["number"] == imported.number
    assert result.flags[0]["candidates"] == [existing.number]
    assert SameMatterCandidate.objects.filter(petition=imported, candidate=existing).exists()
    assert imported.status == Status.REGISTERED


def test_only_administrators_import_and_only_into_their_own_subtree(people: People) -> None:
    town_admin = people.cast.user_with(Role.ADMINISTRATOR, people.cast.unit_a, "town-admin")
    book = _book([_row(登记单位="乙镇", 责任单位="乙镇")])
    with pytest.raises(RegisterImportInvalid) as caught:
        import_register(book, actor=town_admin, unit=people.cast.unit_a)
    assert any(F("“乙镇”不在甲镇之内，不能导入到该单位") in p for p in caught.value.problems)
    with pytest.raises(TransitionNotAllowed):
        import_register(book, actor=town_admin, unit=people.cast.county)
    with pytest.raises(TransitionNotAllowed):
        import_register(_book([_row()]), actor=people.town_registrar, unit=people.cast.unit_a)
    assert not Petition.objects.exists()
    result = import_register(_book([_row()]), actor=town_admin, unit=people.cast.unit_a)
    assert result.rows == 1


def test_an_import_cannot_take_the_petitioners_own_steps(people: People) -> None:
    from xinfang.petitions.workflow.backlog import BacklogImport

    admin = _admin(people)
    p = make_petition(people.cast)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    with pytest.raises(TransitionNotAllowed, match="信访人本人的行为"):
        transition(p, Status.EVALUATED, actor=admin, backlog=BacklogImport(), rating="satisfied")
