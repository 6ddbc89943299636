"""Issued documents are frozen, numbered per type and year, and laid out by GB/T 9704-2012."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse

from xinfang.core import crypto
from xinfang.documents.drafts import DOCUMENTS
from xinfang.documents.errors import DocumentAltered
from xinfang.documents.models import IssuedDocument
from xinfang.documents.punctuation import fullwidth
from xinfang.documents.services import issue, printable
from xinfang.documents.tests.helpers import client_for, pdf_pages, pdf_text
from xinfang.petitions.choices import Channel, Kind
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, extend_handling, register_petition
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition, petitioner_proof, refresh
from xinfang.petitions.workflow import transition

pytestmark = pytest.mark.django_db

ANSWER = {
    "outcome": "support",
    "request": "请求修复道路",
    "facts": "经实地核查，道路积水属实（见现场照片）",
    "reasons": "属于本机关职责",
    "legal_basis": "《信访工作条例》第三十二条",
}
NUMBER = re.compile(r"〔(\d{4})〕([1-9]\d*)号")
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(r"[\u4e00-\u9fff][,:;()?!]|[,:;()?!][\u4e00-\u9fff]")


@contextmanager
def on(day: date) -> Iterator[None]:
    with time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False):
        yield


def pdf_url(p: Petition, kind: str) -> str:
    return reverse("documents:document_pdf", args=[p.pk, kind])


def _accepted(people: People, day: date, **kwargs: Any) -> Petition:
    with on(day):
        p = make_petition(people.cast, received_on=day, summary="反映道路积水问题", **kwargs)
        return transition(p, "accepted", actor=people.handler_a)


def _print(user: Any, url: str) -> bytes:
    response = client_for(user).get(url)
    assert response.status_code == 200, response.status_code
    return response.content


def test_acceptance_notice_keeps_the_due_date_of_its_acceptance_after_an_extension(
    people: People,
) -> None:
    p = _accepted(people, date(2026, 4, 3))
    first = _print(people.handler_a, pdf_url(p, "acceptance"))
    # Accepted 04-03: 60 days → 06-02 (Tue).
    assert "办理期限至2026年6月2日" in pdf_text(first)
    with on(date(2026, 5, 20)):
        extend_handling(refresh(p), actor=people.leader_a, days=20, reason="需要鉴定")
    again = _print(people.leader_a, pdf_url(p, "acceptance"))
    assert again == first  # re-printed as issued
    assert "延长20日" in pdf_text(_print(people.leader_a, pdf_url(p, "extension")))
    assert IssuedDocument.objects.filter(petition=p).count() == 2


def test_acceptance_first_printed_after_an_extension_still_shows_the_acceptance_due(
    people: People,
) -> None:
    p = _accepted(people, date(2026, 4, 3))
    with on(date(2026, 5, 20)):
        extend_handling(refresh(p), actor=people.leader_a, days=20, reason="需要鉴定")
    text = pdf_text(_print(people.handler_a, pdf_url(p, "acceptance")))
    assert "办理期限至2026年6月2日" in text and "6月22日" not in text


def test_numbers_count_per_issuing_body_type_and_year_not_by_database_id(
    people: People,
) -> None:
    matters = [_accepted(people, date(2026, 3, 2)) for _ in range(3)]
    numbers = []
    for p in matters:
        text = pdf_text(_print(people.handler_a, pdf_url(p, "acceptance")))
        numbers.append(NUMBER.search(text).groups())  # type: ignore[union-attr]
    assert numbers == [("2026", "1"), ("2026", "2"), ("2026", "3")]
    with on(date(2026, 3, 20)):
        answered = transition(refresh(matters[0]), "answered", actor=people.leader_a, **ANSWER)
    text = pdf_text(_print(people.handler_a, pdf_url(answered, "answer")))
    assert "甲镇处意〔2026〕1号" in text  # its own series, starting at 1
    # The number sits after the header, before the title (GB/T 9704-2012 §7.2.4).
    assert text.index("甲镇处意〔2026〕1号") < text.index("信访事项处理意见书")
    earlier = _accepted(people, date(2025, 12, 1))
    assert "甲镇受告〔2025〕1号" in pdf_text(
        _print(people.handler_a, pdf_url(earlier, "acceptance"))
    )


def _answered_at_village(people: People) -> Petition:
    with on(date(2026, 3, 2)):
        p = make_petition(people.cast, unit=people.cast.village_a, summary="反映宅基地问题")
        p = transition(p, "accepted", actor=people.handler_a)
    with on(date(2026, 3, 20)):
        return transition(refresh(p), "answered", actor=people.leader_a, **ANSWER)


def _step(p: Petition, to: str, actor: Any, day: date, **payload: Any) -> Petition:
    with on(day):
        proof = petitioner_proof(p) if actor is None else None
        return transition(refresh(p), to, actor=actor, petitioner=proof, **payload)


def test_every_stage_keeps_its_opinion_with_its_own_code_and_article(people: People) -> None:
    p = _answered_at_village(people)
    p = _step(p, "review_requested", None, date(2026, 3, 25), reason="不服")
    p = _step(p, "reviewed", people.leader_a, date(2026, 4, 10), **ANSWER)
    p = _step(p, "rereview_requested", None, date(2026, 4, 20), reason="仍不服")
    p = _step(p, "final", people.county_leader, date(2026, 5, 8), **ANSWER)
    index = client_for(people.county_leader).get(reverse("documents:document_index", args=[p.pk]))
    body = index.content.decode()
    answers = DOCUMENTS["answer"].drafts(p)
    assert [d.title for d in answers] == [
        "信访事项处理意见书",
        "信访事项复查意见书",
        "信访事项复核意见书",
    ]
    texts = []
    for draft in answers:
        assert quote(draft.source) in body  # every stage can still be printed
        url = pdf_url(p, "answer") + f"?source={draft.source}"
        texts.append(pdf_text(_print(people.county_leader, url)))
    handling, review, rereview = texts
    assert "处意〔2026〕1号" in handling and "请求复查（《信访工作条例》第三十五条）" in handling
    assert "甲镇复查意〔2026〕1号" in review and "请求复核（《信访工作条例》第三十六条）" in review
    assert (
        "测试县复核意〔2026〕1号" in rereview
        and "终结意见（《信访工作条例》第三十六条）" in rereview
    )
    # The original answer and its receipt stay printable after the review opinion.
    receipt = pdf_url(p, "receipt") + f"?source={answers[0].source}"
    assert "处意〔2026〕1号" in pdf_text(_print(people.county_leader, receipt))


def test_documents_print_full_width_punctuation(people: People) -> None:
    p = _accepted(people, date(2026, 3, 2))
    with on(date(2026, 3, 20)):
        p = transition(refresh(p), "answered", actor=people.leader_a, **ANSWER)
    for kind in ("acceptance", "answer", "receipt", "completion"):
        text = pdf_text(_print(people.leader_a, pdf_url(p, kind)))
        assert not HALF_WIDTH_NEXT_TO_CHINESE.search(text), (kind, text)
    # The handler's own half-width marks are printed full-width too.
    assert "经实地核查，道路积水属实（见现场照片）" in pdf_text(
        _print(people.leader_a, pdf_url(p, "answer"))
    )


def test_fullwidth_leaves_latin_and_digits_alone() -> None:
    assert fullwidth("于10:30到达（A区），请带身份证") == "于10:30到达（A区），请带身份证"
    assert fullwidth("a, b (c)") == "a, b (c)"
    assert fullwidth("文书（PDF）") == "文书（PDF）"


def test_last_page_holds_more_than_the_signature_date(people: People) -> None:
    long_facts = "经调查核实，该路段排水设施年久失修，雨季积水严重影响群众出行。" * 40
    p = _accepted(people, date(2026, 3, 2))
    with on(date(2026, 3, 20)):
        p = transition(
            refresh(p), "answered", actor=people.leader_a, **(ANSWER | {"facts": long_facts})
        )
    pages = pdf_pages(_print(people.leader_a, pdf_url(p, "answer")))
    assert len(pages) >= 2
    last = pages[-1]
    assert "2026年3月20日" in last
    assert "救济途径和期限" in last  # the last paragraph stays with the signature
    assert re.search(r"—\d+—", last)  # page number "— 2 —"


def test_acceptance_notice_prints_the_query_code_only_when_the_petitioner_lacks_it(
    people: People,
) -> None:
    letter = _accepted(people, date(2026, 3, 2), channel=Channel.LETTER)
    code = crypto.open_(letter.query_code_token)
    text = pdf_text(_print(people.handler_a, pdf_url(letter, "acceptance")))
    assert "您的查询码为" in text and code in text
    with on(date(2026, 3, 2)):
        online = register_petition(
            actor=None,
            registering_unit=people.cast.unit_a,
            channel=Channel.ONLINE,
            kind=Kind.APPEAL,
            summary="网上反映道路积水",
            petitioners=[PetitionerData(name="网上信访人", phone="13900002222")],
            propose_matches=False,
        ).petition
        online = transition(online, "accepted", actor=people.handler_a)
    text = pdf_text(_print(people.handler_a, pdf_url(online, "acceptance")))
    assert "您的查询码为" not in text


def test_acceptance_in_an_uncovered_year_prints_the_provisional_due(people: People) -> None:
    # 2026-12-01 + 60 days falls in 2027, whose holiday schedule is not entered.
    p = _accepted(people, date(2026, 12, 1))
    text = pdf_text(_print(people.handler_a, pdf_url(p, "acceptance")))
    assert "办理期限至待定，不早于2027年1月30日" in text


def test_an_altered_archive_is_never_printed(people: People) -> None:
    p = _accepted(people, date(2026, 3, 2))
    doc = issue(p, DOCUMENTS["acceptance"].latest(p), actor=people.handler_a)  # type: ignore[arg-type]
    IssuedDocument.objects.filter(pk=doc.pk).update(pdf=bytes(doc.pdf) + b"%tampered")
    with pytest.raises(DocumentAltered):
        printable(IssuedDocument.objects.get(pk=doc.pk), people.handler_a)


def test_a_copy_for_the_unentitled_hides_a_confidential_name(people: People) -> None:
    p = _accepted(
        people,
        date(2026, 3, 2),
        petitioners=[
            PetitionerData(name="保密人丁", phone="13900001111", wants_confidentiality=True)
        ],
    )
    issued = _print(people.handler_a, pdf_url(p, "acceptance"))
    assert "保密人丁" in pdf_text(issued)
    supervisor = people.cast.user_with("supervisor", people.cast.county, "copy-supervisor")
    doc = IssuedDocument.objects.get(petition=p)
    copy = _print(supervisor, reverse("documents:issued_pdf", args=[doc.pk]))
    text = pdf_text(copy)
    assert "保密人丁" not in text and doc.number in text
    assert crypto.open_(p.query_code_token) not in text


def test_an_accusation_held_by_discipline_prints_without_the_accuser_for_the_office(
    people: People,
) -> None:
    # Art. 30: the county office that routed the accusation keeps its hand-over slip, not
    # the accuser's name; the discipline body prints it as issued.
    cast = people.cast
    with on(date(2026, 3, 2)):
        p = make_petition(
            cast,
            unit=cast.county,
            actor=people.registrar,
            kind=Kind.ACCUSATION,
            accused_unit=cast.department,
            summary="检举县自然资源局",
            petitioners=[PetitionerData(name="实名检举人", phone="13900003333")],
        )
        p = transition(p, "routed", actor=people.registrar, to_unit=people.discipline)
    body = _print(people.discipline_handler, pdf_url(p, "handover"))
    assert "实名检举人" in pdf_text(body)
    copy = _print(people.registrar, pdf_url(p, "handover"))
    assert "实名检举人" not in pdf_text(copy)
