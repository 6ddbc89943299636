"""xlsx import/export, iCalendar, PDF and the facts command."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from datetime import date, time

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from xinfang.ledgers import services
from xinfang.ledgers.errors import ImportRejected
from xinfang.ledgers.ical import escape_text, fold, reception_calendar
from xinfang.ledgers.models import Dispute
from xinfang.ledgers.pdf import render_pdf
from xinfang.ledgers.tests.factories import (
    DisputeFactory,
    DutyShiftFactory,
    ReceptionSlotFactory,
)
from xinfang.ledgers.xlsx import (
    DISPUTE_EXPORT_COLUMNS,
    dispute_rows,
    import_disputes,
    write_xlsx,
)
from xinfang.org.choices import Role

pytestmark = pytest.mark.django_db


def _sheet(rows: list[list[object]], headers: list[str] | None = None) -> io.BytesIO:
    book = Workbook()
    ws = book.active
    ws.append(
        headers
        or [
            "排查日期",
            "纠纷类别",
            "发生地点",
            "纠纷事项",
            "当事人",
            "风险等级",
            "责任人",
            "化解期限",
            "联系电话",
        ]
    )
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_export_then_import_round_trips_the_ledger_columns(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    DisputeFactory(unit=cast.unit_a, lead_leader="李领导", petition_ref="XF-1", note="备注一")
    DisputeFactory(unit=cast.unit_a, domain="wage_arrears", risk_level="high")
    before = list(Dispute.objects.order_by("pk"))
    body = write_xlsx("台账", DISPUTE_EXPORT_COLUMNS, dispute_rows(before))
    ws = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in ws[1]] == DISPUTE_EXPORT_COLUMNS
    created = import_disputes(
        actor=handler, unit=cast.unit_b if False else cast.unit_a, stream=io.BytesIO(body)
    )
    keys = [
        "domain",
        "place",
        "subject",
        "parties",
        "risk_level",
        "responsible_person",
        "lead_leader",
        "resolution_plan",
        "found_on",
        "deadline",
        "petition_ref",
        "note",
    ]
    assert [[getattr(d, k) for k in keys] for d in created] == [
        [getattr(d, k) for k in keys] for d in before
    ]
    assert all(d.source == "import" and d.status == "registered" for d in created)


def test_import_reports_every_bad_row_in_chinese_and_imports_nothing(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    stream = _sheet(
        [
            [
                date(2026, 3, 1),
                "征地拆迁",
                "甲村",
                "补偿争议",
                "村民",
                "较大",
                "王某",
                date(2026, 4, 1),
                "13800000000",
            ],
            ["2026-13-01", "外星纠纷", "甲村", "", "村民", "极高", "王某", "2026年2月1日", "12"],
            ["2026年3月5日", "拖欠工资", "乙村", "欠薪", "工人", "高", "李某", "2026/3/1", ""],
        ]
    )
    with pytest.raises(ImportRejected) as exc:
        import_disputes(actor=handler, unit=cast.unit_a, stream=stream)
    errors = exc.value.errors
    assert "第3行「排查日期」：日期不存在" in errors
    assert any(e.startswith("第3行「纠纷类别」：“外星纠纷”不是有效值") for e in errors)
    assert "第3行「纠纷事项」：不能为空" in errors
    assert any(e.startswith("第3行「风险等级」") for e in errors)
    assert any(e.startswith("第3行「联系电话」") for e in errors)
    assert "第4行「化解期限」：不能早于排查日期" in errors
    assert Dispute.objects.count() == 0


def test_import_requires_the_header_columns(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    with pytest.raises(ImportRejected, match="缺少必填列"):
        import_disputes(actor=handler, unit=cast.unit_a, stream=_sheet([], ["序号", "纠纷事项"]))
    with pytest.raises(ImportRejected, match="无法读取"):
        import_disputes(actor=handler, unit=cast.unit_a, stream=io.BytesIO(b"not a workbook"))


def test_imported_phone_is_stored_encrypted_and_masked(cast):
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    stream = _sheet(
        [
            [
                date(2026, 3, 1),
                "征地拆迁",
                "甲村",
                "补偿争议",
                "村民",
                "一般",
                "王某",
                date(2026, 4, 1),
                "13812345678",
            ]
        ]
    )
    (d,) = import_disputes(actor=handler, unit=cast.unit_a, stream=stream)
    assert d.contact_phone == "138****5678"
    assert "13812345678" not in d.contact_phone_token


def _unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    for line in physical:
        assert len(line.encode("utf-8")) <= 75
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


# RFC 5545 escapes ';' and ',' in text: the place is typed half-width on purpose.
PLACE = "平安县人民来访接待中心一楼接待室;东侧,二号窗口"  # fullwidth: keep
PLACE_ESCAPED = "平安县人民来访接待中心一楼接待室\\;东侧\\,二号窗口"  # fullwidth: keep


def test_icalendar_feed_is_valid_rfc5545(cast):
    slot = ReceptionSlotFactory(
        unit=cast.unit_a,
        leader_name="郑副县长",
        day=date(2026, 10, 8),
        starts_at=time(8, 30),
        ends_at=time(11, 30),
        place=PLACE * 2,
        topic="征地拆迁、劳动保障方面的诉求",
    )
    lines = _unfold(reception_calendar([slot], name="甲镇领导接访日程"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert lines.count("BEGIN:VEVENT") == 1 == lines.count("END:VEVENT")
    props = dict(line.split(":", 1) for line in lines if ":" in line)
    assert props["UID"] == f"{slot.uid}@reception.xinfang"
    assert props["DTSTART;TZID=Asia/Shanghai"] == "20261008T083000"
    assert props["DTEND;TZID=Asia/Shanghai"] == "20261008T113000"
    assert props["SUMMARY"] == "领导接访：副县长郑副县长"
    assert props["LOCATION"].startswith(PLACE_ESCAPED)
    assert len(props["DTSTAMP"]) == 16 and props["DTSTAMP"].endswith("Z")
    assert "TZID:Asia/Shanghai" in lines  # the VTIMEZONE the TZID refers to


def test_fold_never_splits_a_utf8_character():
    line = "DESCRIPTION:" + "信访" * 60
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
        part.encode("utf-8").decode("utf-8")
    assert folded.replace("\r\n ", "") == line
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def _streams(pdf: bytes) -> list[bytes]:
    """The PDF's objects, with compressed streams (object streams too) inflated."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return chunks


def test_roster_pdf_contains_the_chinese_text(cast):
    shift = DutyShiftFactory(
        roster__unit=cast.unit_a, roster__title="国庆节值班表", officer_name="冯值班"
    )
    pdf = render_pdf("ledgers/print/roster.html", {"roster": shift.roster, "shifts": [shift]})
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert any(b"NotoSansCJK" in chunk or b"NotoSerifCJK" in chunk for chunk in _streams(pdf))
    if shutil.which("pdftotext"):
        text = subprocess.run(  # noqa: S603 - fixed arguments, test only
            [shutil.which("pdftotext") or "pdftotext", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        assert "国庆节值班表" in text and "冯值班" in text


def test_export_facts_command_writes_the_ledger_facts(cast, tmp_path):
    from xinfang.core.facts import EXPORT_COLUMNS

    cast.unit_a.category = "A"
    cast.unit_a.save()
    dispute = DisputeFactory(
        unit=cast.unit_a, found_on=date(2026, 3, 1), deadline=date(2026, 3, 10)
    )
    out = tmp_path / "facts.csv"
    call_command(
        "export_facts",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--unit",
        str(cast.unit_a.pk),
        "--provider",
        "ledgers",
        "--out",
        str(out),
        stderr=io.StringIO(),
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    subject, item, day, qty, value, tags, *rest = lines[1].split(",")
    assert (subject, item, day, qty, value, tags) == (
        f"U{cast.unit_a.pk}",
        "ledgers.dispute.overdue",
        "2026-03-11",
        "1",
        "",
        "medium",
    )
    note, evidence, source = ",".join(rest).rsplit(",", 2)
    assert "逾期" in note
    assert (evidence, source) == (f"ledgers.Dispute:{dispute.pk}", "ledgers.facts")
    assert len(lines) == 2


def test_leader_absent_at_spot_check_and_duty_absence_are_facts(cast):
    supervisor = cast.user_with(Role.SUPERVISOR, cast.unit_a)
    slot = ReceptionSlotFactory(unit=cast.unit_a, day=date(2026, 3, 3))
    from datetime import datetime
    from zoneinfo import ZoneInfo

    services.record_spot_check(
        actor=supervisor,
        slot=slot,
        leader_present=False,
        note="接访室无人",
        checked_at=datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    shift = DutyShiftFactory(roster__unit=cast.unit_a, day=date(2026, 3, 4))
    services.record_duty_absence(actor=supervisor, shift=shift, note="值班电话无人接听")
    from xinfang.ledgers.facts import derive_facts

    items = [(f.key, f.date) for f in derive_facts(date(2026, 3, 1), date(2026, 3, 31))]
    assert ("ledgers.reception.leader_absent", date(2026, 3, 3)) in items
    assert ("ledgers.duty.absence", date(2026, 3, 4)) in items
