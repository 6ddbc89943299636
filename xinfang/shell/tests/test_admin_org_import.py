"""The admin's organisation import: upload, preview, confirm, the one-time list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinfang.org import importing
from xinfang.org.choices import Role
from xinfang.org.importing import workbook_bytes
from xinfang.org.models import Unit, User
from xinfang.shell.testing import Cast, sign_in

pytestmark = pytest.mark.django_db

URL = "/admin/org/unit/import/"


def admin_client(cast: Cast) -> Client:
    cast.county.admin_code = "339901"
    cast.county.save()
    client = Client()
    sign_in(client, cast.user_with(Role.ADMINISTRATOR, cast.county))
    return client


def upload(client: Client, units: list[list[str]], staff: list[list[str]]) -> object:
    data = workbook_bytes(units, staff)
    return client.post(URL, {"file": SimpleUploadedFile("org.xlsx", data), "preview": "1"})


UNITS = [["339901001", "丙镇", "乡镇（街道）", "339901", "", "否", "否"]]
STAFF = [["bing", "丙一", "", "339901001", "承办人"]]


def test_preview_shows_the_changes_and_writes_nothing(cast: Cast) -> None:
    response = upload(admin_client(cast), UNITS, STAFF)
    assert response.status_code == 200
    assert (
        "单位（新建）：1" in response.content.decode() and "确认导入" in response.content.decode()
    )
    assert not Unit.objects.filter(admin_code="339901001").exists()


def test_a_bad_row_is_shown_with_sheet_row_and_column(cast: Cast) -> None:
    response = upload(admin_client(cast), UNITS, [["bing", "丙一", "12", "339901001", "承办人"]])
    assert response.status_code == 400
    assert "「人员」表第 2 行「手机号」列" in response.content.decode()
    assert "确认导入" not in response.content.decode()


def test_confirm_imports_and_lists_each_activation_link_once(cast: Cast) -> None:
    client = admin_client(cast)
    upload(client, UNITS, STAFF)
    response = client.post(URL, {"confirm": "1"})
    text = response.content.decode()
    assert response.status_code == 200 and "导入完成" in text
    assert "http://testserver/account/activate/" in text
    assert User.objects.get(username="bing").unit.admin_code == "339901001"
    again = client.post(URL, {"confirm": "1"})
    assert again.status_code == 400 and "已失效" in again.content.decode()


def test_the_template_is_downloadable(cast: Cast) -> None:
    response = admin_client(cast).get(URL + "template/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_unit_list_links_to_the_import(cast: Cast) -> None:
    assert URL in admin_client(cast).get("/admin/org/unit/").content.decode()


def test_a_non_administrator_gets_404(cast: Cast) -> None:
    client = Client()
    sign_in(client, cast.user_with(Role.HANDLER, cast.county))
    assert client.get(URL).status_code == 404
    assert client.get(URL + "progress/").status_code == 404


def test_while_the_import_runs_the_page_reads_the_servers_percentage(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = admin_client(cast)
    upload(client, UNITS, [*STAFF, ["ding", "丁一", "", "339901001", "承办人"]])
    assert client.get(URL + "progress/").json()["percent"] == 0  # previewed, not started
    seen: list[dict[str, object]] = []
    apply_plan = importing.apply_plan

    def watched(plan: importing.ImportPlan, **kwargs: object) -> importing.ImportResult:
        report = kwargs["progress"]

        def progress(done: int, total: int, phase: str) -> None:
            report(done, total, phase)  # type: ignore[operator]
            seen.append(client.get(URL + "progress/").json())  # the page polls meanwhile

        kwargs["progress"] = progress
        return apply_plan(plan, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "apply_plan", watched)
    assert client.post(URL, {"confirm": "1"}).status_code == 200
    percents = [poll["percent"] for poll in seen]
    assert percents == sorted(percents) and 0 < percents[0] < 100 and percents[-1] == 100
    # A unit, two accounts and their two grants.
    assert seen[-1]["total"] == 5 and seen[-1]["processed"] == 5
    assert client.get(URL + "progress/").json()["percent"] == 100  # the last poll after it
