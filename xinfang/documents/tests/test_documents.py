"""Official documents (PDF) and the general register (xlsx) of a matter.

PDF text is read back with poppler's ``pdftotext`` (``helpers.pdf_text``).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from xinfang.core.models import AuditEntry
from xinfang.documents import register as reg
from xinfang.documents.models import ExportJob
from xinfang.documents.tests.helpers import client_for, pdf_text
from xinfang.org.choices import Role
from xinfang.petitions.services import PetitionerData, extend_handling, record_delivery
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition
from xinfang.supervision import services as supervision

pytestmark = pytest.mark.django_db

SECRET_NAME = "保密人甲乙丙"
ANSWER = {
    "outcome": "support",
    "request": "请求修复道路",
    "facts": "经实地核查道路积水属实",
    "reasons": "属于本机关职责",
    "legal_basis": "《信访工作条例》第三十二条",
}


def pdf_url(pk: int, kind: str) -> str:
    return reverse("documents:document_pdf", args=[pk, kind])


def job_url(pk: int) -> str:
    return reverse("documents:job_page", args=[pk])


_client = client_for


def _answered(people: People, *, confidential: bool = False) -> Any:
    cast = people.cast
    p = make_petition(
        cast,
        summary="反映道路积水问题",
        petitioners=[
            PetitionerData(
                name=SECRET_NAME if confidential else "张三", wants_confidentiality=confidential
            )
        ],
    )
    p = transition(p, "accepted", actor=people.handler_a, notice="已受理，将依法办理")
    extend_handling(p, actor=people.leader_a, days=15, reason="需要委托鉴定")
    p = transition(p.__class__.objects.get(pk=p.pk), "answered", actor=people.leader_a, **ANSWER)
    return p


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_each_document_renders_the_expected_chinese_text(people: People) -> None:
    p = _answered(people)
    answer = p.answers.get()
    record_delivery(
        answer,
        actor=people.handler_a,
        delivered_on=date(2026, 3, 2),
        method="直接送达",
        recipient="张三",
    )
    client = _client(people.leader_a)
    expected = {
        "acceptance": [
            "信访事项受理告知书",
            "张三",
            "2026年3月2日",
            "60日内办结",
            "甲镇受告〔2026〕",
        ],
        "extension": ["信访事项延期办理告知书", "需要委托鉴定", "延长15日"],
        "answer": [
            "信访事项处理意见书",
            "经实地核查道路积水属实",
            "予以支持",
            "第三十二条",
            "30日内向测试县请求复查",
            "第三十五条",
        ],
        "receipt": ["送达回证", "直接送达", "2026年3月2日"],
        "completion": ["信访事项结案报告", "予以支持"],
    }
    for kind, needles in expected.items():
        response = client.get(reverse("documents:document_pdf", args=[p.pk, kind]))
        assert response.status_code == 200, kind
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        for needle in needles:
            assert needle in text, (kind, needle, text[:300])
    assert AuditEntry.objects.filter(action="export", object_id=str(p.pk)).count() == len(expected)
    # Not applicable yet → 404 (no non-acceptance for an accepted matter).
    assert client.get(pdf_url(p.pk, "non_acceptance")).status_code == 404


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_non_acceptance_handover_and_supervision_notice(people: People) -> None:
    cast = people.cast
    p = make_petition(cast, unit=cast.county, actor=people.registrar, summary="反映土地确权问题")
    p = transition(
        p,
        "routed",
        actor=people.registrar,
        to_unit=cast.department,
        mode="assign",
        report_due=date(2026, 4, 30),
        note="请依法处理",
    )
    client = _client(people.handler_dept)
    text = pdf_text(client.get(pdf_url(p.pk, "handover")).content)
    for needle in (
        "信访事项交办单",
        "测试县自然资源局",
        "请依法处理",
        "2026年4月30日前报送办理结果",
    ):
        assert needle in text
    notice = supervision.issue_notice(
        actor=cast.user_with(Role.SUPERVISOR, cast.county),
        petition=p,
        supervising_unit=cast.county,
        reasons="群众反映强烈。",
        recommendation="建议实地核查并依法处理",
    )
    text = pdf_text(client.get(reverse("documents:notice_pdf", args=[notice.pk])).content)
    for needle in (
        "信访事项督办通知书",
        "建议实地核查并依法处理",
        "测试县督〔2026〕1号",
        "2026年4月1日前",
    ):
        assert needle in text
    p = transition(p, "not_accepted", actor=people.handler_dept, reason="属于仲裁途径解决的事项")
    text = pdf_text(client.get(pdf_url(p.pk, "non_acceptance")).content)
    assert "信访事项不予受理告知书" in text and "属于仲裁途径解决的事项" in text


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_non_acceptance_notice_prints_the_diversion_of_art_31(people: People) -> None:
    cast = people.cast
    p = make_petition(cast, unit=cast.county, actor=people.registrar)
    p = transition(p, "routed", actor=people.registrar, to_unit=cast.department)
    p = transition(
        p,
        "not_accepted",
        actor=people.handler_dept,
        reason="属劳动争议",
        diversion="labour_arbitration",
        diversion_body="测试县劳动人事争议仲裁委员会",
        diversion_time_limit="自知道权利被侵害之日起一年内",
    )
    text = pdf_text(_client(people.handler_dept).get(pdf_url(p.pk, "non_acceptance")).content)
    flat = "".join(text.split())
    for needle in (
        "第三十一条",
        "劳动人事争议仲裁程序",
        "测试县劳动人事争议仲裁委员会",
        "自知道权利被侵害之日起一年内",
    ):
        assert needle in flat


@time_machine.travel("2026-03-02 10:00 +0800", tick=False)
def test_confidential_identity_only_on_documents_for_the_entitled(people: People) -> None:
    p = _answered(people, confidential=True)
    text = pdf_text(_client(people.handler_a).get(pdf_url(p.pk, "answer")).content)
    assert SECRET_NAME in text  # the handling unit may print the answer for the petitioner
    # Unit-addressed documents never carry the identity.
    text = pdf_text(_client(people.handler_a).get(pdf_url(p.pk, "completion")).content)
    assert SECRET_NAME not in text and "信访人要求保密" in text
    # A supervisor above may see the matter but not the identity.
    supervisor = people.cast.user_with(Role.SUPERVISOR, people.cast.county, "doc-supervisor")
    text = pdf_text(_client(supervisor).get(pdf_url(p.pk, "answer")).content)
    assert SECRET_NAME not in text and "信访人要求保密" in text


def test_documents_are_404_out_of_scope_and_for_the_accused(people: People) -> None:
    cast = people.cast
    p = make_petition(
        cast,
        unit=cast.county,
        actor=people.registrar,
        kind="accusation",
        accused_unit=cast.unit_a,
        summary="检举甲镇",
    )
    p = transition(p, "routed", actor=people.registrar, to_unit=people.discipline)
    p = transition(p, "accepted", actor=people.discipline_handler)
    for user in (people.handler_a, people.leader_a, people.handler_b):
        client = _client(user)
        assert client.get(pdf_url(p.pk, "acceptance")).status_code == 404
        assert client.get(reverse("documents:document_index", args=[p.pk])).status_code == 404
    assert _client(people.discipline_handler).get(pdf_url(p.pk, "acceptance")).status_code == 200


def _sheet(content: bytes) -> list[list[Any]]:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    wb.close()
    return rows


def test_register_xlsx_has_the_office_columns_and_is_scoped(people: People) -> None:
    cast = people.cast
    make_petition(
        cast,
        summary="甲镇登记事项",
        petitioners=[PetitionerData(name=SECRET_NAME, wants_confidentiality=True)],
    )
    make_petition(cast, unit=cast.unit_b, summary="乙镇登记事项")
    response = _client(people.handler_a).post(reverse("documents:register_export"), {})
    assert response.status_code == 200
    rows = _sheet(response.content)
    assert rows[0] == reg.COLUMNS
    assert rows[0][:6] == ["序号", "登记编号", "收到日期", "信访形式", "来访人数", "信访人"]
    summaries = [r[reg.COLUMNS.index("内容摘要")] for r in rows[1:]]
    assert summaries == ["甲镇登记事项"]
    assert rows[1][reg.COLUMNS.index("信访人")] == SECRET_NAME  # handler of the unit: entitled
    # Filters like the matter list.
    empty = _client(people.handler_a).post(reverse("documents:register_export"), {"q": "不存在"})
    assert len(_sheet(empty.content)) == 1
    # A county supervisor sees both matters but not the confidential name.
    supervisor = cast.user_with(Role.SUPERVISOR, cast.county, "reg-supervisor")
    rows = _sheet(_client(supervisor).post(reverse("documents:register_export"), {}).content)
    assert len(rows) == 3
    assert SECRET_NAME not in str(rows)
    assert AuditEntry.objects.filter(action="export", object_type="petitions.register").count() == 3


@pytest.fixture
def huey_immediate() -> Any:
    """Run huey tasks inline (the root conftest's HUEY setting comes after djhuey is built)."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


def test_long_export_runs_as_a_job_with_progress_and_audit(
    people: People, monkeypatch: Any, huey_immediate: Any
) -> None:
    cast = people.cast
    for i in range(7):
        make_petition(cast, summary=f"批量事项{i}")
    monkeypatch.setattr(reg, "DIRECT_LIMIT", 5)
    monkeypatch.setattr(reg, "CHUNK", 3)
    seen: list[int] = []
    client = _client(people.handler_a)
    original_progress = reg.write_register

    def recording(target: Any, rows: Any, *, on_chunk: Any = None) -> int:
        def on(n: int) -> None:
            seen.append(n)
            if on_chunk:
                on_chunk(n)

        return original_progress(target, rows, on_chunk=on)

    monkeypatch.setattr(reg, "write_register", recording)
    response = client.post(reverse("documents:register_export"), {"date_from": "2000-01-01"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == job_url(job.pk)
    assert seen == [3, 6]  # progress stored after every chunk of 3 rows
    assert (job.status, job.total, job.done, job.percent) == ("done", 7, 7, 100)
    assert job.filters == {"date_from": "2000-01-01"}
    status = client.get(reverse("documents:job_status", args=[job.pk])).content.decode()
    assert "7 / 7" in status and "hx-trigger" not in status  # finished: polling stops
    download = client.get(reverse("documents:job_download", args=[job.pk]))
    rows = _sheet(b"".join(download.streaming_content))
    assert len(rows) == 8
    entry = AuditEntry.objects.get(action="export", object_type="documents.exportjob")
    assert entry.actor == people.handler_a and entry.detail["rows"] == 7
    # Another user cannot see or fetch the job.
    assert _client(people.leader_a).get(job_url(job.pk)).status_code == 404
    # Running the task again changes nothing (queued → running is a compare-and-swap).
    assert reg.run_export_job(job.pk) is None


def test_running_job_page_polls_the_status(people: People) -> None:
    job = ExportJob.objects.create(
        requested_by=people.handler_a, total=10, done=4, status="running"
    )
    body = _client(people.handler_a).get(job_url(job.pk)).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="40"' in body


def test_register_list_query_count(people: People, django_assert_max_num_queries: Any) -> None:
    cast = people.cast
    for i in range(3):
        make_petition(cast, summary=f"计数事项{i}")
    client = _client(people.handler_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("documents:register_page")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.post(reverse("documents:register_export"), {}).status_code == 200


def test_receipt_is_blank_for_signature_before_delivery(people: People) -> None:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        p = _answered(people)
    text = pdf_text(_client(people.handler_a).get(pdf_url(p.pk, "receipt")).content)
    assert "送达回证" in text and "受送达人签名" in text and "年月日" in text
