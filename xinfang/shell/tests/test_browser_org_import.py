"""In a real browser: an administrator imports the organisation workbook (one bad row
first), and a new staff member activates the account and signs in."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinfang.org.choices import Role
from xinfang.org.importing import workbook_bytes
from xinfang.org.models import User
from xinfang.shell.testing import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_PASSWORD = "Qingshui-river-2026"


def _upload(page: Any, staff_phone: str) -> None:
    data = workbook_bytes(
        [["339901001", "清水镇", "乡镇（街道）", "339901", "乡镇", "否", "否"]],
        [["qingshui", "陈清水", staff_phone, "339901001", "承办人"]],
    )
    page.set_input_files(
        "input[name=file]", files=[{"name": "org.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    page.click("button:has-text('上传并校验')")


def _sign_in_administrator(page: Any, user: User) -> None:
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    page.goto("/login/?next=/admin/org/unit/import/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code/**")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("input[name=code]", f"{totp.token():0{device.digits}d}")
    page.click("button:has-text('验证并登录')")
    page.wait_for_url("**/admin/org/unit/import/")


def test_an_administrator_fixes_a_bad_row_imports_and_the_new_staff_member_signs_in(
    page: Any, cast: Cast
) -> None:
    cast.county.admin_code = "339901"
    cast.county.save()
    admin = cast.user_with(Role.ADMINISTRATOR, cast.county, username="county-admin")
    _sign_in_administrator(page, admin)

    _upload(page, "139-0000-12a")  # a letter in the phone number
    page.wait_for_selector("text=需要更正的问题")
    assert "「人员」表第 2 行「手机号」列" in page.inner_text(".problems")
    assert page.locator("button:has-text('确认导入')").count() == 0

    _upload(page, "13900001234")
    page.wait_for_selector("text=预览：确认后将做以下变更")
    assert "人员（新建）：1" in page.inner_text("#content")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=导入完成")
    link = page.inner_text("code.activation-link")
    assert User.objects.get(username="qingshui").unit.name == "清水镇"

    page.context.clear_cookies()  # the administrator hands the printed list over
    page.goto(link)
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("button:has-text('设置密码并激活')")
    page.wait_for_url("**/login/**")
    page.fill("input[name=username]", "qingshui")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    assert "承办人" in page.inner_text("main")
    page.goto(link)  # the link was good once
    assert "激活链接无效" in page.inner_text("main")
