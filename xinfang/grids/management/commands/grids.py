"""``xinfang grids check|import|export|assign``: community boundaries and address placement.

``check FILE.geojson``: FILE holds one feature with ``"role": "community"`` and the others
with ``"role": "grid"`` and a ``"code"`` (WGS-84; ``"coordinate_system": "GCJ-02"`` on the
collection converts from the Chinese web maps' offset). Prints one line per overlap, gap
or overreach with the grid codes and the area in m²; exits 0 on a clean tiling, 1 on a
faulty one (an invalid polygon counts as faulty and is named), 2 when the file cannot be
read as such a collection.

``import FILE --community ID`` stores the boundaries (a faulty tiling too, to be fixed on
the map) and prints the check; ``export --community ID`` writes the stored GeoJSON.

``addresses FILE --community ID`` imports a community's addresses and households (xlsx
or CSV, columns ``id,lon,lat`` and optional ``label,households``) and places each in its
grid. ``assign ADDRESSES.csv [--grids FILE.geojson] --out F.csv``: columns ``id,lon,lat`` in,
``id,grid_code`` out (empty outside every grid); without ``--grids`` the grids stored in
the database are used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from shapely.geometry import shape

from xinfang.core.workflow import SYSTEM
from xinfang.grids import services
from xinfang.grids.assignment import (
    GridIndex,
    read_address_csv,
    read_addresses,
    write_assignment_csv,
)
from xinfang.grids.choices import BoundaryRole
from xinfang.grids.errors import AddressImportRejected, GeoJSONInvalid, GeometryInvalid
from xinfang.grids.geometry import (
    DEFAULT_SLIVER_M2,
    TilingReport,
    check_tiling,
    parse_tiling,
    to_feature_collection,
)
from xinfang.grids.models import Address, Boundary
from xinfang.org.models import Unit


def community_addresses_placed(community: Unit) -> int:
    return Address.objects.filter(community=community, grid__isnull=False).count()


FAULTY = 1
UNREADABLE = 2


def _read(filename: str) -> str:
    try:
        return Path(filename).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"无法读取文件 {filename}：{exc}", returncode=UNREADABLE) from exc


class Command(BaseCommand):
    help = "网格边界检查、导入导出，以及按坐标把地址分配到网格"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="检查网格是否横向到边、不留空白、不交叉重叠")
        check.add_argument("file", help="GeoJSON：一个 role=community 要素和若干 role=grid 要素")
        check.add_argument(
            "--tolerance", type=float, default=DEFAULT_SLIVER_M2, help="忽略的碎片面积（平方米）"
        )
        load = sub.add_parser("import", help="导入社区及其网格边界")
        load.add_argument("file")
        load.add_argument("--community", type=int, required=True, help="村（社区）单位编号")
        export = sub.add_parser("export", help="导出社区及其网格边界（GeoJSON,WGS-84）")
        export.add_argument("--community", type=int, required=True)
        addresses = sub.add_parser("addresses", help="导入社区的地址和户数（xlsx 或 CSV）")
        addresses.add_argument("file", help="列 id,lon,lat，可选 label,households")
        addresses.add_argument("--community", type=int, required=True)
        assign = sub.add_parser("assign", help="按坐标把地址分配到网格")
        assign.add_argument("addresses", help="CSV，列 id,lon,lat")
        assign.add_argument("--grids", help="GeoJSON 网格文件；缺省用数据库中的网格")
        assign.add_argument("--out", required=True, help="输出 CSV，列 id,grid_code")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check":
            self._check(options["file"], options["tolerance"])
        elif action == "import":
            self._import(options["file"], options["community"])
        elif action == "export":
            self._export(options["community"])
        elif action == "addresses":
            self._addresses(options["file"], options["community"])
        else:
            self._assign(options["addresses"], options["grids"], options["out"])

    def _tiling(self, filename: str) -> Any:
        try:
            return parse_tiling(_read(filename))
        except GeoJSONInvalid as exc:
            raise CommandError(f"{filename}：{exc}", returncode=UNREADABLE) from exc
        except GeometryInvalid as exc:
            raise CommandError(f"{filename}：{exc}", returncode=FAULTY) from exc

    def _report(self, report: TilingReport, grids: int) -> None:
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"网格划分有 {len(report.faults)} 处问题（重叠 {len(report.of_kind('overlap'))}，"
                f"空白 {len(report.of_kind('gap'))}，越界 {len(report.of_kind('outside'))}）",
                returncode=FAULTY,
            )
        self.stdout.write(
            f"网格划分完整：{grids} 个网格无重叠、无空白、无越界，"
            f"社区面积 {report.community_m2:.2f} m²"
        )

    def _check(self, filename: str, tolerance: float) -> None:
        tiling = self._tiling(filename)
        self._report(check_tiling(tiling, tolerance_m2=tolerance), len(tiling.grids))

    def _community(self, pk: int) -> Unit:
        community = Unit.objects.filter(pk=pk).first()
        if community is None:
            raise CommandError(f"单位 {pk} 不存在", returncode=UNREADABLE)
        return community

    def _import(self, filename: str, pk: int) -> None:
        tiling = self._tiling(filename)
        report = services.import_tiling(actor=SYSTEM, community=self._community(pk), tiling=tiling)
        self.stdout.write(f"已导入 {len(tiling.grids)} 个网格边界")
        self._report(report, len(tiling.grids))

    def _export(self, pk: int) -> None:
        tiling = services.tiling_of(self._community(pk))
        if tiling is None:
            raise CommandError("该社区尚未导入边界", returncode=FAULTY)
        self.stdout.write(json.dumps(to_feature_collection(tiling), ensure_ascii=False))

    def _addresses(self, filename: str, pk: int) -> None:
        community = self._community(pk)
        try:
            with open(filename, "rb") as stream:
                rows = read_addresses(filename, stream)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {filename}：{exc}", returncode=UNREADABLE) from exc
        except AddressImportRejected as exc:
            raise CommandError(f"{filename}：{exc}", returncode=UNREADABLE) from exc
        services.import_addresses(actor=SYSTEM, community=community, rows=rows)
        placed = community_addresses_placed(community)
        self.stdout.write(f"已导入 {len(rows)} 个地址，{placed} 个落在网格内")

    def _assign(self, addresses: str, grids_file: str | None, out: str) -> None:
        if grids_file:
            tiling = self._tiling(grids_file)
            index = GridIndex((g.code, g.geometry) for g in tiling.grids)
        else:
            stored = Boundary.objects.filter(role=BoundaryRole.GRID)
            index = GridIndex((b.code, shape(b.geometry)) for b in stored)
        try:
            with open(addresses, encoding="utf-8-sig", newline="") as stream:
                rows = read_address_csv(stream)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {addresses}：{exc}", returncode=UNREADABLE) from exc
        except AddressImportRejected as exc:
            raise CommandError(f"{addresses}：{exc}", returncode=UNREADABLE) from exc
        codes = index.codes_of(
            np.fromiter((r.lon for r in rows), float, len(rows)),
            np.fromiter((r.lat for r in rows), float, len(rows)),
        )
        ids = [r.id for r in rows]
        if out == "-":
            write_assignment_csv(self.stdout, ids, codes)
        else:
            with open(out, "w", encoding="utf-8", newline="") as target:
                write_assignment_csv(target, ids, codes)
        placed = sum(1 for c in codes if c)
        self.stderr.write(f"{len(rows)} 个地址，{placed} 个落在 {len(index)} 个网格内")
