"""The backlog import at scale keeps what one registration at a time gives: the same
same-matter proposals, every step in the audit chain (which verifies), a refusal of the
acceptance of a matter asked again after a final re-review, and nothing on a refusal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction

from xinfang.core.audit import verify_chain
from xinfang.core.models import AuditAction, AuditEntry
from xinfang.core.tests.test_office_zip import bomb, with_part
from xinfang.documents import register_import
from xinfang.documents.errors import RegisterImportInvalid
from xinfang.documents.register_import import import_register
from xinfang.documents.tests.test_register_import import _admin, _book, _row
from xinfang.petitions.models import Petition, SameMatterCandidate, Transition
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition

pytestmark = pytest.mark.django_db

EXISTING = [
    ("反映甲村村道破损严重无法通行", "王五", "13900001111"),
    ("反映乙村自来水管网老化经常停水", "张三", "13900002222"),
    ("要求解决土地征收补偿标准过低问题", "李四", "13900003333"),  # ended final below
]
FILE = [
    ("反映甲村村道破损严重无法通行请求修复", "王五", "13900001111"),
    ("反映甲村村道破损严重无法通行要求答复", "赵六", "13900004444"),
    ("反映乙村自来水管网老化停水", "钱七", "13900005555"),
    ("反映丙村路灯长期不亮", "孙八", "13900004444"),
    ("反映乙村自来水管网老化经常停水请求处理", "周九", ""),
    ("要求解决土地征收补偿标准偏低", "李四", "13900003333"),
    ("反映丙村路灯长期不亮影响出行", "吴十", "13900006666"),
]


def _there(people: People) -> None:
    for summary, name, phone in EXISTING:
        make_petition(
            people.cast, summary=summary, petitioners=[PetitionerData(name=name, phone=phone)]
        )
    # A re-review ended the land matter (Art. 36); the flag, not a status, is what counts.
    Petition.objects.filter(summary=EXISTING[2][0]).update(is_final=True)


def _proposals() -> set[tuple[str, str, int, bool, bool]]:
    return set(
        SameMatterCandidate.objects.values_list(
            "petition__summary", "candidate__summary", "score", "same_petitioner", "after_final"
        )
    )


def _received(i: int) -> date:
    return date(2026, 3, 2) + timedelta(days=i)


# Chunk 2: the index and the audit entries are also flushed in the middle of the file.
@pytest.mark.parametrize("chunk", [register_import.CHUNK, 2])
def test_same_matter_proposals_equal_registering_the_rows_one_at_a_time(
    people: People, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register_import, "CHUNK", chunk)
    _there(people)
    # What registering each row in turn finds (the search one matter at a time), undone.
    with transaction.atomic():
        for i, (summary, name, phone) in enumerate(FILE):
            register_petition(
                actor=people.town_registrar,
                registering_unit=people.cast.unit_a,
                channel="letter",
                kind="appeal",
                summary=summary,
                petitioners=[PetitionerData(name=name, phone=phone)],
                received_on=_received(i),
                propose_matches=True,
            )
        one_at_a_time = _proposals()
        transaction.set_rollback(True)
    assert len(one_at_a_time) >= 5  # the file is made to be flagged, by person and by text
    assert any(after_final for *_x, after_final in one_at_a_time)
    book = _book(
        [
            _row(内容摘要=summary, 信访人=name, 联系电话=phone or None, 收到日期=_received(i))
            for i, (summary, name, phone) in enumerate(FILE)
        ]
    )
    result = import_register(book, actor=_admin(people), unit=people.cast.county)
    assert _proposals() == one_at_a_time
    flagged = {f["summary"] for f in result.flags}
    assert flagged == {summary for summary, *_x in one_at_a_time}


# Chunk 2: the index and the audit entries are also flushed in the middle of the file.
@pytest.mark.parametrize("chunk", [register_import.CHUNK, 2])
def test_every_step_of_an_import_is_in_the_audit_chain_and_the_chain_verifies(
    people: People, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register_import, "CHUNK", chunk)
    _there(people)
    before = AuditEntry.objects.count()
    book = _book(
        [
            _row(内容摘要="反映村道破损", 当前状态="已登记"),
            _row(内容摘要="反映排水不畅", 当前状态="已受理", 受理日期=date(2026, 3, 5)),
            _row(
                内容摘要="反映路灯不亮",
                当前状态="已办结",
                受理日期=date(2026, 3, 5),
                答复日期=date(2026, 4, 10),
                处理结果="解释说明",
            ),
        ]
    )
    import_register(book, actor=_admin(people), unit=people.cast.county)
    imported = Petition.objects.filter(source_reference="").exclude(
        summary__in=[e[0] for e in EXISTING]
    )
    steps = Transition.objects.filter(petition__in=imported)
    audited = AuditEntry.objects.filter(
        action=AuditAction.TRANSITION,
        object_type="petitions.petition",
        object_id__in=[str(pk) for pk in imported.values_list("pk", flat=True)],
    )
    assert steps.count() == audited.count() == 1 + 2 + 4  # registered; accepted; closed
    created = AuditEntry.objects.filter(action=AuditAction.CREATE).count()
    assert AuditEntry.objects.count() - before == steps.count() + created - len(EXISTING)
    assert verify_chain() == []


def test_accepting_a_row_asked_again_after_a_final_re_review_is_refused(people: People) -> None:
    _there(people)
    before = (
        Petition.objects.count(),
        AuditEntry.objects.count(),
        SameMatterCandidate.objects.count(),
    )
    book = _book(
        [
            _row(内容摘要="反映村道破损"),
            _row(
                内容摘要="要求解决土地征收补偿标准偏低",
                信访人="李四",
                联系电话="13900003333",
                当前状态="已受理",
                受理日期=date(2026, 3, 5),
            ),
        ]
    )
    with pytest.raises(RegisterImportInvalid) as refused:
        import_register(book, actor=_admin(people), unit=people.cast.county)
    assert any("第 3 行" in p and "第三十六条" in p for p in refused.value.problems)
    after: Any = (
        Petition.objects.count(),
        AuditEntry.objects.count(),
        SameMatterCandidate.objects.count(),
    )
    assert after == before
    assert verify_chain() == []


def test_a_zip_bomb_or_a_macro_register_is_refused_before_it_is_read(people: People) -> None:
    admin = _admin(people)
    for data, why in [
        (bomb(), "压缩炸弹"),
        (with_part(_book([_row()]), "xl/vbaProject.bin", b"x"), "非文档内容"),
    ]:
        with pytest.raises(RegisterImportInvalid) as refused:
            import_register(data, actor=admin, unit=people.cast.county)
        assert any(why in p for p in refused.value.problems)
    assert not Petition.objects.exists()
