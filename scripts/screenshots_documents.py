"""Screenshots of the issued-documents and citizen pages of the demo, into docs/screenshots.

    xinfang load_demo && xinfang runserver 127.0.0.1:8765 --noreload &
    python scripts/screenshots_documents.py http://127.0.0.1:8765 PK

``PK`` is the demo citizen's matter (反映城关镇西街路灯损坏…).

Debian's Chromium through Playwright (never ``playwright install``); the demo passwords are
the load_demo ones. A PDF page is rasterised with poppler's ``pdftoppm``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "Xinfang@2026"  # noqa: S105 - the demo's published password
CITIZEN = "13800000001"


def sign_in(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def main(base: str, pk: int) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = desk.new_page()
        page.goto(f"{base}/portal/")
        page.locator("#offices").scroll_into_view_if_needed()
        page.locator("section[aria-labelledby=offices]").screenshot(
            path=str(OUT / "portal-office-info.png")
        )
        page.goto(f"{base}/portal/lookup/new-code/")
        page.screenshot(path=str(OUT / "portal-code-replace.png"), full_page=True)

        sign_in(page, base, "handler")
        page.goto(f"{base}/documents/matter/{pk}/")
        page.screenshot(path=str(OUT / "staff-documents.png"), full_page=True)
        page.goto(f"{base}/portal/matter/{pk}/public-title/")
        page.screenshot(path=str(OUT / "staff-public-title.png"), full_page=True)
        pdf = page.request.get(f"{base}/documents/matter/{pk}/answer.pdf").body()
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "answer.pdf"
            source.write_bytes(pdf)
            subprocess.run(  # noqa: S603 - fixed argv
                [
                    shutil.which("pdftoppm") or "/usr/bin/pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    str(source),
                    str(Path(tmp) / "p"),
                ],
                check=True,
            )
            png = next(Path(tmp).glob("p*.png"))
            (OUT / "document-answer.png").write_bytes(png.read_bytes())
        desk.close()

        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = phone.new_page()
        sign_in(page, base, CITIZEN)
        page.goto(f"{base}/portal/mine/")
        page.screenshot(path=str(OUT / "portal-my-matters-mobile.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
