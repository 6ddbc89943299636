"""In a real browser: an administrator uploads the general register with a bad row, reads
the error, uploads the corrected file, reads the preview, confirms and the matters are in."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.documents.punctuation import fullwidth
from xinfang.documents.tests.test_register_import import _book, _row
from xinfang.org.choices import Role
from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition
from xinfang.shell.testing import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "/documents/register/import/"


def _upload(page: Any, data: bytes) -> None:
    page.goto(PAGE)
    page.set_input_files(
        "input[name=file]", files=[{"name": "登记簿.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    page.click("button:has-text('上传并预览')")


def test_an_administrator_previews_fixes_and_imports_the_register(page: Any, cast: Cast) -> None:
    cast.user_with(Role.REGISTRAR, cast.unit_a, "town-registrar")
    admin = cast.user_with(Role.ADMINISTRATOR, cast.county, username="county-admin")
    device = TOTPDevice.objects.create(user=admin, name="手机", confirmed=True)
    page.goto(f"/login/?next={PAGE}")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code/**")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("input[name=code]", f"{totp.token():0{device.digits}d}")
    page.click("button:has-text('验证并登录')")
    page.wait_for_url(f"**{PAGE}")

    accepted = _row(内容摘要="反映路灯不亮", 受理日期=date(2026, 3, 3), 当前状态="已受理")
    _upload(page, _book([_row(), {**accepted, "受理日期": "三月三日"}]))
    page.wait_for_selector("text=未导入任何数据")
    assert fullwidth("「受理事项总登记簿」表第 3 行「受理日期」列") in page.inner_text("main")
    assert page.locator("button:has-text('确认导入')").count() == 0
    assert not Petition.objects.exists()

    _upload(page, _book([_row(), accepted]))
    page.wait_for_selector("button:has-text('确认导入 2 件')")
    assert "已受理" in page.inner_text("#import-status")
    assert not Petition.objects.exists()  # the preview wrote nothing
    page.click("button:has-text('确认导入 2 件')")
    page.wait_for_selector("text=导入完成")
    assert sorted(Petition.objects.values_list("status", flat=True)) == sorted(
        [Status.REGISTERED, Status.ACCEPTED]
    )
