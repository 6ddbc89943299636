"""The general register: real dates and empty numbers in the xlsx; a printable PDF."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from xinfang.core.models import AuditEntry
from xinfang.documents import register as reg
from xinfang.documents.tests.helpers import client_for, pdf_pages, pdf_text
from xinfang.petitions.choices import Channel
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[list[Any]]:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    return rows


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_register_xlsx_dates_are_dates_and_missing_numbers_are_empty(people: People) -> None:
    p = make_petition(people.cast, summary="登记簿日期事项", received_on=date(2026, 3, 2))
    transition(p, "accepted", actor=people.handler_a)
    make_petition(
        people.cast, summary="集体访事项", channel=Channel.COLLECTIVE_VISIT, head_count=12
    )
    response = client_for(people.handler_a).post(reverse("documents:register_export"), {})
    rows = _rows(response.content)
    col = reg.COLUMNS.index
    accepted = next(r for r in rows[1:] if r[col("内容摘要")] == "登记簿日期事项")
    visit = next(r for r in rows[1:] if r[col("内容摘要")] == "集体访事项")
    assert accepted[col("收到日期")].date() == date(2026, 3, 2)
    assert accepted[col("受理日期")].date() == date(2026, 3, 2)
    assert isinstance(accepted[col("办理期限")], datetime)
    assert accepted[col("答复日期")] is None and accepted[col("转送交办日期")] is None
    assert accepted[col("来访人数")] is None and accepted[col("延期天数")] is None
    assert visit[col("来访人数")] == 12


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_register_prints_as_pdf_with_header_on_every_page(people: People) -> None:
    for i in range(45):
        make_petition(people.cast, summary=f"打印登记簿事项{i:02d}")
    make_petition(people.cast, unit=people.cast.unit_b, summary="乙镇不应出现")
    response = client_for(people.handler_a).post(reverse("documents:register_print"), {})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) >= 2
    assert all("登记编号" in page and "内容摘要" in page for page in pages)
    text = pdf_text(response.content)
    assert "打印登记簿事项00" in text and "打印登记簿事项44" in text
    assert "乙镇不应出现" not in text
    assert "2026-03-02" in text
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert entry.detail["format"] == "pdf" and entry.detail["rows"] == 45
