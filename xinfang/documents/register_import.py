"""The backlog from the general register (受理事项总登记簿): the platform's own export read back.

An office moving in has years of matters in the register it kept in Excel, in the columns
the platform exports (:data:`~xinfang.documents.register.COLUMNS`), so a register exported
here imports into another database of the same organisation and exports again equal
(apart from 登记编号 and the query codes, which are new; the old number is kept as the
matter's 来源编号).

:func:`read_register` reads and checks every row on its own (dates, choices, units within
the importer's subtree, the order of the dates, what the state needs); every problem names
sheet, row and column and refuses the whole file. :func:`import_register` then enters each
matter through the real services and steps — :func:`~xinfang.petitions.services.register_petition`
(personal data sealed as on any registration, the same-matter check flagging candidates
against what is already there: flagged, not refused), then route, accept, extend, start
handling, answer, close or not-accept, each with its real date (``occurred_on``) and the
reason :data:`~xinfang.petitions.workflow.backlog.IMPORT_REASON` — so timeline, audit
trail and due dates are what they would have been. All of it is one transaction: a step a
rule of law refuses (a closing that needs the petitioner's rating first, say) is reported
with its row and nothing is imported. A dry run does the same work and rolls it back.

What the register cannot carry and how it is entered (docs/deployment.md "Importing the
general register"):

- phones as exported are masked (``139****0001``): a masked phone is kept as the masked
  display only (no ciphertext, no digest: the number is unknown); a full number is
  sealed like any registration's;
- the written opinion's facts, reasons and basis are not in the register: the answer
  records "见纸质案卷" with the outcome;
- a suggestion's adoption (条例 Art. 29) is read from the outcome: 予以支持 → 采纳,
  otherwise 未采纳;
- the dates of an extension, of starting the handling and of closing are not columns:
  they are entered on the acceptance day (extension, handling) and the answer day
  (closing); a matter in handling gets the responsible unit's first handler;
- matters handed down (上级转送/交办) name the registering unit's parent as the body
  that handed them down;
- the petitioner's own acts (回访评价, 复查复核, 终结) are never entered by staff (issue 10):
  rows that carry them are refused with the rule.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.calendar import held_calendar
from xinfang.core.errors import (
    OfficeZipRejected,
    PersonalDataError,
    TransitionNotAllowed,
    XinfangError,
)
from xinfang.core.models import AuditAction
from xinfang.core.office_zip import check_office_zip
from xinfang.core.personal_data import digest_for, normalize_phone
from xinfang.documents.errors import RegisterImportInvalid
from xinfang.documents.register import COLUMNS
from xinfang.org.access import can, roles_for
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.petitions.choices import (
    Channel,
    Kind,
    Outcome,
    PetitionerRole,
    Status,
    SuggestionOutcome,
)
from xinfang.petitions.confidentiality import CONFIDENTIAL_LABEL
from xinfang.petitions.linking import LOOKBACK_DAYS, CandidateIndex, area_root_of
from xinfang.petitions.models import MatterType, Petition, Petitioner, SameMatterCandidate
from xinfang.petitions.services import PetitionerData, extend_handling, register_petition
from xinfang.petitions.workflow import transition
from xinfang.petitions.workflow.backlog import IMPORT_ACTION, IMPORT_REASON, BacklogImport

__all__ = [
    "SHEET",
    "SUPPORTED_STATES",
    "ImportResult",
    "RegisterRow",
    "import_register",
    "read_register",
]

SHEET = "受理事项总登记簿"
PAPER_FILE = "见纸质案卷（据总登记簿导入）"
ONLINE_REGISTRAR = "网上提交"
SEPARATORS = re.compile(r"[、，，；；]+")
MASKED_PHONE = re.compile(r"^\d{3}\*+\d{4}$")
CHUNK = 200
MAX_FILE = 200 * 1024 * 1024  # 100,000 rows of the register are about 6.3 MB
# The register's sheet unpacks to about 11 times the file (100,000 rows: 72 MB), more than
# an attachment may; the ratio limit of core.office_zip still catches a zip bomb.
MAX_UNPACKED = 2 * 1024 * 1024 * 1024

S = Status
SUPPORTED_STATES = (
    S.REGISTERED,
    S.ROUTED,
    S.ACCEPTED,
    S.IN_HANDLING,
    S.ANSWERED,
    S.CLOSED,
    S.NOT_ACCEPTED,
)
_ACCEPTED_OR_LATER = {S.ACCEPTED, S.IN_HANDLING, S.ANSWERED, S.CLOSED}
_ANSWERED_OR_LATER = {S.ANSWERED, S.CLOSED}
_PETITIONER_ACTS = {
    "回访评价": "回访评价是信访人本人的评价（《信访工作条例》第二十一条）",
    "复查复核": "复查、复核申请是信访人本人的申请（《信访工作条例》第三十五条、第三十六条）",
    "终结": "复核终结须经信访人本人申请复核（《信访工作条例》第三十六条）",
}
# Columns the platform computes from the dates (the import checks nothing against them).
DERIVED = ("序号", "登记编号", "告知期限", "办理期限", "是否超期")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class RegisterRow:
    """One checked row of the register (values resolved to codes and units)."""

    row: int
    number: str
    received_on: date
    channel: str
    head_count: int | None
    names: tuple[str, ...]
    phones: tuple[str, ...]
    kind: str
    matter_type: MatterType | None
    place: str
    summary: str
    accused_unit: Unit | None
    accused_person: str
    registering_unit: Unit
    registrar: User | None
    online: bool
    responsible_unit: Unit
    routed_on: date | None
    accepted_on: date | None
    extension_days: int | None
    answered_on: date | None
    outcome: str
    status: str


@dataclass
class RegisterFile:
    rows: list[RegisterRow]
    sha256: str


@dataclass
class ImportResult:
    """What an import did (or, dry, would do)."""

    rows: int
    dry_run: bool
    sha256: str
    states: dict[str, int] = field(default_factory=dict)
    flags: list[dict[str, Any]] = field(default_factory=list)  # same-matter candidates
    numbers: dict[str, str] = field(default_factory=dict)  # register number -> new number

    def summary(self) -> str:
        states = ",".join(f"{Status(k).label} {v}" for k, v in sorted(self.states.items()))
        return f"共 {self.rows} 件（{states}）；疑似同一事项 {len(self.flags)} 件"


def _where(row: int, column: str) -> str:
    return f"「{SHEET}」表第 {row} 行「{column}」列"


def _labels(choices: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in choices.choices:
        found[str(label)] = str(value)
        found[str(value)] = str(value)
    return found


CHANNELS = _labels(Channel)
KINDS = _labels(Kind)
OUTCOMES = _labels(Outcome)
STATES = _labels(Status)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _date(value: Any) -> date | None:
    """A cell as a date: a date cell, or text such as 2026-03-02, 2026/3/2, 2026年3月2日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_TEXT.match(_text(value))
    if not match:
        raise ValueError("日期格式不正确，应为“2026-03-02”")
    return date(int(match[1]), int(match[2]), int(match[3]))


def _number(value: Any, low: int, high: int) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"应为 {low} 到 {high} 之间的整数")
    return int(text)


class _Lookups:
    """Units within the importer's subtree by name, other units, matter types, staff."""

    def __init__(self, top: Unit) -> None:
        self.top = top
        self.inside: dict[str, list[Unit]] = {}
        self.anywhere: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(is_active=True).order_by("pk"):
            self.anywhere.setdefault(unit.name, []).append(unit)
            if unit.path.startswith(top.path):
                self.inside.setdefault(unit.name, []).append(unit)
        self.types: dict[str, MatterType | None] = {}
        for mt in MatterType.objects.select_related("parent"):
            if mt.parent is not None:
                self.types[f"{mt.parent.name} / {mt.name}"] = mt
            key = mt.name
            self.types[key] = None if key in self.types else mt  # a bare name twice: ambiguous
        self.staff: dict[str, list[User]] = {}
        for user in User.objects.filter(unit__path__startswith=top.path, is_active=True):
            for key in {user.full_name, user.username} - {""}:
                self.staff.setdefault(key, []).append(user)

    def unit(self, name: str) -> Unit:
        found = self.inside.get(name, [])
        if not found:
            if name in self.anywhere:
                raise ValueError(f"“{name}”不在{self.top.name}之内，不能导入到该单位")
            raise ValueError(f"系统中没有名为“{name}”的单位（请先导入组织机构）")
        if len(found) > 1:
            raise ValueError(f"{self.top.name}之内有 {len(found)} 个名为“{name}”的单位，无法确定")
        return found[0]


def _header(first: tuple[Any, ...], problems: list[str]) -> dict[str, int]:
    names = [_text(v) for v in first]
    index = {name: i for i, name in enumerate(names) if name}
    missing = [c for c in COLUMNS if c not in index and c not in DERIVED]
    if missing:
        problems.append(
            f"「{SHEET}」表第 1 行缺少列：{'、'.join(missing)}（请使用平台导出的总登记簿格式）"
        )
    return index


def _check_row(
    n: int, cells: tuple[Any, ...], index: dict[str, int], look: _Lookups, today: date
) -> tuple[RegisterRow | None, list[str]]:
    problems: list[str] = []

    def cell(column: str) -> Any:
        i = index.get(column)
        return cells[i] if i is not None and i < len(cells) else None

    def take(column: str, read: Callable[[Any], Any], default: Any = None) -> Any:
        try:
            return read(cell(column))
        except ValueError as exc:
            problems.append(f"{_where(n, column)}：{exc}")
            return default

    def required(column: str) -> str:
        text = _text(cell(column))
        if not text:
            problems.append(f"{_where(n, column)}：不能为空")
        return text

    def choice(column: str, table: dict[str, str]) -> str:
        text = required(column)
        if text and text not in table:
            labels = "、".join(dict.fromkeys(k for k in table if not k.isascii()))
            problems.append(f"{_where(n, column)}：“{text}”不是可选的值（{labels}）")
            return ""
        return table.get(text, "")

    received_on = take("收到日期", _date)
    if received_on is None and not any(p.startswith(_where(n, "收到日期")) for p in problems):
        problems.append(f"{_where(n, '收到日期')}：不能为空")
    channel = choice("信访形式", CHANNELS)
    kind = choice("信访类别", KINDS)
    head_count = take("来访人数", lambda v: _number(v, 1, 100000))
    names = tuple(x.strip() for x in SEPARATORS.split(required("信访人")) if x.strip())
    if CONFIDENTIAL_LABEL in names:
        problems.append(
            f"{_where(n, '信访人')}：保密信访人的身份未导出，无法导入"
            "（请由有权查看的登记或办理人员导出登记簿）"
        )
    phones: list[str] = []
    for raw in SEPARATORS.split(_text(cell("联系电话"))):
        raw = raw.strip()
        if not raw:
            continue
        if MASKED_PHONE.match(raw):
            phones.append(raw)
            continue
        try:
            phones.append(normalize_phone(raw))
        except PersonalDataError as exc:
            problems.append(f"{_where(n, '联系电话')}：{exc}")
    if len(phones) > len(names):
        problems.append(f"{_where(n, '联系电话')}：电话比信访人多，无法对应")
    matter_type = None
    type_text = _text(cell("事项分类"))
    if type_text:
        matter_type = look.types.get(type_text)
        if matter_type is None:
            problems.append(f"{_where(n, '事项分类')}：没有“{type_text}”这一事项分类")
    summary = required("内容摘要")
    accused_text = _text(cell("被反映单位"))
    accused_unit = None
    if accused_text:
        found = look.anywhere.get(accused_text, [])
        if len(found) > 1:
            problems.append(
                f"{_where(n, '被反映单位')}：有 {len(found)} 个名为“{accused_text}”的单位，无法确定"
            )
        accused_unit = found[0] if len(found) == 1 else None

    def unit_of(column: str) -> Unit | None:
        name = required(column)
        if not name:
            return None
        try:
            return look.unit(name)
        except ValueError as exc:
            problems.append(f"{_where(n, column)}：{exc}")
            return None

    registering = unit_of("登记单位")
    responsible = unit_of("责任单位")
    registrar_text = _text(cell("登记人"))
    online = registrar_text == ONLINE_REGISTRAR
    registrar = None
    if registrar_text and not online:
        matches = look.staff.get(registrar_text, [])
        registrar = matches[0] if len(matches) == 1 else None
    if online and channel and channel != Channel.ONLINE:
        problems.append(f"{_where(n, '登记人')}：“网上提交”的事项，信访形式应为网上信访")
    routed_on = take("转送交办日期", _date)
    accepted_on = take("受理日期", _date)
    extension_days = take("延期天数", lambda v: _number(v, 1, 30))
    answered_on = take("答复日期", _date)
    outcome_text = _text(cell("处理结果"))
    outcome = ""
    if outcome_text:
        outcome = OUTCOMES.get(outcome_text, "")
        if not outcome:
            problems.append(
                f"{_where(n, '处理结果')}：“{outcome_text}”不是可选的值"
                "（予以支持、解释说明、不予支持）"
            )
    for column, why in _PETITIONER_ACTS.items():
        if _text(cell(column)):
            problems.append(f"{_where(n, column)}：{why}，不能据登记簿由工作人员补录")
    status = choice("当前状态", STATES)
    if status and status not in SUPPORTED_STATES:
        labels = "、".join(str(Status(s).label) for s in SUPPORTED_STATES)
        problems.append(
            f"{_where(n, '当前状态')}：“{Status(status).label}”的事项不能导入（可导入：{labels}）"
        )
    # What the state needs, and the dates in their order.
    dated = [
        ("收到日期", received_on),
        ("转送交办日期", routed_on),
        ("受理日期", accepted_on),
        ("答复日期", answered_on),
    ]
    for column, day in dated:
        if day is not None and day > today:
            problems.append(f"{_where(n, column)}：日期不能晚于今天")
    known = [(c, d) for c, d in dated if d is not None]
    for (c1, d1), (c2, d2) in pairwise(known):
        if d2 < d1:
            problems.append(f"{_where(n, c2)}：不能早于{c1}（{d1}）")
    if registering and responsible and status:
        moved = responsible.pk != registering.pk
        if moved and routed_on is None:
            problems.append(
                f"{_where(n, '转送交办日期')}：责任单位不是登记单位，须填写转送交办日期"
            )
        if not moved and routed_on is not None:
            problems.append(
                f"{_where(n, '转送交办日期')}：责任单位就是登记单位，不应有转送交办日期"
            )
        if status == S.REGISTERED and moved:
            problems.append(f"{_where(n, '当前状态')}：已转交其他单位的事项，状态不应为“已登记”")
        if status == S.ROUTED and not moved:
            problems.append(f"{_where(n, '当前状态')}：状态为“已转送/交办”须有转送的责任单位")
    if status in _ACCEPTED_OR_LATER and accepted_on is None:
        problems.append(f"{_where(n, '受理日期')}：“{Status(status).label}”的事项须填写受理日期")
    if status and status not in _ACCEPTED_OR_LATER and accepted_on is not None:
        problems.append(f"{_where(n, '受理日期')}：“{Status(status).label}”的事项不应有受理日期")
    if status in _ANSWERED_OR_LATER:
        if answered_on is None:
            problems.append(
                f"{_where(n, '答复日期')}：“{Status(status).label}”的事项须填写答复日期"
            )
        if not outcome and not outcome_text:
            problems.append(
                f"{_where(n, '处理结果')}：“{Status(status).label}”的事项须填写处理结果"
            )
    elif status and (answered_on is not None or outcome_text):
        problems.append(f"{_where(n, '答复日期')}：尚未答复的事项不应有答复日期或处理结果")
    if extension_days and status not in _ACCEPTED_OR_LATER:
        problems.append(f"{_where(n, '延期天数')}：未受理的事项不能延期")
    if problems or received_on is None or registering is None or responsible is None:
        return None, problems
    return (
        RegisterRow(
            row=n,
            number=_text(cell("登记编号")),
            received_on=received_on,
            channel=channel,
            head_count=head_count,
            names=names,
            phones=tuple(phones),
            kind=kind,
            matter_type=matter_type,
            place=_text(cell("问题属地")),
            summary=summary,
            accused_unit=accused_unit,
            accused_person="" if accused_unit else accused_text,
            registering_unit=registering,
            registrar=registrar,
            online=online,
            responsible_unit=responsible,
            routed_on=routed_on,
            accepted_on=accepted_on,
            extension_days=extension_days,
            answered_on=answered_on,
            outcome=outcome,
            status=status,
        ),
        [],
    )


def read_register(
    source: BinaryIO | bytes, *, unit: Unit, progress: Progress | None = None
) -> RegisterFile:
    """Read and check every row of the register; raises :class:`RegisterImportInvalid`
    with every problem found (sheet, row, column), or returns the checked rows."""
    from openpyxl import load_workbook

    data = source if isinstance(source, bytes) else source.read()
    if len(data) > MAX_FILE:
        raise RegisterImportInvalid([f"文件过大：总登记簿不得超过 {MAX_FILE // (1024 * 1024)} MB"])
    try:
        # A workbook is a zip: checked from its directory as an attachment is, before
        # anything unpacks it (a zip bomb, a macro project, a script inside).
        check_office_zip(io.BytesIO(data), len(data), max_unpacked=MAX_UNPACKED)
    except OfficeZipRejected as exc:
        raise RegisterImportInvalid([f"无法读取文件：{exc}"]) from exc
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise RegisterImportInvalid(
            [f"无法读取文件：不是有效的 Excel（.xlsx）工作簿（{type(exc).__name__}）"]
        ) from exc
    problems: list[str] = []
    rows: list[RegisterRow] = []
    try:
        if SHEET not in book.sheetnames:
            raise RegisterImportInvalid([f"工作簿中没有「{SHEET}」表（请使用平台导出的总登记簿）"])
        sheet = book[SHEET]
        total = max((sheet.max_row or 1) - 1, 0)
        lines = sheet.iter_rows(values_only=True)
        index = _header(next(lines, ()), problems)
        if problems:
            raise RegisterImportInvalid(problems)
        look = _Lookups(unit)
        today = timezone.localdate()
        for n, cells in enumerate(lines, start=2):
            if not any(v not in (None, "") for v in cells):
                continue
            row, found = _check_row(n, cells, index, look, today)
            problems.extend(found)
            if row is not None:
                rows.append(row)
            if progress is not None and (n - 1) % CHUNK == 0:
                progress(n - 1, total, "check")
    finally:
        book.close()
    if problems:
        raise RegisterImportInvalid(problems)
    if not rows:
        raise RegisterImportInvalid([f"「{SHEET}」表没有可导入的事项"])
    return RegisterFile(rows=rows, sha256=hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------------------------------
# Entering the matters: the real services and steps, with the real dates


class _Handlers:
    """The first handler of each responsible unit (for matters imported "in handling")."""

    def __init__(self) -> None:
        self.found: dict[int, User | None] = {}

    def of(self, unit: Unit) -> User | None:
        if unit.pk not in self.found:
            grant = (
                RoleGrant.objects.select_related("user")
                .filter(unit=unit, role__in=roles_for("handle"), user__is_active=True)
                .order_by("user_id")
                .first()
            )
            self.found[unit.pk] = grant.user if grant else None
        return self.found[unit.pk]


def _people(row: RegisterRow) -> tuple[list[PetitionerData], list[tuple[int, str]]]:
    """The petitioners (first the petitioner, then co-signers or, on a collective visit,
    representatives), and the masked phones to keep as display only (by position)."""
    people: list[PetitionerData] = []
    masked: list[tuple[int, str]] = []
    other = (
        PetitionerRole.REPRESENTATIVE
        if row.channel == Channel.COLLECTIVE_VISIT
        else PetitionerRole.COSIGNER
    )
    for i, name in enumerate(row.names):
        phone = row.phones[i] if i < len(row.phones) else ""
        if MASKED_PHONE.match(phone):
            masked.append((i, phone))
            phone = ""
        people.append(
            PetitionerData(name=name, phone=phone, role=PetitionerRole.PRIMARY if i == 0 else other)
        )
    return people, masked


def _enter(
    row: RegisterRow,
    *,
    actor: User,
    backlog: BacklogImport,
    handlers: _Handlers,
    index: CandidateIndex,
) -> tuple[Petition, list[SameMatterCandidate]]:
    """Register one matter and take its steps with their real dates; returns the matter
    and its same-matter proposals (searched in ``index``, stored at the end)."""
    people, masked = _people(row)
    handed_down = (
        row.registering_unit.parent
        if row.channel in (Channel.FORWARDED, Channel.ASSIGNED)
        else None
    )
    if row.channel in (Channel.FORWARDED, Channel.ASSIGNED) and handed_down is None:
        raise _RowError("信访形式", "上级转送、交办的事项须有上级机关，该登记单位没有上级单位")
    backlog.check_units(actor, [row.registering_unit, row.responsible_unit])
    try:
        registration = register_petition(
            actor=actor,
            registering_unit=row.registering_unit,
            channel=row.channel,
            kind=row.kind,
            summary=row.summary,
            petitioners=people,
            received_on=row.received_on,
            matter_type=row.matter_type,
            place=row.place,
            head_count=row.head_count,
            accused_unit=row.accused_unit,
            accused_person=row.accused_person,
            handed_down_by=handed_down,
            source_reference=row.number,
            propose_matches=False,  # searched below in the index, stored in bulk
        )
    except XinfangError as exc:
        raise _RowError("内容摘要", str(exc)) from exc
    p: Petition = registration.petition
    registrar = None if row.online else (row.registrar or actor)
    # The same-matter search now, as on registration; the proposals are stored with the
    # next batch, except those after a final re-review (the acceptance below must see
    # them, Art. 36).
    digests = [("", digest_for("phone", person.phone) if person.phone else "") for person in people]
    found = index.propose(p, digests, area_root_of(row.registering_unit))
    urgent = [c for c in found if c.after_final]
    if urgent:
        SameMatterCandidate.objects.bulk_create(urgent, ignore_conflicts=True)
    if masked:
        ids = list(
            Petitioner.objects.filter(petition=p).order_by("pk").values_list("pk", flat=True)
        )
        for i, shown in masked:
            Petitioner.objects.filter(pk=ids[i]).update(phone_masked=shown)

    def search() -> tuple[Petition, list[SameMatterCandidate]]:
        # Written with the proposals at the end (no step reads them; set here, after any
        # refresh of the matter): the registrar of the register and the segmented summary.
        p.registrar = registrar
        p.summary_tokens = index.tokens[p.pk]
        return p, found

    def step(column: str, to: str, on: date, **fields: Any) -> None:
        nonlocal p
        try:
            p = transition(
                p,
                to,
                actor=actor,
                backlog=backlog,
                occurred_on=on,
                occurred_reason=backlog.reason,
                **fields,
            )
        except XinfangError as exc:
            raise _RowError(column, str(exc)) from exc

    if row.routed_on is not None:
        step("责任单位", S.ROUTED, row.routed_on, to_unit=row.responsible_unit.pk)
    if row.status == S.NOT_ACCEPTED:
        step("当前状态", S.NOT_ACCEPTED, row.routed_on or row.received_on, reason=backlog.reason)
        return search()
    if row.accepted_on is None:
        return search()
    step("受理日期", S.ACCEPTED, row.accepted_on)
    if row.extension_days:
        try:
            extend_handling(
                p,
                actor=actor,
                days=row.extension_days,
                reason=backlog.reason,
                occurred_on=row.accepted_on,
                occurred_reason=backlog.reason,
                backlog=backlog,
            )
        except XinfangError as exc:
            raise _RowError("延期天数", str(exc)) from exc
        p.refresh_from_db()
    if row.status == S.IN_HANDLING:
        handler = handlers.of(row.responsible_unit)
        if handler is None:
            raise _RowError(
                "责任单位",
                f"{row.responsible_unit.name}没有有办理权限的工作人员，无法导入“办理中”的事项",
            )
        step("当前状态", S.IN_HANDLING, row.accepted_on, handler=handler.pk)
    if row.answered_on is None:
        return search()
    answer: dict[str, Any] = {
        "outcome": row.outcome,
        "facts": PAPER_FILE,
        "reasons": PAPER_FILE,
        "legal_basis": PAPER_FILE,
    }
    if row.kind == Kind.SUGGESTION:
        answer["suggestion_outcome"] = (
            SuggestionOutcome.ADOPTED
            if row.outcome == Outcome.SUPPORT
            else SuggestionOutcome.NOT_ADOPTED
        )
    step("答复日期", S.ANSWERED, row.answered_on, **answer)
    if row.status == S.CLOSED:
        step("当前状态", S.CLOSED, row.answered_on)
    return search()


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(message)


def import_register(
    source: BinaryIO | bytes,
    *,
    actor: User,
    unit: Unit,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the whole register, then enter every matter in one transaction (rolled back
    on any refused row, and always on a dry run). Raises :class:`RegisterImportInvalid`
    (every problem, nothing imported) or ``TransitionNotAllowed`` (no "import_register"
    over ``unit``)."""
    if not can(actor, IMPORT_ACTION, unit.path):
        raise TransitionNotAllowed(f"您没有向{unit.name}导入登记簿的权限")
    checked = read_register(source, unit=unit, progress=progress)
    with transaction.atomic():
        result = _apply(checked, actor=actor, unit=unit, dry_run=dry_run, progress=progress)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _apply(
    checked: RegisterFile, *, actor: User, unit: Unit, dry_run: bool, progress: Progress | None
) -> ImportResult:
    """Enter every row (a savepoint each, so one attempt lists every refused row), with
    the calendar loaded once, the audit entries appended in batches of ``CHUNK`` rows (the
    same chain, in the order the steps were taken) and the same-matter search over an
    index of what is already there (each matter then joins it, as one registration at a
    time would have found it); proposals and segmented summaries are written in the same
    batches. All of it inside the caller's one transaction."""
    backlog = BacklogImport(IMPORT_REASON)
    handlers = _Handlers()
    result = ImportResult(rows=len(checked.rows), dry_run=dry_run, sha256=checked.sha256)
    problems: list[str] = []
    states: Counter[str] = Counter()
    total = len(checked.rows)
    roots = {area_root_of(row.registering_unit) for row in checked.rows}
    since = min(row.received_on for row in checked.rows) - timedelta(days=LOOKBACK_DAYS)
    index = CandidateIndex(roots, since)
    index.know_people(
        {
            digest_for("phone", phone)
            for row in checked.rows
            for phone in row.phones
            if not MASKED_PHONE.match(phone)
        }
    )
    imported: list[Petition] = []
    with held_calendar(), audit.deferred(actor=actor) as pending:
        for done, row in enumerate(checked.rows, start=1):
            if done % CHUNK == 1 and done > 1:
                # Memory stays bounded: what the rows so far carry goes to the database
                # (the same transaction: all or nothing still).
                index.flush(imported, fields=("registrar",))
                imported = []
                pending.flush()
            mark = len(pending)
            try:
                with transaction.atomic():  # a savepoint: a refused row is reported, the rest go on
                    p, candidates = _enter(
                        row, actor=actor, backlog=backlog, handlers=handlers, index=index
                    )
            except _RowError as exc:
                pending.forget_from(mark)  # its audit entries went with its savepoint
                problems.append(f"{_where(row.row, exc.column)}：{exc.message}")
                continue
            imported.append(p)
            index.proposals.extend(c for c in candidates if not c.after_final)
            states[row.status] += 1
            if row.number:
                result.numbers[row.number] = p.number or ""
            if candidates:
                result.flags.append(
                    {
                        "row": row.row,
                        "number": p.number,
                        "summary": row.summary[:60],
                        "candidates": [index.number(c.candidate_id) for c in candidates],
                    }
                )
            if progress is not None and (done % CHUNK == 0 or done == total):
                progress(done, total, "import")
        if problems:
            raise RegisterImportInvalid(problems)
        index.flush(imported, fields=("registrar",))
        result.states = dict(states)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="petitions.register_import",
            object_id=checked.sha256[:16],
            detail={
                "document": SHEET,
                "unit": unit.admin_code or unit.name,
                "rows": result.rows,
                "states": result.states,
                "flags": len(result.flags),
                "sha256": checked.sha256,
                "dry_run": dry_run,
            },
        )
    return result
