"""The two commands: ``xinfang rulebook check`` and ``xinfang assess``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.assessment.check import check_rulebook
from xinfang.assessment.errors import RulebookSyntaxError
from xinfang.assessment.rulebook import SHIPPED_DIR, load_rulebook, shipped_names
from xinfang.assessment.tests.helpers import rulebook

SHIPPED = [
    "edu-festival-2023",
    "junan-2019",
    "loudi-2009",
    "loudi-2009-departments",
    "model-2022",
    "pinghu-2012",
    "shenzhen-2003",
    "xinfang-2023",
]


def _call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_every_rulebook_is_shipped() -> None:
    assert shipped_names() == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_rulebooks_pass_the_check(name: str) -> None:
    out, err = _call("rulebook", "check", name)
    assert "0 个错误" in out and err == ""


def test_check_finds_the_sources_inconsistencies() -> None:
    xf = [str(f) for f in check_rulebook(rulebook("xinfang-2023"))]
    assert any("1.1" in f and "0.35" in f and "0.3" in f for f in xf)
    assert any("1.2" in f and "0.95" in f for f in xf)  # 0.3 + 0.5 + 0.15 as printed
    sz = [str(f) for f in check_rulebook(rulebook("shenzhen-2003"))]
    assert any("C类" in f and "82" in f and "80" in f for f in sz)
    edu = [str(f) for f in check_rulebook(rulebook("edu-festival-2023"))]
    assert any("5.3a" in f and "2023" in f for f in edu)
    junan = [f.code for f in check_rulebook(rulebook("junan-2019"))]
    assert {"3a", "3c"} <= set(junan)


def test_unacknowledged_inconsistency_is_an_error(tmp_path: Path) -> None:
    src = SHIPPED_DIR / "shenzhen-2003.yaml"
    text = src.read_text(encoding="utf-8")
    cut = text.index("readings:")
    path = tmp_path / "sz.yaml"
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        _call("rulebook", "check", str(path))
    assert exc.value.returncode == 1


def test_schema_errors_name_file_line_and_field(tmp_path: Path) -> None:
    text = (SHIPPED_DIR / "model-2022.yaml").read_text(encoding="utf-8")
    bad = text.replace(
        "        points: 0.5\n        per: case\n        article: 《信访工作条例》第二十三条",
        "        points: -1\n        per: case\n        article: 《信访工作条例》第二十三条",
        1,
    )
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RulebookSyntaxError) as exc:
        load_rulebook(path)
    line = next(i for i, ln in enumerate(bad.splitlines(), 1) if "points: -1" in ln)
    assert (
        f"bad.yaml:{line}:" in exc.value.problems[0]
        and "(code 1.3).points" in exc.value.problems[0]
    )


def _csv(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_assess_json_shape(tmp_path: Path) -> None:
    facts = _csv(
        tmp_path / "f.csv",
        "subject,item,date,quantity,value,tags,note\n"
        "zhang,1,2012-05-03,,5,,迟报\nli,8b,2012-06-02,,,,\nzhang,2a,2013-01-01,,,,期外\n",
    )
    subjects = _csv(
        tmp_path / "s.csv",
        "subject,name,category,lines\nzhang,张三,,\nli,李四,,\nboss,局长,,zhang;li\n",
    )
    out, _ = _call(
        "assess",
        "pinghu-2012",
        "--facts",
        facts,
        "--subjects",
        subjects,
        "--from",
        "2012-05-01",
        "--to",
        "2012-06-30",
        "--json",
    )
    data = json.loads(out)
    assert data["rulebook"] == "pinghu-2012" and data["version"] == "2012.1" and data["warnings"]
    subj = {s["subject"]: s for s in data["subjects"]}
    assert set(subj["zhang"]) == {
        "subject",
        "name",
        "category",
        "score",
        "max",
        "normalized",
        "sections",
        "grade",
        "payout_ratio",
        "qualified",
        "vetoes",
        "rank",
        "lines",
    }
    assert (
        subj["zhang"]["score"] == 95 and subj["boss"]["score"] == 95 and subj["li"]["score"] == 95
    )
    line = next(ln for ln in subj["zhang"]["lines"] if ln["item"] == "1")
    assert set(line) == {"item", "date", "quantity", "points", "why"} and line["points"] == -5


def test_assess_table_is_chinese(tmp_path: Path) -> None:
    facts = _csv(
        tmp_path / "f.csv", "subject,item,date,quantity,value,tags,note\nm1,2.1,2023-03-01,2,,,\n"
    )
    out, _ = _call("assess", "model-2022", "--facts", facts)
    assert "排名" in out and "得分" in out and "m1" in out and "96" in out


@pytest.mark.parametrize(
    ("facts", "subjects", "expected"),
    [
        ("m1,9.9,2023-01-01,,,,\n", None, "第2行 item='9.9'"),
        ("m1,2.1,2023-13-01,,,,\n", None, "第2行 date='2023-13-01'"),
        ("m1,2.1,2023-01-01,abc,,,\n", None, "第2行 quantity='abc'"),
        ("m1,2.1,2023-01-01,,,,\nm1,6.1,2023-01-01,,101,,\n", None, "第3行 value=101.0"),
        (
            "m1,2.1,2023-01-01,,,,\n",
            "subject,name,category,lines\nm1,甲,,\nL,乙,,m1;zz\n",
            "lines=",
        ),
        ("m9,2.1,2023-01-01,,,,\n", "subject,name,category,lines\nm1,甲,,\n", "subject='m9'"),
    ],
)
def test_assess_refuses_bad_input_naming_file_row_value(
    tmp_path: Path, facts, subjects, expected
) -> None:
    f = _csv(tmp_path / "facts.csv", "subject,item,date,quantity,value,tags,note\n" + facts)
    args = ["assess", "model-2022", "--facts", f]
    if subjects:
        args += ["--subjects", _csv(tmp_path / "subjects.csv", subjects)]
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=out)
    assert exc.value.returncode == 1 and expected in str(exc.value) and out.getvalue() == ""
    assert ("subjects.csv" if expected == "lines=" else "facts.csv") in str(exc.value)


def test_assess_category_mismatch_refused(tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "f.csv", "subject,item,date,quantity,value,tags,note\nc1,1.4a,2004-01-01,,2,,\n"
    )
    s = _csv(tmp_path / "s.csv", "subject,name,category,lines\nc1,民政局,C,\n")
    with pytest.raises(CommandError, match="不适用于该考核对象的类别"):
        _call("assess", "shenzhen-2003", "--facts", f, "--subjects", s)


def test_cli_subprocess_exit_codes(tmp_path: Path) -> None:
    import subprocess
    import sys

    ok = subprocess.run(
        [sys.executable, "-m", "xinfang", "rulebook", "check", "xinfang-2023"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and "警告" in ok.stdout
    f = _csv(
        tmp_path / "f.csv", "subject,item,date,quantity,value,tags,note\nm1,zz,2023-01-01,,,,\n"
    )
    bad = subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, "-m", "xinfang", "assess", "model-2022", "--facts", f, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1 and bad.stdout == "" and "第2行" in bad.stderr
