"""In real Chromium: a registrar registers a letter; the responsible unit accepts, extends
and answers it, records the delivery receipt and reads the petitioner's full phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xinfang.org.choices import Role
from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition
from xinfang.shell.testing import PASSWORD, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def _logout(page) -> None:
    page.context.clear_cookies()


def test_registrar_registers_and_the_unit_accepts_extends_and_answers(
    page, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    cast = build_cast()
    cast.user_with(Role.REGISTRAR, cast.unit_a, "reg")
    cast.user_with(Role.UNIT_LEADER, cast.unit_a, "boss")

    _login(page, "reg")
    page.goto("/petitions/new/")
    page.select_option("#id_registering_unit", str(cast.unit_a.pk))
    page.select_option("#id_channel", "letter")
    page.select_option("#id_kind", "appeal")
    page.fill("#id_summary", "反映甲镇菜市场排水沟堵塞")
    page.fill("#id_people-0-name", "浏览器信访人")
    page.fill("#id_people-0-phone", "13812340000")
    page.click("#add-person")
    page.fill("#id_people-1-name", "联名人甲")
    page.select_option("#id_people-1-role", "cosigner")
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("text=信访人查询码")
    p = Petition.objects.get()
    assert p.petitioners.count() == 2
    _logout(page)

    _login(page, "boss")
    page.goto(f"/petitions/{p.pk}/")
    page.click("summary:has-text('受理并书面告知')")
    page.fill("#id_accept-notice", "已受理，60日内办结")
    page.click("#step-accept button[type=submit]")
    page.wait_for_selector("text=已完成：受理并书面告知")
    page.click("summary:has-text('延长办理期限')")
    page.fill("#id_ext-days", "30")
    page.fill("#id_ext-reason", "需要现场勘查")
    page.click("#extend-form button[type=submit]")
    page.wait_for_selector("text=已延长办理期限")
    page.click("summary:has-text('出具信访处理意见书')")
    page.select_option("#id_answer-outcome", "support")
    page.fill("#id_answer-facts", "排水沟确有堵塞")
    page.fill("#id_answer-reasons", "属镇政府职责")
    page.fill("#id_answer-legal_basis", "《信访工作条例》第三十二条")
    page.click("#step-answer button[type=submit]")
    page.wait_for_selector("text=已完成：出具信访处理意见书")
    p.refresh_from_db()
    assert p.status == Status.ANSWERED and p.extension_days == 30
    assert page.locator("text=予以支持").count() >= 1

    # The answering unit records the delivery receipt (htmx form) …
    answer = p.answers.get()
    page.click("summary:has-text('登记送达回证')")
    page.fill(f"#id_dlv{answer.pk}-delivered_on", timezone.localdate().isoformat())
    page.fill(f"#id_dlv{answer.pk}-recipient", "浏览器信访人")
    page.click(f"#delivery-form-{answer.pk} button[type=submit]")
    page.wait_for_selector("text=已登记送达回证")
    assert Petition.objects.get(pk=p.pk).answer_delivered_on == timezone.localdate()
    # … and reads the petitioner's full phone number, in place (audited).
    person = p.petitioners.get(role="primary")
    assert page.locator("text=13812340000").count() == 0
    page.click(f"#person-{person.pk} button:has-text('查看完整信息')")
    page.wait_for_selector(f"#person-{person.pk} >> text=13812340000")
    assert page.locator("text=已显示完整信息").count() == 1
