"""The UI's Chinese text takes full-width punctuation (GB/T 15834-2011 《标点符号用法》).

``scripts/fullwidth.py`` makes a half-width ``,:;?!()`` next to Chinese full-width in the
templates and in Python string literals (messages, labels, errors, help texts, verbose names,
choices) and leaves code, format fields, URLs, regular expressions, data keys, times, numbers
and English alone. These tests hold the script to that; the tree-wide guard below fails on a
Chinese text the script would still change (fix: ``python -m scripts.fullwidth FILE``).
"""

# fullwidth: keep-file (the cases below are written half-width on purpose)

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

import xinfang

ROOT = Path(xinfang.__file__).parent.parent


@pytest.fixture(scope="module")
def script() -> ModuleType:
    sys.path.insert(0, str(ROOT))
    try:
        from scripts import fullwidth
    finally:
        sys.path.pop(0)
    return fullwidth


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Messages, labels and choices: marks next to Chinese, brackets in pairs.
        ('_("联系电话(选填,加密保存)")', '_("联系电话（选填，加密保存）")'),
        ('("failed", "发送失败,待重试")', '("failed", "发送失败，待重试")'),
        ('"文书(PDF)"', '"文书（PDF）"'),
        # A full-width mark carries its own spacing.
        ('f"YAML 格式错误: {exc.problem}"', 'f"YAML 格式错误：{exc.problem}"'),
        ('"内容 (可选)"', '"内容（可选）"'),
        # Format fields and placeholders never change, and count as no character.
        ('f"{amount:.2f}元,共{n:,}件"', 'f"{amount:.2f}元，共{n:,}件"'),
        ('_("第%(n)s行:不是日期")', '_("第%(n)s行：不是日期")'),
        ('f"应报 {due:%Y-%m-%d %H:%M}"', 'f"应报 {due:%Y-%m-%d %H:%M}"'),
        # Times, numbers, URLs and Latin text inside Chinese stay.
        ('"上午10:00,下午3:30"', '"上午10:00，下午3:30"'),
        ('"差额12,800元"', '"差额12,800元"'),
        (
            '"详见 https://example.org/a?x=1,2 (官网)"',
            '"详见 https://example.org/a?x=1,2 （官网）"',
        ),
        ('"边界(GeoJSON,WGS-84)"', '"边界（GeoJSON,WGS-84）"'),
        # Regular expressions, bytes, docstrings, data keys, English prose: untouched.
        ('re.compile("第(\\\\d+)条")', 're.compile("第(\\\\d+)条")'),
        ('r"(中文)"', 'r"(中文)"'),
        ('"""说明(一)"""', '"""说明(一)"""'),
        ('row["化解率(%)"]', 'row["化解率(%)"]'),
        ('"zhang,张三,,\\nli,李四,,\\n"', '"zhang,张三,,\\nli,李四,,\\n"'),
        ('"缺少列:{x}(应有 id,lon,lat)"', '"缺少列：{x}（应有 id,lon,lat）"'),
        ('["第 7 行:不是日期"]', '["第 7 行：不是日期"]'),
        ('f(x) == ["第 7 行:不是日期"]', 'f(x) == ["第 7 行：不是日期"]'),
        ('{"化解率(%)": 1}', '{"化解率(%)": 1}'),
        (
            'f"(or 系统管理 → 已覆盖年度), then check with `xinfang holidays show {year}`."',
            'f"(or 系统管理 → 已覆盖年度), then check with `xinfang holidays show {year}`."',
        ),
        # A syntax shown to the user (KEEP), and a line kept on purpose (PRAGMA).
        ('"必须是映射(键: 值)"', '"必须是映射（键: 值）"'),
        ('"县(区)"  # fullwidth: keep', '"县(区)"  # fullwidth: keep'),
    ],
)
def test_python_string_literals(script: ModuleType, before: str, after: str) -> None:
    assert script.convert_python(f"x = {before}\n") == f"x = {after}\n"
    assert script.convert_python(f"x = {after}\n") == f"x = {after}\n"  # idempotent


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("<p>期限:{{ due }}(工作日)</p>", "<p>期限：{{ due }}（工作日）</p>"),
        (
            '<p>{{ d|date:"Y-m-d H:i" }},共 {{ n }} 件</p>',
            '<p>{{ d|date:"Y-m-d H:i" }}，共 {{ n }} 件</p>',
        ),
        ('<input placeholder="如:张三" name="q:x">', '<input placeholder="如：张三" name="q:x">'),
        (
            '<a href="/a?b=1,2" title="导出(xlsx)">导出(xlsx)</a>',
            '<a href="/a?b=1,2" title="导出（xlsx）">导出（xlsx）</a>',
        ),
        ('{% if x == "待定(未录入)" %}是{% endif %}', '{% if x == "待定(未录入)" %}是{% endif %}'),
        (
            "<script>alert('确定?')</script><style>p:hover{}</style>",
            "<script>alert('确定?')</script><style>p:hover{}</style>",
        ),
        ("<p>10:00-12:00</p>", "<p>10:00-12:00</p>"),
    ],
)
def test_template_text(script: ModuleType, before: str, after: str) -> None:
    assert script.convert_template(before) == after
    assert script.convert_template(after) == after


# Where half-width marks stand in Chinese text on purpose: the script's KEEP texts, and the
# files with '# fullwidth: keep' lines (how many) or a '# fullwidth: keep-file' comment.
KEEP = ("键: 值",)  # YAML's mapping syntax, shown in the holiday notice's errors
KEPT_LINES = {
    "xinfang/core/tests/test_audit_trigger.py": 1,  # the database trigger's message
    "xinfang/core/tests/test_holidays.py": 3,  # YAML flow syntax; the field locator (name …)
    "xinfang/documents/tests/test_punctuation.py": 1,  # the rule's half-width input
    "xinfang/ledgers/tests/test_exports.py": 2,  # RFC 5545 escapes of ';' and ','
    "xinfang/ledgers/tests/test_views.py": 1,  # phases typed with ','
    "xinfang/ledgers/tests/test_browser.py": 1,  # iCal's own colon after SUMMARY
    "xinfang/org/tests/test_importing.py": 1,  # a workbook typed 县(区)
    "xinfang/shell/tests/test_fullwidth_ui.py": "file",  # the cases above
}


def test_the_allowlist_is_short_and_explicit(script: ModuleType) -> None:
    assert script.KEEP == KEEP
    found: dict[str, int | str] = {}
    for path in script.tree_files():
        if path.suffix != ".py":
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if f"# {script.PRAGMA}-file" in text:
            found[name] = "file"
        elif (n := text.count(f"# {script.PRAGMA}")) > 0:
            found[name] = n
    assert found == KEPT_LINES


def test_every_chinese_ui_text_uses_full_width_punctuation(script: ModuleType) -> None:
    offenders = []
    for path in script.tree_files():
        text = path.read_text(encoding="utf-8")
        new = script.converter(path)(text)
        if new != text:
            old_lines, new_lines = text.splitlines(), new.splitlines()
            line = next(
                i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b
            )
            offenders.append(f"{path.relative_to(ROOT)}:{line + 1}: {old_lines[line].strip()}")
    assert offenders == [], "run python -m scripts.fullwidth FILE:\n" + "\n".join(offenders)
