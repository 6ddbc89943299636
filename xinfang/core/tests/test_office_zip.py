"""An office file is judged from its zip directory: a zip bomb, a macro project or a
script part is refused before anything unpacks it; an honest workbook passes."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from xinfang.core.errors import OfficeZipRejected
from xinfang.core.office_zip import check_office_zip


def workbook() -> bytes:
    fh = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["编码", "名称"])
    wb.save(fh)
    return fh.getvalue()


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` (a workbook) with one more part, compressed."""
    fh = io.BytesIO(data)
    fh.seek(0, io.SEEK_END)
    with zipfile.ZipFile(fh, "a", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(name, content)
    return fh.getvalue()


def bomb() -> bytes:
    """A workbook with a sheet of 20 MB of zeros: a few KB compressed, ratio > 100."""
    return with_part(workbook(), "xl/worksheets/sheet2.xml", b"0" * (20 * 1024 * 1024))


def check(data: bytes, **limits: int) -> None:
    check_office_zip(io.BytesIO(data), len(data), **limits)


def test_an_honest_workbook_passes() -> None:
    check(workbook())


def test_a_zip_bomb_is_refused_by_its_ratio_whatever_the_size_limit() -> None:
    with pytest.raises(OfficeZipRejected, match="压缩炸弹"):
        check(bomb(), max_unpacked=2**40)


def test_a_workbook_unpacking_beyond_the_size_limit_is_refused() -> None:
    with pytest.raises(OfficeZipRejected, match="压缩炸弹"):
        check(workbook(), max_unpacked=1000)


@pytest.mark.parametrize("part", ["xl/vbaProject.bin", "xl/page.html", "run.exe"])
def test_a_macro_project_page_or_program_inside_is_refused(part: str) -> None:
    with pytest.raises(OfficeZipRejected, match="非文档内容"):
        check(with_part(workbook(), part, b"x"))


def test_a_file_that_is_no_zip_is_refused() -> None:
    with pytest.raises(OfficeZipRejected, match="已损坏"):
        check(b"not a zip at all")
