"""The body of an official document prints in a fangsong face (GB/T 9704-2012 §7.3.6: 3号仿宋).

The face is FandolFang, installed by ``scripts/system-packages`` from Debian's
texlive-lang-chinese (docs/documents.md). Poppler's ``pdftohtml -xml`` tells which embedded
font draws each run of text, so the test sees what a printer would use: every character of the
body is drawn in FandolFang, except one FandolFang has no glyph for (a per-glyph fallback to
Noto Serif CJK SC), and none of this sample's characters is such a one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from functools import cache
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from xinfang.documents.tests.helpers import client_for
from xinfang.petitions.services import PetitionerData, record_delivery
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition

# A handler's answer with the characters a real notice carries: names, places, sums, dates,
# article numbers, brackets, quotes and book-title marks.
SAMPLE: dict[str, Any] = {
    "outcome": "support",
    "request": "请求补发2025年度征收补偿款差额12,800元，并对拆迁中损毁的果树、猪圈予以赔偿。",
    "facts": (
        "经查，申请人鲍翠娥反映的“东岗村棚户区改造”征收补偿款未足额发放问题基本属实："
        "征收办按旧标准核算，少计附属物补偿；另查明损毁的榆树、柿树共十七棵已于勘丈时登记。"
    ),
    "reasons": (
        "依据《国有土地上房屋征收与补偿条例》第十七条、第十九条，补偿不得低于类似房地产的"
        "市场价格；猪圈等附属物的补偿标准由县政府另行公布〔2024〕3号文件执行。"
    ),
    "legal_basis": "《信访工作条例》第三十二条第（二）项",
}


@cache
def fandol_fang_cmap() -> frozenset[int]:
    """The code points FandolFang has a glyph for (the installed font, found by fontconfig)."""
    from fontTools.ttLib import TTFont

    fc_match = shutil.which("fc-match")
    assert fc_match, "fontconfig (fc-match) is required"
    found = subprocess.run(  # noqa: S603 - fixed argv
        [fc_match, "-f", "%{family}\t%{file}", "FandolFang"], capture_output=True, check=True
    ).stdout.decode()
    family, _, path = found.partition("\t")
    assert family.startswith("FandolFang"), (
        "the FandolFang font is not installed: run scripts/system-packages "
        f"(fontconfig offers {family!r} instead)"
    )
    return frozenset(TTFont(path, fontNumber=0).getBestCmap())


def runs_by_font(pdf: bytes) -> dict[str, list[str]]:
    """Each embedded font's family (subset prefix dropped, ``-Bold`` marked) → its text runs."""
    exe = shutil.which("pdftohtml")
    assert exe, "poppler-utils (pdftohtml) is required: apt-get install -y poppler-utils"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        out = subprocess.run(  # noqa: S603 - fixed argv, our own temp file
            [exe, "-xml", "-i", "-stdout", "-q", fh.name], capture_output=True, check=True
        ).stdout
    root = ET.fromstring(out)  # noqa: S314 - poppler's output of our own PDF
    families: dict[str, str] = {}
    runs: dict[str, list[str]] = defaultdict(list)
    for page in root.iter("page"):
        for spec in page.iter("fontspec"):
            families[spec.get("id", "")] = spec.get("family", "").partition("+")[2]
        for text in page.iter("text"):
            bold = text.find("b") is not None
            family = families[text.get("font", "")] + ("-Bold" if bold else "")
            runs[family].append("".join(text.itertext()))
    return dict(runs)


@pytest.mark.django_db
@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_the_body_of_an_opinion_prints_in_fandol_fang(people: People) -> None:
    cast = people.cast
    p = make_petition(
        cast, summary="反映征收补偿款未足额发放问题", petitioners=[PetitionerData(name="鲍翠娥")]
    )
    p = transition(p, "accepted", actor=people.handler_a, notice="已受理，将依法办理")
    p = transition(p, "answered", actor=people.leader_a, **SAMPLE)
    record_delivery(
        p.answers.get(),
        actor=people.handler_a,
        delivered_on=date(2026, 3, 2),
        method="直接送达",
        recipient="鲍翠娥",
    )
    pdf = client_for(people.leader_a).get(reverse("documents:document_pdf", args=[p.pk, "answer"]))
    runs = runs_by_font(pdf.content)

    body = "".join(runs["FandolFang"])
    for text in ("鲍翠娥", "东岗村棚户区改造", "12,800元", "〔2024〕3号", "第三十二条第（二）项"):
        assert text in body, text
    cmap = fandol_fang_cmap()
    sample = {ch for value in SAMPLE.values() for ch in value if not ch.isspace()}
    assert {ch for ch in sample if ord(ch) not in cmap} == set(), "FandolFang lacks a glyph"
    # The fallback face draws the page number (— 1 —) and nothing FandolFang could draw.
    fallback = {ch for run in runs.get("Noto-Serif-CJK-SC", []) for ch in run if not ch.isspace()}
    assert {ch for ch in fallback if ord(ch) in cmap} <= set("—0123456789")
    # Title and issuer in bold song, level-1 headings in hei (§7.3.3); nothing else is left.
    assert set(runs) <= {
        "FandolFang",
        "Noto-Serif-CJK-SC",
        "Noto-Serif-CJK-SC-Bold",
        "Noto-Sans-CJK-SC",
    }


def test_fandol_fang_covers_every_gb2312_hanzi() -> None:
    # GB 2312's 6,763 hanzi (rows 16–87): every character of an ordinary notice.
    hanzi = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                hanzi.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(hanzi) == 6763
    cmap = fandol_fang_cmap()
    assert [ch for ch in hanzi if ord(ch) not in cmap] == []
