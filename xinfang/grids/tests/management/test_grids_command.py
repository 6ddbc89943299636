import csv
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.grids.choices import BoundaryRole
from xinfang.grids.geometry import parse_tiling
from xinfang.grids.models import Boundary
from xinfang.grids.tests import shapes
from xinfang.grids.tests.shapes import DLAT, DLON, LAT, LON
from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit


def run(*args, capsys):
    try:
        call_command("grids", *args)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


@pytest.fixture
def write(tmp_path):
    def _write(name, collection):
        path = tmp_path / name
        path.write_text(collection if isinstance(collection, str) else shapes.text(collection))
        return str(path)

    return _write


def test_check_exits_0_on_a_clean_tiling(write, capsys):
    code, lines, _ = run("check", write("ok.geojson", shapes.grids()), capsys=capsys)
    assert code == 0
    assert lines[-1].startswith("网格划分完整：4 个网格")


def test_check_exits_1_printing_one_line_per_gap_and_overlap(write, capsys):
    faulty = shapes.grids(G11=shapes.OVERLAP_BOX, G22=shapes.GAP_BOX)
    code, lines, _err = run("check", write("bad.geojson", faulty), capsys=capsys)
    assert code == 1
    assert len(lines) == 2
    assert lines[0].startswith("重叠 G11,G21 面积 ") and " m² " in lines[0]
    assert lines[1].startswith("空白 G12,G22 面积 ")
    area = float(lines[1].split("面积 ")[1].split(" m²")[0])
    expected = shapes.rectangle_m2(
        LON + DLON, LAT + 2 * DLAT - 0.0005, LON + 2 * DLON, LAT + 2 * DLAT
    )
    assert area == pytest.approx(expected, rel=1e-3)


def test_check_exits_1_naming_an_invalid_grid(write, capsys):
    with pytest.raises(CommandError, match="网格 G12的边界无效") as caught:
        call_command("grids", "check", write("bow.geojson", shapes.grids(G12=shapes.BOWTIE)))
    assert caught.value.returncode == 1


def test_check_exits_2_on_a_file_that_is_not_geojson(write):
    with pytest.raises(CommandError, match="不是有效的 JSON") as caught:
        call_command("grids", "check", write("x.geojson", "{not json"))
    assert caught.value.returncode == 2


def test_assign_writes_each_address_grid_code_and_empty_outside(write, tmp_path, capsys):
    addresses = tmp_path / "a.csv"
    addresses.write_text(
        "id,lon,lat\n"
        f"a1,{LON + 0.001},{LAT + 0.001}\n"
        f"a2,{LON + DLON + 0.001},{LAT + DLAT + 0.001}\n"
        f"a3,{LON - 1},{LAT}\n"
    )
    out = tmp_path / "out.csv"
    grids_file = write("g.geojson", shapes.grids())
    code, _, err = run(
        "assign", str(addresses), "--grids", grids_file, "--out", str(out), capsys=capsys
    )
    assert code == 0
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows == [["id", "grid_code"], ["a1", "G11"], ["a2", "G22"], ["a3", ""]]
    assert "3 个地址，2 个落在 4 个网格内" in err


def test_assign_refuses_a_file_without_coordinates(tmp_path, write):
    addresses = tmp_path / "a.csv"
    addresses.write_text("id,x\n1,2\n")
    with pytest.raises(CommandError, match="缺少列：lat,lon"):
        call_command(
            "grids",
            "assign",
            str(addresses),
            "--grids",
            write("g.geojson", shapes.grids()),
            "--out",
            str(tmp_path / "o.csv"),
        )


@pytest.mark.django_db
def test_import_stores_a_faulty_tiling_and_assign_then_uses_the_database(write, tmp_path, capsys):
    town = Unit.objects.create(name="测试街道", level=UnitLevel.TOWNSHIP)
    community = Unit.objects.create(name="测试社区", level=UnitLevel.VILLAGE, parent=town)
    faulty = write("bad.geojson", shapes.grids(G22=shapes.GAP_BOX))
    code, lines, _ = run("import", faulty, "--community", str(community.pk), capsys=capsys)
    assert code == 1
    assert lines[0] == "已导入 4 个网格边界" and lines[1].startswith("空白 G12,G22")
    stored = Boundary.objects.filter(unit__parent=community, role=BoundaryRole.GRID)
    assert sorted(stored.values_list("code", flat=True)) == ["G11", "G12", "G21", "G22"]
    assert all(b.unit.level == UnitLevel.GRID for b in stored)

    addresses = tmp_path / "a.csv"
    addresses.write_text(
        f"id,lon,lat\nx,{LON + 0.015},{LAT + 0.0099}\ny,{LON + 0.001},{LAT + 0.001}\n"
    )
    out = tmp_path / "out.csv"
    assert run("assign", str(addresses), "--out", str(out), capsys=capsys)[0] == 0
    assert list(csv.reader(out.read_text().splitlines()))[1:] == [["x", ""], ["y", "G11"]]

    code, lines, _ = run("export", "--community", str(community.pk), capsys=capsys)
    exported = json.loads(lines[0])
    assert [f["properties"]["role"] for f in exported["features"]].count("grid") == 4


@pytest.mark.django_db
def test_addresses_are_imported_from_xlsx_and_placed_in_grids(write, tmp_path, capsys):
    from openpyxl import Workbook

    from xinfang.core.workflow import SYSTEM
    from xinfang.grids import services
    from xinfang.grids.models import Address

    town = Unit.objects.create(name="测试街道", level=UnitLevel.TOWNSHIP)
    community = Unit.objects.create(name="测试社区", level=UnitLevel.VILLAGE, parent=town)
    services.import_tiling(
        actor=SYSTEM, community=community, tiling=parse_tiling(shapes.text(shapes.grids()))
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "lon", "lat", "label", "households"])
    sheet.append(["1", LON + 0.001, LAT + 0.001, "东街1号", 12])
    sheet.append(["2", LON - 1, LAT, "界外", 3])
    path = tmp_path / "a.xlsx"
    book.save(path)
    code, lines, _ = run("addresses", str(path), "--community", str(community.pk), capsys=capsys)
    assert code == 0 and lines == ["已导入 2 个地址，1 个落在网格内"]
    placed = Address.objects.get(external_id="1")
    assert (placed.grid.boundary.code, placed.households) == ("G11", 12)
    assert Address.objects.get(external_id="2").grid is None
