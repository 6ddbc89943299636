"""xlsx in and out, in the columns offices use (docs/ledgers.md, "xlsx columns").

Export uses xlsxwriter in ``constant_memory`` mode (rows are streamed to a temporary file
as written, so a large ledger does not sit in memory). Import reads with openpyxl in
read-only mode, validates every row first and reports each problem as
``第N行「列名」:…``; only a file without errors is written, in one transaction.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from xinfang.core.errors import PersonalDataError, XinfangError
from xinfang.core.personal_data import normalize_phone
from xinfang.core.punctuation import loose
from xinfang.ledgers.choices import DisputeDomain, DisputeSource, RiskLevel
from xinfang.ledgers.errors import ImportRejected
from xinfang.ledgers.models import Dispute, ScreeningRound

__all__ = [
    "DISPUTE_EXPORT_COLUMNS",
    "DISPUTE_IMPORT_COLUMNS",
    "dispute_rows",
    "import_disputes",
    "write_xlsx",
]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The 矛盾纠纷排查化解登记表 as offices keep it (seed 002 "矛盾纠纷排查化解登记表").
DISPUTE_EXPORT_COLUMNS = [
    "序号",
    "台账编号",
    "单位",
    "排查日期",
    "纠纷类别",
    "发生地点",
    "纠纷事项",
    "当事人",
    "风险等级",
    "责任人",
    "包案领导",
    "化解方案",
    "化解期限",
    "状态",
    "化解情况",
    "化解时间",
    "核验人",
    "核验时间",
    "关联信访事项编号",
    "备注",
]

REQUIRED = [
    "排查日期",
    "纠纷类别",
    "发生地点",
    "纠纷事项",
    "当事人",
    "风险等级",
    "责任人",
    "化解期限",
]
OPTIONAL = ["包案领导", "化解方案", "关联信访事项编号", "备注", "联系电话"]
DISPUTE_IMPORT_COLUMNS = REQUIRED + OPTIONAL

_RISK_SYNONYMS = {"低": RiskLevel.LOW, "中": RiskLevel.MEDIUM, "高": RiskLevel.HIGH}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def write_xlsx(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One worksheet with a bold header row; dates formatted yyyy-mm-dd."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "remove_timezone": True})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, bold)
        ws.set_column(col, col, max(10, min(40, len(header) * 3)))
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                ws.write_datetime(r, col, value, datetime_fmt)
            elif isinstance(value, date):
                ws.write_datetime(r, col, value, date_fmt)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, col, value)
            else:
                ws.write_string(r, col, str(value))
    book.close()
    return buffer.getvalue()


def _local(dt: datetime | None) -> datetime | None:
    from django.utils import timezone

    return timezone.localtime(dt).replace(tzinfo=None) if dt else None


def dispute_rows(disputes: Iterable[Dispute]) -> Iterable[list[Any]]:
    for i, d in enumerate(disputes, start=1):
        yield [
            i,
            d.number,
            d.unit.name,
            d.found_on,
            d.get_domain_display(),
            d.place,
            d.subject,
            d.parties,
            d.get_risk_level_display(),
            d.responsible_person,
            d.lead_leader,
            d.resolution_plan,
            d.deadline,
            d.get_status_display(),
            d.resolution_note,
            _local(d.resolved_at),
            str(d.verified_by) if d.verified_by_id else "",
            _local(d.verified_at),
            d.petition_ref,
            d.note,
        ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_RE.match(_text(value))
    if not match:
        raise ValueError("日期格式不正确，应为 2026-03-01 或 2026年3月1日")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError("日期不存在") from exc


def _choice(value: str, choices: Any, synonyms: Mapping[str, str] | None = None) -> str:
    for code, label in choices.choices:
        if value == code or loose(value) == loose(str(label)):  # 村(社区) = 村（社区）
            return str(code)
    if synonyms and value in synonyms:
        return str(synonyms[value])
    allowed = "、".join(str(label) for _code, label in choices.choices)
    raise ValueError(f"“{value}”不是有效值，可选：{allowed}")


@dataclass
class ParsedRow:
    row: int
    fields: dict[str, Any]
    phone: str


def parse_dispute_sheet(stream: IO[bytes]) -> list[ParsedRow]:
    """Read and validate every row; raise :class:`ImportRejected` listing all problems."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx file
        raise ImportRejected(["文件无法读取：请上传 .xlsx 格式的 Excel 文件"]) from exc
    ws = book.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise ImportRejected(["文件为空：第1行应为表头"])
    headers = {_text(h): i for i, h in enumerate(header_row) if _text(h)}
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise ImportRejected([f"第1行（表头）缺少必填列：{'、'.join(missing)}"])
    errors: list[str] = []
    parsed: list[ParsedRow] = []
    for number, raw in enumerate(rows, start=2):
        cells = {name: (raw[i] if i < len(raw) else None) for name, i in headers.items()}
        if all(_text(cells.get(c)) == "" for c in DISPUTE_IMPORT_COLUMNS):
            continue  # blank line
        fields: dict[str, Any] = {}
        row_errors: list[str] = []

        def fail(column: str, message: str, n: int = number, errs: list[str] = row_errors) -> None:
            errs.append(f"第{n}行「{column}」：{message}")

        for column in REQUIRED:
            if _text(cells.get(column)) == "":
                fail(column, "不能为空")
        for column, key in (("排查日期", "found_on"), ("化解期限", "deadline")):
            if _text(cells.get(column)):
                try:
                    fields[key] = _parse_date(cells[column])
                except ValueError as exc:
                    fail(column, str(exc))
        if _text(cells.get("纠纷类别")):
            try:
                fields["domain"] = _choice(_text(cells["纠纷类别"]), DisputeDomain)
            except ValueError as exc:
                fail("纠纷类别", str(exc))
        if _text(cells.get("风险等级")):
            try:
                fields["risk_level"] = _choice(_text(cells["风险等级"]), RiskLevel, _RISK_SYNONYMS)
            except ValueError as exc:
                fail("风险等级", str(exc))
        limits = {"发生地点": 200, "责任人": 50, "包案领导": 50, "关联信访事项编号": 40}
        for column, limit in limits.items():
            if len(_text(cells.get(column))) > limit:
                fail(column, f"超过 {limit} 个字")
        if (
            "found_on" in fields
            and "deadline" in fields
            and fields["deadline"] < fields["found_on"]
        ):
            fail("化解期限", "不能早于排查日期")
        phone = _text(cells.get("联系电话"))
        if phone:
            try:
                phone = normalize_phone(phone)
            except PersonalDataError as exc:
                fail("联系电话", str(exc))
        fields |= {
            "place": _text(cells.get("发生地点")),
            "subject": _text(cells.get("纠纷事项")),
            "parties": _text(cells.get("当事人")),
            "responsible_person": _text(cells.get("责任人")),
            "lead_leader": _text(cells.get("包案领导")),
            "resolution_plan": _text(cells.get("化解方案")),
            "petition_ref": _text(cells.get("关联信访事项编号")),
            "note": _text(cells.get("备注")),
        }
        errors += row_errors
        if not row_errors:
            parsed.append(ParsedRow(number, fields, phone))
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected(["文件中没有数据行"])
    return parsed


@transaction.atomic
def import_disputes(
    *, actor: Any, unit: Any, stream: IO[bytes], round: ScreeningRound | None = None
) -> list[Dispute]:
    """Import a 矛盾纠纷排查化解登记表 into ``unit``'s ledger: all rows or none.

    Imported disputes start as registered; close-out still needs the verified workflow.
    """
    from xinfang.ledgers.services import register_dispute

    rows = parse_dispute_sheet(stream)
    created: list[Dispute] = []
    for parsed in rows:
        try:
            created.append(
                register_dispute(
                    actor=actor,
                    unit=unit,
                    round=round,
                    source=DisputeSource.IMPORT,
                    contact_phone=parsed.phone,
                    **parsed.fields,
                )
            )
        except ValidationError as exc:
            raise ImportRejected([f"第{parsed.row}行：{'；'.join(exc.messages)}"]) from exc
        except XinfangError as exc:
            raise ImportRejected([f"第{parsed.row}行：{exc}"]) from exc
    return created
