"""The organisation from one workbook: units (sheet 单位) and staff (sheet 人员).

An office moving in has its tree and its staff in Excel. :func:`read_workbook` reads the
two sheets, :func:`plan_import` checks every row against the file and the database and
says what would change, :func:`apply_plan` writes it in one transaction. Any problem —
named by sheet, row and column — refuses the whole file: nothing is imported.

Units are matched by 编码 (``Unit.admin_code``), accounts by 用户名, so importing the
same file again changes nothing and a changed file updates what changed: names, levels,
flags, a new 上级编码 (the unit moves with its whole subtree, ``Unit.save``), a person's
unit, phone and roles (the roles listed are the person's roles on the listed unit).

New accounts get no password: each gets a one-time activation link
(``org.activation``), returned once for the administrator's printed list; a shared
initial password would let anyone who saw the list sign in as anyone on it. Every
created, changed or revoked row is audited, in bulk (``audit.record_many``).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.errors import OfficeZipRejected, PersonalDataError
from xinfang.core.models import AuditAction
from xinfang.core.office_zip import check_office_zip
from xinfang.core.personal_data import digest_for, normalize_phone
from xinfang.core.punctuation import loose
from xinfang.org import services
from xinfang.org.access import can
from xinfang.org.activation import activation_path
from xinfang.org.choices import AccountKind, Role, UnitLevel
from xinfang.org.errors import OrgImportInvalid
from xinfang.org.models import RoleGrant, Unit, User

UNIT_SHEET = "单位"
STAFF_SHEET = "人员"
UNIT_COLUMNS = ("编码", "名称", "层级", "上级编码", "考评类别", "信访工作机构", "纪检监察机关")
STAFF_COLUMNS = ("用户名", "姓名", "手机号", "单位编码", "角色")
ROLE_SEPARATORS = re.compile(r"[、,,;;\s]+")
YES, NO = "是", "否"
CHUNK = 500

Progress = Callable[[int, int, str], None]


def _by_label_or_code(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Label or code → code; labels in either width of punctuation (``县(区)``, ``县（区）``)."""
    found: dict[str, str] = {}
    for code, label in choices:
        found[loose(str(label))] = code
        found[code] = code
    return found


LEVELS = _by_label_or_code(UnitLevel.choices)
ROLES = _by_label_or_code(Role.choices)


@dataclass(frozen=True)
class UnitRow:
    row: int
    code: str
    name: str
    level: str
    parent_code: str
    category: str
    is_petition_office: bool
    is_discipline_body: bool


@dataclass(frozen=True)
class StaffRow:
    row: int
    username: str
    full_name: str
    phone: str
    unit_code: str
    roles: tuple[str, ...]


@dataclass
class OrgWorkbook:
    units: list[UnitRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    sha256: str = ""


@dataclass
class Activation:
    """One line of the administrator's one-time list."""

    username: str
    full_name: str
    unit: str
    path: str


@dataclass
class ImportPlan:
    book: OrgWorkbook
    new_units: list[UnitRow] = field(default_factory=list)
    changed_units: list[tuple[UnitRow, int]] = field(default_factory=list)
    moved_units: list[tuple[UnitRow, int]] = field(default_factory=list)
    new_staff: list[StaffRow] = field(default_factory=list)
    changed_staff: list[tuple[StaffRow, int]] = field(default_factory=list)
    grant_changes: int = 0
    # Accounts whose unit changes: the unit they leave (its grants are theirs no longer).
    previous_units: dict[int, int | None] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return (
            len(self.new_units)
            + len(self.changed_units)
            + len(self.moved_units)
            + len(self.new_staff)
            + len(self.changed_staff)
            + self.grant_changes
        )

    def summary(self) -> dict[str, int]:
        return {
            "单位（新建）": len(self.new_units),
            "单位（修改）": len(self.changed_units),
            "单位（移动）": len(self.moved_units),
            "人员（新建）": len(self.new_staff),
            "人员（修改）": len(self.changed_staff),
            "角色授权（增减）": self.grant_changes,
        }


@dataclass
class ImportResult:
    plan: ImportPlan
    activations: list[Activation] = field(default_factory=list)


def _where(sheet: str, row: int, column: str) -> str:
    return f"「{sheet}」表第 {row} 行「{column}」列"


def _text(value: Any) -> str:
    # Codes and phone numbers typed into Excel as numbers come back as int or float.
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------------------------------
# Reading


def _sheet_rows(
    workbook: Any, sheet: str, columns: tuple[str, ...], problems: list[str]
) -> list[tuple[int, dict[str, str]]]:
    if sheet not in workbook.sheetnames:
        problems.append(f"缺少工作表「{sheet}」（应有「{UNIT_SHEET}」和「{STAFF_SHEET}」两张表）")
        return []
    rows = workbook[sheet].iter_rows(values_only=True)
    header = [_text(cell) for cell in next(rows, ())]
    index: dict[str, int] = {}
    for column in columns:
        if column in header:
            index[column] = header.index(column)
        else:
            problems.append(f"{_where(sheet, 1, column)}：表头缺少此列")
    if len(index) < len(columns):
        return []
    found = []
    for number, values in enumerate(rows, start=2):
        cells = {c: _text(values[i]) if i < len(values) else "" for c, i in index.items()}
        if any(cells.values()):
            found.append((number, cells))
    return found


def _flag(sheet: str, row: int, column: str, raw: str, problems: list[str]) -> bool:
    if raw in ("", NO):
        return False
    if raw == YES:
        return True
    problems.append(f"{_where(sheet, row, column)}：应填“是”或“否”，不是“{raw}”")
    return False


def _required(sheet: str, row: int, column: str, raw: str, limit: int, problems: list[str]) -> str:
    if not raw:
        problems.append(f"{_where(sheet, row, column)}：不能为空")
    elif len(raw) > limit:
        problems.append(f"{_where(sheet, row, column)}：不得超过 {limit} 个字符")
    return raw


def _unit_rows(workbook: Any, problems: list[str]) -> list[UnitRow]:
    units: list[UnitRow] = []
    seen: dict[str, int] = {}
    for row, cells in _sheet_rows(workbook, UNIT_SHEET, UNIT_COLUMNS, problems):
        code = _required(UNIT_SHEET, row, "编码", cells["编码"], 20, problems)
        if code and code in seen:
            problems.append(f"{_where(UNIT_SHEET, row, '编码')}：与第 {seen[code]} 行重复")
        seen.setdefault(code, row)
        name = _required(UNIT_SHEET, row, "名称", cells["名称"], 100, problems)
        level = LEVELS.get(loose(cells["层级"]), "")
        if not level:
            allowed = "、".join(str(label) for _c, label in UnitLevel.choices)
            problems.append(
                f"{_where(UNIT_SHEET, row, '层级')}：“{cells['层级']}”不是层级"
                f"（可填 {allowed} 或其代码）"
            )
        if cells["上级编码"] and cells["上级编码"] == code:
            problems.append(f"{_where(UNIT_SHEET, row, '上级编码')}：不能是本单位")
        if len(cells["考评类别"]) > 10:
            problems.append(f"{_where(UNIT_SHEET, row, '考评类别')}：不得超过 10 个字符")
        units.append(
            UnitRow(
                row=row,
                code=code,
                name=name,
                level=level,
                parent_code=cells["上级编码"],
                category=cells["考评类别"],
                is_petition_office=_flag(
                    UNIT_SHEET, row, "信访工作机构", cells["信访工作机构"], problems
                ),
                is_discipline_body=_flag(
                    UNIT_SHEET, row, "纪检监察机关", cells["纪检监察机关"], problems
                ),
            )
        )
    return units


def _staff_rows(workbook: Any, problems: list[str]) -> list[StaffRow]:
    staff: list[StaffRow] = []
    seen: dict[str, int] = {}
    check_username = UnicodeUsernameValidator()
    for row, cells in _sheet_rows(workbook, STAFF_SHEET, STAFF_COLUMNS, problems):
        username = _required(STAFF_SHEET, row, "用户名", cells["用户名"], 150, problems)
        if username:
            try:
                check_username(username)
            except ValidationError:
                problems.append(
                    f"{_where(STAFF_SHEET, row, '用户名')}：只能包含字母、数字和 @ . + - _"
                )
            if username in seen:
                problems.append(
                    f"{_where(STAFF_SHEET, row, '用户名')}：与第 {seen[username]} 行重复"
                )
            seen.setdefault(username, row)
        full_name = _required(STAFF_SHEET, row, "姓名", cells["姓名"], 50, problems)
        phone = cells["手机号"]
        if phone:
            try:
                phone = normalize_phone(phone)
            except PersonalDataError as exc:
                problems.append(f"{_where(STAFF_SHEET, row, '手机号')}：{exc}")
        unit_code = _required(STAFF_SHEET, row, "单位编码", cells["单位编码"], 20, problems)
        roles: list[str] = []
        for part in ROLE_SEPARATORS.split(cells["角色"]):
            if not part:
                continue
            role = ROLES.get(loose(part))
            if role is None:
                problems.append(f"{_where(STAFF_SHEET, row, '角色')}：“{part}”不是平台的角色")
            elif role not in roles:
                roles.append(role)
        staff.append(StaffRow(row, username, full_name, phone, unit_code, tuple(roles)))
    return staff


def read_workbook(source: BinaryIO | bytes) -> OrgWorkbook:
    """Read and check the two sheets on their own; raises :class:`OrgImportInvalid`."""
    from openpyxl import load_workbook

    data = source if isinstance(source, bytes) else source.read()
    limit = settings.XINFANG_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise OrgImportInvalid([f"文件过大：工作簿不得超过 {limit // (1024 * 1024)} MB"])
    try:
        # A workbook is a zip: checked from its directory as an attachment is, before
        # anything unpacks it (a zip bomb, a macro project, a script inside).
        check_office_zip(io.BytesIO(data), len(data))
    except OfficeZipRejected as exc:
        raise OrgImportInvalid([f"无法读取文件：{exc}"]) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise OrgImportInvalid(
            [f"无法读取文件：不是有效的 Excel（.xlsx）工作簿（{type(exc).__name__}）"]
        ) from exc
    problems: list[str] = []
    try:
        units = _unit_rows(workbook, problems)
        staff = _staff_rows(workbook, problems)
    finally:
        workbook.close()
    if problems:
        raise OrgImportInvalid(problems)
    return OrgWorkbook(units=units, staff=staff, sha256=hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------------------------------
# Planning: the file against the database


@dataclass
class _Existing:
    units: dict[str, dict[str, Any]]  # by code
    by_pk: dict[int, dict[str, Any]]
    users: dict[str, dict[str, Any]]  # by username
    grants: dict[int, set[tuple[str, int]]]  # user pk -> {(role, unit pk)}


UNIT_FIELDS = ("name", "level", "category", "is_petition_office", "is_discipline_body")


def _load_existing(book: OrgWorkbook, problems: list[str]) -> _Existing:
    units: dict[str, dict[str, Any]] = {}
    by_pk: dict[int, dict[str, Any]] = {}
    for row in Unit.objects.values("pk", "admin_code", "parent_id", "path", *UNIT_FIELDS):
        by_pk[row["pk"]] = row
        code = row["admin_code"]
        if not code:
            continue
        if code in units:
            problems.append(f"系统中有两个单位编码都是 {code}，请先在系统管理中更正，再导入")
        units[code] = row
    usernames = [s.username for s in book.staff]
    users: dict[str, dict[str, Any]] = {}
    for start in range(0, len(usernames), CHUNK):
        for user in User.objects.filter(username__in=usernames[start : start + CHUNK]).values(
            "pk", "username", "kind", "full_name", "unit_id", "phone_digest"
        ):
            users[user["username"]] = dict(user)
    grants: dict[int, set[tuple[str, int]]] = {}
    pks = [u["pk"] for u in users.values()]
    for start in range(0, len(pks), CHUNK):
        for user_id, role, unit_id in RoleGrant.objects.filter(
            user_id__in=pks[start : start + CHUNK]
        ).values_list("user_id", "role", "unit_id"):
            grants.setdefault(user_id, set()).add((role, unit_id))
    return _Existing(units, by_pk, users, grants)


def _check_tree(book: OrgWorkbook, existing: _Existing, problems: list[str]) -> None:
    """Every 上级编码 names a unit, and the tree the file makes has no cycle."""
    in_file = {u.code: u for u in book.units}
    for unit in book.units:
        missing = unit.parent_code not in in_file and unit.parent_code not in existing.units
        if unit.parent_code and missing:
            problems.append(
                f"{_where(UNIT_SHEET, unit.row, '上级编码')}："
                f"“{unit.parent_code}”既不在本表，也不是系统中已有单位的编码"
            )

    # The final parent of every node: file units by code, other units as stored.
    def parent_of(node: tuple[str, Any]) -> tuple[str, Any] | None:
        kind, key = node
        if kind == "code":
            parent_code = in_file[key].parent_code
            if not parent_code:
                return None
            if parent_code in in_file:
                return ("code", parent_code)
            stored = existing.units.get(parent_code)
            return ("pk", stored["pk"]) if stored else None
        parent_pk = existing.by_pk[key]["parent_id"]
        if parent_pk is None:
            return None
        code = existing.by_pk[parent_pk]["admin_code"]
        return ("code", code) if code in in_file else ("pk", parent_pk)

    settled: set[tuple[str, Any]] = set()
    for unit in book.units:
        chain: list[tuple[str, Any]] = []
        node: tuple[str, Any] | None = ("code", unit.code)
        while node is not None and node not in settled:
            if node in chain:
                problems.append(
                    f"{_where(UNIT_SHEET, unit.row, '上级编码')}：上下级关系成环"
                    "（单位不能是自己的下级的下级）"
                )
                break
            chain.append(node)
            node = parent_of(node)
        settled.update(chain)


def _parent_pk(unit: UnitRow, existing: _Existing) -> int | None:
    stored = existing.units.get(unit.parent_code)
    return stored["pk"] if stored else None


def plan_import(book: OrgWorkbook, *, actor: Any = None) -> ImportPlan:
    """What importing ``book`` would change; raises :class:`OrgImportInvalid` on any
    problem. ``actor=None`` (the command line) may import anywhere; an administrator only
    within the subtrees they administer."""
    problems: list[str] = []
    existing = _load_existing(book, problems)
    _check_tree(book, existing, problems)
    in_file = {u.code: u for u in book.units}
    plan = ImportPlan(book=book)

    def allowed(path: str) -> bool:
        return actor is None or can(actor, "admin", path)

    for unit in book.units:
        stored = existing.units.get(unit.code)
        if stored is not None and not allowed(stored["path"]):
            problems.append(f"{_where(UNIT_SHEET, unit.row, '编码')}：无权管理单位 {unit.code}")
            continue
        if unit.parent_code in existing.units and not allowed(
            existing.units[unit.parent_code]["path"]
        ):
            problems.append(
                f"{_where(UNIT_SHEET, unit.row, '上级编码')}：无权管理上级单位 {unit.parent_code}"
            )
        top_level = not unit.parent_code and (stored is None or stored["parent_id"] is not None)
        if top_level and actor is not None and not getattr(actor, "is_superuser", False):
            problems.append(
                f"{_where(UNIT_SHEET, unit.row, '上级编码')}：不能为空"
                "（只能在所管理的单位之下新建或移动单位）"
            )
        if stored is None:
            plan.new_units.append(unit)
            continue
        wanted = {f: getattr(unit, f) for f in UNIT_FIELDS}
        if any(stored[f] != v for f, v in wanted.items()):
            plan.changed_units.append((unit, stored["pk"]))
        if unit.parent_code and unit.parent_code not in existing.units:
            plan.moved_units.append((unit, stored["pk"]))  # under a unit new in this file
        elif _parent_pk(unit, existing) != stored["parent_id"]:
            plan.moved_units.append((unit, stored["pk"]))

    for person in book.staff:
        if person.unit_code not in in_file and person.unit_code not in existing.units:
            problems.append(
                f"{_where(STAFF_SHEET, person.row, '单位编码')}："
                f"“{person.unit_code}”既不在「{UNIT_SHEET}」表，也不是系统中已有单位的编码"
            )
            continue
        if person.unit_code in existing.units and not allowed(
            existing.units[person.unit_code]["path"]
        ):
            problems.append(
                f"{_where(STAFF_SHEET, person.row, '单位编码')}：无权管理单位 {person.unit_code}"
            )
            continue
        stored_user = existing.users.get(person.username)
        if stored_user is None:
            plan.new_staff.append(person)
            plan.grant_changes += len(person.roles)
            continue
        if stored_user["kind"] != AccountKind.STAFF:
            problems.append(
                f"{_where(STAFF_SHEET, person.row, '用户名')}：该用户名已被群众账号使用"
            )
            continue
        current_unit = existing.by_pk.get(stored_user["unit_id"] or 0)
        if current_unit is not None and not allowed(current_unit["path"]):
            problems.append(
                f"{_where(STAFF_SHEET, person.row, '用户名')}：{person.username} 属于无权管理的单位"
            )
            continue
        unit_pk = (
            existing.units[person.unit_code]["pk"] if person.unit_code in existing.units else None
        )
        phone_digest = digest_for("phone", person.phone) if person.phone else ""
        if (
            stored_user["full_name"] != person.full_name
            or unit_pk is None
            or stored_user["unit_id"] != unit_pk
            or stored_user["phone_digest"] != phone_digest
        ):
            plan.changed_staff.append((person, stored_user["pk"]))
            plan.previous_units[stored_user["pk"]] = stored_user["unit_id"]
        held = existing.grants.get(stored_user["pk"], set())
        wanted_grants = {(r, unit_pk) for r in person.roles} if unit_pk else set()
        revoked = {
            g for g in held if g[1] in (unit_pk, stored_user["unit_id"]) and g not in wanted_grants
        }
        plan.grant_changes += len(wanted_grants - held) + len(revoked)
        if unit_pk is None:
            plan.grant_changes += len(person.roles)

    if problems:
        raise OrgImportInvalid(problems)
    return plan


# ---------------------------------------------------------------------------------------
# Applying


@transaction.atomic
def apply_plan(plan: ImportPlan, *, actor: Any, progress: Progress | None = None) -> ImportResult:
    """Write the plan (checked again inside the transaction: the database may have moved
    since the preview). Returns the one-time activation list of the new accounts."""
    plan = plan_import(plan.book, actor=actor if getattr(actor, "pk", None) else None)
    total = max(plan.changes, 1)
    done = 0

    def step(n: int, phase: str) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, total), total, phase)

    codes: dict[str, tuple[int, str]] = {
        code: (pk, path)
        for pk, code, path in Unit.objects.exclude(admin_code="").values_list(
            "pk", "admin_code", "path"
        )
    }
    trail: list[dict[str, Any]] = []

    # New units, top-down in waves: a wave's parents exist already (stored or created).
    waiting = list(plan.new_units)
    while waiting:
        wave = [u for u in waiting if not u.parent_code or u.parent_code in codes]
        if not wave:  # every parent was checked by plan_import; this would be a bug
            raise OrgImportInvalid(
                [f"{_where(UNIT_SHEET, waiting[0].row, '上级编码')}：上级单位无法确定"]
            )
        placed = {u.code for u in wave}
        waiting = [u for u in waiting if u.code not in placed]
        created = Unit.objects.bulk_create(
            [
                Unit(
                    name=u.name,
                    level=u.level,
                    parent_id=codes[u.parent_code][0] if u.parent_code else None,
                    admin_code=u.code,
                    category=u.category,
                    is_petition_office=u.is_petition_office,
                    is_discipline_body=u.is_discipline_body,
                )
                for u in wave
            ],
            batch_size=CHUNK,
        )
        for row, unit in zip(wave, created, strict=True):
            parent_path = codes[row.parent_code][1] if row.parent_code else ""
            unit.path = f"{parent_path}{unit.pk}/"
            unit.depth = unit.path.count("/") - 1
            codes[row.code] = (unit.pk, unit.path)
            trail.append({"action": AuditAction.CREATE, "obj": unit, "after": snapshot(unit)})
        Unit.objects.bulk_update(created, ["path", "depth"], batch_size=CHUNK)
        step(len(wave), "单位")

    # Changed fields, in bulk, each with its before and after.
    if plan.changed_units:
        stored = Unit.objects.in_bulk([pk for _row, pk in plan.changed_units])
        changed = []
        for row, pk in plan.changed_units:
            unit = stored[pk]
            before = snapshot(unit)
            for name in UNIT_FIELDS:
                setattr(unit, name, getattr(row, name))
            changed.append(unit)
            trail.append(
                {
                    "action": AuditAction.CHANGE,
                    "obj": unit,
                    "before": before,
                    "after": snapshot(unit),
                }
            )
        Unit.objects.bulk_update(changed, list(UNIT_FIELDS), batch_size=CHUNK)
        step(len(changed), "单位")

    # Moves, top-down by the new tree: each rewrites its subtree's paths (Unit.save).
    depth = {u.code: 0 for u in plan.book.units}
    in_file = {u.code: u for u in plan.book.units}
    for code in depth:
        node, hops = in_file[code].parent_code, 0
        while node in in_file and hops <= len(in_file):
            node, hops = in_file[node].parent_code, hops + 1
        depth[code] = hops
    for row, pk in sorted(plan.moved_units, key=lambda item: depth[item[0].code]):
        unit = Unit.objects.get(pk=pk)
        unit.parent_id = codes[row.parent_code][0] if row.parent_code else None
        services.save_unit(actor=actor, unit=unit)
        step(1, "单位")
    codes = {
        code: (pk, path)
        for pk, code, path in Unit.objects.exclude(admin_code="").values_list(
            "pk", "admin_code", "path"
        )
    }

    # Accounts: new ones without a usable password, changed ones in bulk.
    unusable = [make_password(None) for _ in plan.new_staff]
    new_users = []
    for person, password in zip(plan.new_staff, unusable, strict=True):
        user = User(
            username=person.username,
            full_name=person.full_name,
            unit_id=codes[person.unit_code][0],
            kind=AccountKind.STAFF,
            password=password,
        )
        user.phone = person.phone
        new_users.append(user)
    created_users = User.objects.bulk_create(new_users, batch_size=CHUNK)
    for user in created_users:
        trail.append({"action": AuditAction.CREATE, "obj": user, "after": snapshot(user)})
    step(len(created_users), "人员")

    if plan.changed_staff:
        stored_users = User.objects.in_bulk([pk for _p, pk in plan.changed_staff])
        changed_users = []
        for person, pk in plan.changed_staff:
            user = stored_users[pk]
            before = snapshot(user)
            user.full_name = person.full_name
            user.unit_id = codes[person.unit_code][0]
            user.phone = person.phone
            changed_users.append(user)
            trail.append(
                {
                    "action": AuditAction.CHANGE,
                    "obj": user,
                    "before": before,
                    "after": snapshot(user),
                }
            )
        User.objects.bulk_update(
            changed_users,
            ["full_name", "unit", "phone_token", "phone_digest", "phone_masked"],
            batch_size=CHUNK,
        )
        step(len(changed_users), "人员")

    # Grants: the listed roles on the listed unit; roles no longer listed there (or on the
    # unit the person left) are revoked.
    user_rows: dict[str, tuple[int, int | None]] = {}
    names = [p.username for p in plan.book.staff]
    for start in range(0, len(names), CHUNK):
        for pk, username, unit_id in User.objects.filter(
            username__in=names[start : start + CHUNK]
        ).values_list("pk", "username", "unit_id"):
            user_rows[username] = (pk, unit_id)
    previous_units = plan.previous_units
    held: dict[int, dict[tuple[str, int], int]] = {}
    pks = [pk for pk, _u in user_rows.values()]
    for start in range(0, len(pks), CHUNK):
        for grant_pk, user_id, role, unit_id in RoleGrant.objects.filter(
            user_id__in=pks[start : start + CHUNK]
        ).values_list("pk", "user_id", "role", "unit_id"):
            held.setdefault(user_id, {})[(role, unit_id)] = grant_pk
    to_create: list[RoleGrant] = []
    to_revoke: list[tuple[int, int, str, int]] = []
    for person in plan.book.staff:
        user_pk, unit_pk = user_rows[person.username]
        if unit_pk is None:  # every listed person has a unit once the accounts are written
            continue
        wanted = {(role, unit_pk) for role in person.roles}
        current = held.get(user_pk, {})
        managed_units = {unit_pk, previous_units.get(user_pk, unit_pk)}
        for key, grant_pk in current.items():
            if key[1] in managed_units and key not in wanted:
                to_revoke.append((grant_pk, user_pk, key[0], key[1]))
        for role, unit_id in sorted(wanted - set(current)):
            to_create.append(RoleGrant(user_id=user_pk, role=role, unit_id=unit_id))
    for grant_pk, user_pk, role, unit_id in to_revoke:
        trail.append(
            {
                "action": AuditAction.DELETE,
                "object_type": "org.rolegrant",
                "object_id": str(grant_pk),
                "before": {"user": user_pk, "role": role, "unit": unit_id},
            }
        )
    RoleGrant.objects.filter(pk__in=[g[0] for g in to_revoke]).delete()
    created_grants = RoleGrant.objects.bulk_create(to_create, batch_size=CHUNK)
    for grant in created_grants:
        trail.append(
            {
                "action": AuditAction.CREATE,
                "object_type": "org.rolegrant",
                "object_id": str(grant.pk),
                "after": {"user": grant.user_id, "role": grant.role, "unit": grant.unit_id},
            }
        )
    step(len(to_revoke) + len(created_grants), "角色授权")

    if trail:
        trail.append(
            {
                "action": AuditAction.CHANGE,
                "object_type": "org.import",
                "object_id": plan.book.sha256[:16],
                "detail": {"sha256": plan.book.sha256, **plan.summary()},
            }
        )
        audit.record_many(actor=actor, items=trail)
    unit_names = dict(
        Unit.objects.filter(pk__in={u.unit_id for u in created_users}).values_list("pk", "name")
    )
    activations = [
        Activation(u.username, u.full_name, unit_names.get(u.unit_id or 0, ""), activation_path(u))
        for u in created_users
    ]
    if progress is not None:
        progress(total, total, "完成")
    return ImportResult(plan=plan, activations=activations)


def import_workbook(
    source: BinaryIO | bytes, *, actor: Any, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Read, check and (unless ``dry_run``) import; :class:`OrgImportInvalid` on any problem."""
    book = read_workbook(source)
    scope_actor = actor if getattr(actor, "pk", None) else None
    plan = plan_import(book, actor=scope_actor)
    if dry_run:
        return ImportResult(plan=plan)
    return apply_plan(plan, actor=actor, progress=progress)


# ---------------------------------------------------------------------------------------
# The template


def workbook_bytes(
    units: Iterable[Iterable[Any]],
    staff: Iterable[Iterable[Any]],
    notes: Iterable[Iterable[Any]] = (),
) -> bytes:
    """A workbook in the import format with these rows under the headers (write-only mode:
    the benchmark writes tens of thousands of rows)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheets: list[tuple[str, tuple[str, ...], Iterable[Iterable[Any]]]] = [
        (UNIT_SHEET, UNIT_COLUMNS, units),
        (STAFF_SHEET, STAFF_COLUMNS, staff),
    ]
    if notes:
        sheets.append(("填写说明", ("项目", "可填写的值"), notes))
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        for index in range(len(columns)):
            sheet.column_dimensions[chr(ord("A") + index)].width = 18
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    """The empty workbook with example rows and a sheet of the values allowed."""
    return workbook_bytes(
        units=[
            ["330101", "示例县", "县（区）", "", "", "否", "否"],
            ["330101001", "示例镇", "乡镇（街道）", "330101", "乡镇", "否", "否"],
        ],
        staff=[["zhangsan", "张三", "13900000000", "330101001", "承办人、单位负责人"]],
        notes=[
            ["层级", "、".join(str(label) for _c, label in UnitLevel.choices)],
            ["角色", "、".join(str(label) for _c, label in Role.choices)],
            ["信访工作机构、纪检监察机关", "是 / 否（空白为否）"],
            ["上级编码", "本表中或系统中已有单位的编码；最上级单位留空"],
            ["多个角色", "用顿号“、”或逗号分隔"],
        ],
    )
