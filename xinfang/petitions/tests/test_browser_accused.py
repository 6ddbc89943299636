"""In real Chromium: users of an accused unit cannot find the accusation (条例 Art. 30).

An accusation against the department is registered with unique canary strings in its
summary, full text, petitioner, accused person and attachment name, routed to the county
discipline body, supervised by the county office and reminded about. The department's
leader and handler sign in through the login page and open every page where a matter can
surface (the matter list and its search, the due list, the inbox, the dashboard, the
supervision list, the general register) and the matter's own URLs (detail, documents,
supervision panel, attachment, supervision notice): no canary appears anywhere and the
matter's URLs answer 404. As a control, a discipline-body handler finds the same canaries
through the same pages, so the test fails if the canaries were simply never rendered.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.documents.drafts import DOCUMENTS
from xinfang.org.choices import Role
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.models import Petition
from xinfang.petitions.reminders import messages_about, run_deadline_job
from xinfang.petitions.services import PetitionerData, add_attachment, register_petition
from xinfang.petitions.tests.fixtures import unit_staff
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import PASSWORD, build_cast
from xinfang.supervision.services import issue_notice

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

_RUN = uuid.uuid4().hex[:8]
CANARY_SUMMARY = f"CANARY-BR-SUMMARY-{_RUN}"
CANARY_TEXT = f"CANARY-BR-FULLTEXT-{_RUN}"
CANARY_NAME = f"CANARY-BR-NAME-{_RUN}"
CANARY_PERSON = f"CANARY-BR-PERSON-{_RUN}"
CANARY_FILE = f"CANARY-BR-FILE-{_RUN}"
CANARY_NOTICE = f"CANARY-BR-NOTICE-{_RUN}"
PDF = b"%PDF-1.4\n" + CANARY_FILE.encode() + b"\n%%EOF\n"
ORDINARY = "对照事项：反映自然资源局审批窗口排队过长"


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def _plant():
    """The accusation against the department, its supervision and reminders, and an
    ordinary matter the department does handle (so its pages are not simply empty)."""
    cast = build_cast()
    staff = unit_staff(cast)
    registrar = cast.user_with(Role.REGISTRAR, cast.county, "county-registrar")
    supervisor = cast.user_with(Role.SUPERVISOR, cast.county, "county-supervisor")
    today = timezone.localdate()
    received = today - timedelta(days=20)
    # Routed 15 days ago: the written notice (15 days, Art. 23) is due today (later only
    # when a holiday moves the end), so the matter is on the due-soon list and not yet
    # overdue: overdue is judged against today even for a step entered with its real date.
    routed = today - timedelta(days=15)
    accusation = register_petition(
        actor=registrar,
        registering_unit=cast.county,
        channel="letter",
        kind=Kind.ACCUSATION,
        summary=f"{CANARY_SUMMARY} 检举违规审批",
        full_text=CANARY_TEXT,
        received_on=received,
        accused_unit=cast.department,
        accused_person=CANARY_PERSON,
        petitioners=[PetitionerData(name=CANARY_NAME, phone="13955550001")],
        propose_matches=False,
    ).petition
    attachment = add_attachment(
        accusation,
        actor=registrar,
        upload=SimpleUploadedFile(f"{CANARY_FILE}.pdf", PDF, content_type="application/pdf"),
    )
    accusation = transition(
        accusation, Status.ROUTED, actor=registrar, to_unit=staff["discipline"], today=routed
    )
    notice = issue_notice(
        actor=supervisor,
        petition=accusation,
        supervising_unit=cast.county,
        reasons=f"{CANARY_NOTICE} 请加快核查",
        recommendation="依纪依法办理",
    )
    ordinary = register_petition(
        actor=registrar,
        registering_unit=cast.county,
        channel="letter",
        kind=Kind.APPEAL,
        summary=ORDINARY,
        received_on=received,
        petitioners=[PetitionerData(name="对照信访人", phone="13955550002")],
        propose_matches=False,
    ).petition
    transition(ordinary, Status.ROUTED, actor=registrar, to_unit=cast.department, today=routed)
    accusation.refresh_from_db()
    # The periodic job on the notice's due day queues the reminders, each to the matter's
    # responsible unit only.
    run_deadline_job(accusation.next_due)
    assert messages_about(accusation).exists()
    canaries = (
        CANARY_SUMMARY,
        CANARY_TEXT,
        CANARY_NAME,
        CANARY_PERSON,
        CANARY_FILE,
        CANARY_NOTICE,
        accusation.number,
    )
    leader = cast.user_with(Role.UNIT_LEADER, cast.department, "leader-dept")
    handler = cast.user_with(Role.HANDLER, cast.department, "handler-dept")
    return accusation, attachment, notice, canaries, (leader, handler), staff


def _pages() -> list[str]:
    """Every page where a matter can surface, for whoever is signed in."""
    return [
        "/petitions/",
        "/petitions/?kind=accusation",
        "/petitions/due/",
        "/org/inbox/?scope=subunits",
        "/dashboard/",
        "/supervision/?kind=notice",
        "/documents/register/",
    ]


def _matter_urls(accusation: Petition, attachment, notice) -> list[str]:
    """The matter's own URLs, typed in directly."""
    return [
        f"/petitions/{accusation.pk}/",
        f"/documents/matter/{accusation.pk}/",
        f"/supervision/matter/{accusation.pk}/",
        f"/petitions/attachments/{attachment.pk}/",
        f"/documents/supervision-notice/{notice.pk}.pdf",
        *(f"/documents/matter/{accusation.pk}/{kind}.pdf" for kind in DOCUMENTS),
    ]


def _search(page, fragment: str) -> str:
    """Search the matter list through its search box; the results as rendered."""
    page.goto("/petitions/")
    page.fill("#id_q", fragment)
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    return page.content()


def test_accused_unit_users_find_no_trace_of_the_accusation_in_the_browser(page) -> None:
    accusation, attachment, notice, canaries, accused, staff = _plant()
    # A fragment of the summary, not the whole canary: the search box echoes the query.
    fragment = CANARY_SUMMARY.removeprefix("CANARY-")

    for user in accused:
        _login(page, user.username)
        seen = []
        for url in _pages():
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            seen.append((url, page.content()))
        seen.append((f"search {fragment}", _search(page, fragment)))
        assert "没有符合条件的信访事项" in page.inner_text("main table")
        # The exact matter number is searchable too; it is echoed in the box, so only the
        # results table is checked.
        _search(page, accusation.number)
        assert "没有符合条件的信访事项" in page.inner_text("main table")
        page.goto(f"/documents/register/?q={fragment}")
        assert "符合条件的事项 0 件" in page.inner_text("main")
        for url in _matter_urls(accusation, attachment, notice):
            if url.endswith("/"):
                response = page.goto(url)
                assert response is not None and response.status == 404, url
                seen.append((url, page.content()))
            else:  # downloads: fetched with the page's session, never rendered
                fetched = page.request.get(url)
                assert fetched.status == 404, url
                seen.append((url, fetched.text()))
        for where, text in seen:
            for canary in canaries:
                assert canary not in text, (user.username, where, canary)
        # The department's own matter is there: the pages are scoped, not broken.
        page.goto("/petitions/")
        assert ORDINARY in page.inner_text("main")

    # Control: the discipline body finds the very same canaries through the same pages.
    _login(page, staff["discipline_handler"].username)
    assert CANARY_SUMMARY in _search(page, fragment)
    _search(page, accusation.number)
    assert CANARY_SUMMARY in page.inner_text("main table")
    page.goto("/petitions/due/")
    assert accusation.number in page.inner_text("main")
    page.goto("/org/inbox/")
    assert accusation.number in page.inner_text("main")
    page.goto("/supervision/?kind=notice")
    assert CANARY_SUMMARY in page.inner_text("main")
    page.goto(f"/documents/register/?q={fragment}")
    assert "符合条件的事项 1 件" in page.inner_text("main")
    response = page.goto(f"/petitions/{accusation.pk}/")
    assert response is not None and response.status == 200
    detail = page.inner_text("main")
    assert CANARY_SUMMARY in detail and CANARY_TEXT in detail and CANARY_NAME in detail
    assert CANARY_FILE in page.content()
    assert page.goto(f"/documents/matter/{accusation.pk}/").status == 200
    assert page.request.get(f"/petitions/attachments/{attachment.pk}/").status == 200
