"""The organisation workbook: checked whole, imported whole, again without change."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from xinfang.core.audit import verify_chain
from xinfang.core.models import AuditEntry
from xinfang.core.tests.test_office_zip import bomb, with_part
from xinfang.core.workflow import SYSTEM
from xinfang.org.activation import user_for_token
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.errors import OrgImportInvalid
from xinfang.org.importing import import_workbook, read_workbook, template_workbook, workbook_bytes
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db

UNITS = [
    ["330101", "示例县", "县（区）", "", "", "否", "否"],
    ["330101001", "城关镇", "乡镇（街道）", "330101", "乡镇", "否", "否"],
    ["330101001001", "东街社区", "village", "330101001", "", "否", "否"],
    ["330101900", "县信访局", "部门", "330101", "部门", "是", "否"],
]
STAFF = [
    ["zhang", "张三", "13900000001", "330101001", "承办人、单位负责人"],
    ["li", "李四", "", "330101900", "registrar"],
]


def book(units: list[list[Any]] = UNITS, staff: list[list[Any]] = STAFF) -> bytes:
    return workbook_bytes(units, staff)


def problems_of(data: bytes, actor: Any = SYSTEM) -> list[str]:
    with pytest.raises(OrgImportInvalid) as caught:
        import_workbook(data, actor=actor)
    return caught.value.problems


def counts() -> tuple[int, int, int, int]:
    return (
        Unit.objects.count(),
        User.objects.count(),
        RoleGrant.objects.count(),
        AuditEntry.objects.count(),
    )


def test_import_builds_the_tree_the_accounts_and_their_roles() -> None:
    result = import_workbook(book(), actor=SYSTEM)
    town = Unit.objects.get(admin_code="330101001")
    village = Unit.objects.get(admin_code="330101001001")
    assert village.parent == town and village.path == f"{town.path}{village.pk}/"
    assert village.level == UnitLevel.VILLAGE and village.depth == 2
    assert Unit.objects.get(admin_code="330101900").is_petition_office
    zhang = User.objects.get(username="zhang")
    assert zhang.unit == town and zhang.phone_masked == "139****0001"
    assert set(zhang.grants.values_list("role", flat=True)) == {Role.HANDLER, Role.UNIT_LEADER}
    assert not zhang.has_usable_password()
    assert {a.username for a in result.activations} == {"zhang", "li"}
    assert verify_chain() == []


def test_levels_typed_with_half_width_brackets_are_read_as_the_same_levels() -> None:
    # Workbooks typed elsewhere write 县(区); the labels are 县（区） (full-width in the UI).
    units = [[*row[:2], row[2].replace("（", "(").replace("）", ")"), *row[3:]] for row in UNITS]
    assert units[0][2] == "县(区)"  # fullwidth: keep
    import_workbook(book(units), actor=SYSTEM)
    assert Unit.objects.get(admin_code="330101").level == UnitLevel.COUNTY
    assert Unit.objects.get(admin_code="330101001").level == UnitLevel.TOWNSHIP


def test_each_new_account_gets_its_own_one_time_activation_link() -> None:
    result = import_workbook(book(), actor=SYSTEM)
    links = {a.username: a.path for a in result.activations}
    assert links["zhang"] != links["li"]
    token = links["zhang"].rstrip("/").rsplit("/", 1)[-1]
    assert user_for_token(token) == User.objects.get(username="zhang")


def test_importing_the_same_file_again_changes_nothing() -> None:
    import_workbook(book(), actor=SYSTEM)
    before = counts()
    paths = list(Unit.objects.values_list("path", flat=True))
    result = import_workbook(book(), actor=SYSTEM)
    assert result.plan.changes == 0 and result.activations == []
    assert counts() == before
    assert list(Unit.objects.values_list("path", flat=True)) == paths


def test_a_changed_file_updates_by_code_and_moves_the_subtree() -> None:
    import_workbook(book(), actor=SYSTEM)
    units = [row[:] for row in UNITS]
    units.append(["330101002", "东河乡", "乡镇（街道）", "330101", "乡镇", "否", "否"])
    units[2] = ["330101001001", "东街社区居委会", "村（社区）", "330101002", "", "否", "否"]
    staff = [["zhang", "张三", "13900000002", "330101002", "承办人"], STAFF[1]]
    import_workbook(book(units, staff), actor=SYSTEM)
    village = Unit.objects.get(admin_code="330101001001")
    river = Unit.objects.get(admin_code="330101002")
    assert village.name == "东街社区居委会" and village.parent == river
    assert village.path == f"{river.path}{village.pk}/"
    zhang = User.objects.get(username="zhang")
    assert zhang.unit == river and zhang.phone_masked == "139****0002"
    assert list(zhang.grants.values_list("role", "unit")) == [(Role.HANDLER, river.pk)]
    assert verify_chain() == []


def test_a_unit_moved_under_its_own_descendant_is_refused() -> None:
    import_workbook(book(), actor=SYSTEM)
    units = [row[:] for row in UNITS]
    units[1] = ["330101001", "城关镇", "乡镇（街道）", "330101001001", "乡镇", "否", "否"]
    assert any("成环" in p and "第 3 行" in p for p in problems_of(book(units)))


def test_every_bad_row_is_named_by_sheet_row_and_column_and_nothing_is_imported() -> None:
    units = [*UNITS, ["330101777", "", "大队", "9999", "", "也许", "否"]]
    staff = [*STAFF, ["wang wu", "王五", "123", "330101001", "局长"]]
    found = problems_of(book(units, staff))
    assert "「单位」表第 6 行「名称」列：不能为空" in found
    assert any(p.startswith("「单位」表第 6 行「层级」列") for p in found)
    assert any(p.startswith("「单位」表第 6 行「信访工作机构」列") for p in found)
    assert any(p.startswith("「人员」表第 4 行「用户名」列") for p in found)
    assert any(p.startswith("「人员」表第 4 行「手机号」列") for p in found)
    assert any(p.startswith("「人员」表第 4 行「角色」列") and "局长" in p for p in found)
    assert counts()[:3] == (0, 0, 0)


def test_a_parent_code_neither_in_the_file_nor_stored_is_refused() -> None:
    units = [*UNITS, ["330101003", "西山街道", "乡镇（街道）", "330199", "", "否", "否"]]
    found = problems_of(book(units))
    assert any(p.startswith("「单位」表第 6 行「上级编码」列") for p in found)
    assert Unit.objects.count() == 0


def test_duplicate_codes_and_user_names_are_refused() -> None:
    units = [*UNITS, ["330101001", "又一个城关镇", "乡镇（街道）", "330101", "", "否", "否"]]
    staff = [*STAFF, ["zhang", "张三丰", "", "330101001", ""]]
    found = problems_of(book(units, staff))
    assert "「单位」表第 6 行「编码」列：与第 3 行重复" in found
    assert "「人员」表第 4 行「用户名」列：与第 2 行重复" in found


def test_a_missing_sheet_or_column_is_named() -> None:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "单位"
    workbook.active.append(["编码", "名称", "层级"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(OrgImportInvalid) as caught:
        read_workbook(out.getvalue())
    assert "「单位」表第 1 行「上级编码」列：表头缺少此列" in caught.value.problems
    assert any("缺少工作表「人员」" in p for p in caught.value.problems)


def test_an_administrator_imports_only_within_the_subtree_they_administer(cast: Cast) -> None:
    cast.unit_a.admin_code, cast.unit_b.admin_code = "A01", "B01"
    cast.unit_a.save()
    cast.unit_b.save()
    admin = cast.user_with(Role.ADMINISTRATOR, cast.unit_a)
    inside = [["A01001", "甲一村", "村（社区）", "A01", "", "否", "否"]]
    import_workbook(book(inside, []), actor=admin)
    assert Unit.objects.get(admin_code="A01001").parent == cast.unit_a
    outside = [["B01001", "乙一村", "村（社区）", "B01", "", "否", "否"]]
    assert any("无权管理上级单位 B01" in p for p in problems_of(book(outside, []), admin))
    top = [["X1", "新县", "县（区）", "", "", "否", "否"]]
    assert any("不能为空" in p for p in problems_of(book(top, []), admin))


def test_the_import_is_audited_row_by_row_with_who_imported() -> None:
    import_workbook(book(), actor=SYSTEM)
    created = AuditEntry.objects.filter(action="create")
    assert created.filter(object_type="org.unit").count() == 4
    assert created.filter(object_type="org.user").count() == 2
    assert created.filter(object_type="org.rolegrant").count() == 3
    summary = AuditEntry.objects.get(object_type="org.import")
    assert summary.actor_label == "系统" and summary.detail["单位（新建）"] == 4


def test_the_template_imports_as_it_is() -> None:
    result = import_workbook(template_workbook(), actor=SYSTEM, dry_run=True)
    assert result.plan.summary()["单位（新建）"] == 2
    assert result.plan.summary()["人员（新建）"] == 1


def test_dry_run_command_writes_nothing_and_bad_file_exits_1(tmp_path: Any, capsys: Any) -> None:
    good = tmp_path / "org.xlsx"
    good.write_bytes(book())
    call_command("import_org", str(good), "--dry-run")
    assert "校验通过" in capsys.readouterr().out and Unit.objects.count() == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(book([*UNITS, ["X", "", "县（区）", "", "", "否", "否"]]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_org", str(bad))
    assert exit_info.value.code == 1
    assert "「单位」表第 6 行「名称」列：不能为空" in capsys.readouterr().err
    assert Unit.objects.count() == 0


def test_the_command_writes_the_one_time_list_readable_by_its_owner_only(tmp_path: Any) -> None:
    source = tmp_path / "org.xlsx"
    source.write_bytes(book())
    links = tmp_path / "links.csv"
    call_command("import_org", str(source), "--links", str(links))
    text = links.read_text(encoding="utf-8-sig")
    assert "zhang" in text and "/account/activate/" in text
    assert links.stat().st_mode & 0o077 == 0


def test_a_zip_bomb_or_a_macro_workbook_is_refused_before_it_is_read() -> None:
    before = counts()
    assert any("压缩炸弹" in p for p in problems_of(bomb()))
    assert any("非文档内容" in p for p in problems_of(with_part(book(), "xl/vbaProject.bin", b"x")))
    assert counts() == before
