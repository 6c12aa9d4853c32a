"""Workbooks produced by LibreOffice, imported as a real user's would be: a GBK CSV opened and saved as .xlsx,
a workbook with a merged title row re-saved by LibreOffice, an old-format .xls refused with the way out, and
exports re-saved by LibreOffice (the CSV in GBK, the workbook with its list sheets) importing the same.

LibreOffice is installed by .ci/run; there CXZY_REQUIRE_LIBREOFFICE=1 makes these tests mandatory. On a
machine without it they skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import DataCopy
from sitekit import DEMO

from cxzy_gen.sheets.export import export_sheet, write_csv, write_xlsx
from cxzy_gen.sheets.importer import ImportError_, import_sheet

MEMBERS = "units/lian-1/members.yaml"
GBK = 85  # LibreOffice's number for the GBK character set in its CSV filter options
OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
if OFFICE is None and os.environ.get("CXZY_REQUIRE_LIBREOFFICE"):
    raise RuntimeError("CXZY_REQUIRE_LIBREOFFICE is set but LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
pytestmark = pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")


def convert(source: Path, to: str, out: Path, infilter: str | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    command = [str(OFFICE), "--headless", "--norestore", "--convert-to", to, "--outdir", str(out), str(source)]
    if infilter:
        command[2:2] = [f"--infilter={infilter}"]
    # A private profile: parallel runs and a user's open LibreOffice do not get in each other's way.
    env = {**os.environ, "HOME": str(out / ".home")}
    subprocess.run(command, check=True, capture_output=True, timeout=180, env=env)
    made = out / f"{source.stem}.{to.split(':')[0]}"
    assert made.is_file(), f"LibreOffice did not write {made}"
    return made


def test_a_gbk_csv_saved_as_xlsx_by_libreoffice(mini: DataCopy, tmp_path: Path) -> None:
    csv = tmp_path / "党员名单.csv"
    csv.write_bytes("姓名,性别,民族,出生年月,岗位,入党时间\r\n孙秀英,女,汉族,1979/5,机务副队长,2003.07\r\n".encode("gbk"))
    xlsx = convert(csv, "xlsx", tmp_path / "lo", infilter=f"CSV:44,34,{GBK}")
    result = import_sheet(xlsx, "members", "lian-1", mini.root)
    assert result.ok, [p.as_text() for p in result.problems]
    assert result.updated == 1
    text = mini.text(MEMBERS)
    assert "    gender: 女\n    ethnicity: 汉族\n    born: 1979-05\n    post: 机务副队长\n" in text
    assert "    joined: 2003-07\n" in text  # LibreOffice reads 2003.07 as the number 2003.07: still July
    assert mini.problems() == []


def test_a_workbook_with_a_merged_title_row_resaved_by_libreoffice(mini: DataCopy, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "公开承诺"
    ws.append(["一团一连 2011 年党员公开承诺"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "承诺人", "承诺事项", "提出日期", "完成时限", "承诺类别"])
    # Due after her 七一 award (2011-06-27): an open commitment due before it would make that nomination E-NOMINEE.
    ws.append([1, "孙秀英", "帮五户职工春灌", "2011年4月3日", "2011.7.30", "即时承诺"])
    source = tmp_path / "承诺.xlsx"
    book.save(source)
    resaved = convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    merged = [str(r) for r in openpyxl.load_workbook(resaved).active.merged_cells.ranges]
    assert merged == ["A1:F1"]  # LibreOffice kept the merged title
    result = import_sheet(resaved, "commitments", "lian-1", mini.root)
    assert result.ok, [p.as_text() for p in result.problems]
    assert result.added == 1
    assert "    title: 帮五户职工春灌\n" in mini.text("units/lian-1/2011/commitments.yaml")


def test_an_old_xls_from_libreoffice_is_refused_with_the_way_out(mini: DataCopy, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别"])
    source = tmp_path / "名单.xlsx"
    book.save(source)
    xls = convert(source, "xls", tmp_path / "lo")
    with pytest.raises(ImportError_, match=r"另存为.*xlsx"):
        import_sheet(xls, "members", "lian-1", mini.root)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    return Path(shutil.copytree(DEMO, tmp_path / "data"))


def snapshot(data: Path) -> dict[str, bytes]:
    return {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*.yaml"))}


@pytest.mark.parametrize(
    ("kind", "unit"), [("commitments", "hongliu-lian-1"), ("appraisals", "baiyang-gongdian"), ("commendations", "shi")]
)
def test_an_export_resaved_by_libreoffice_imports_the_same(demo: Path, tmp_path: Path, kind: str, unit: str) -> None:
    """The export opened and saved again as a user would: the CSV re-saved in GBK, the workbook re-saved as .xlsx
    (its list sheets with it: the lists taken out of the data come back). Not a byte of the data changes."""
    before = snapshot(demo)
    sheet = export_sheet(kind, demo, unit)
    write_csv(sheet, tmp_path / f"{kind}.csv")
    gbk = convert(tmp_path / f"{kind}.csv", f"csv:Text - txt - csv (StarCalc):44,34,{GBK}", tmp_path / "gbk", infilter="CSV:44,34,76")
    gbk.read_bytes().decode("gbk")  # really GBK now
    with pytest.raises(UnicodeDecodeError):
        gbk.read_bytes().decode("utf-8")
    result = import_sheet(gbk, kind, unit, demo)
    assert result.ok and result.written == [] and result.unchanged == len(sheet.rows), [p.as_text() for p in result.problems]
    write_xlsx(sheet, tmp_path / f"{kind}.xlsx")
    resaved = convert(tmp_path / f"{kind}.xlsx", "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    listed = [lt.spec.path[0] for lt in sheet.lists if lt.rows]
    for path in sorted((demo / "units" / unit).glob(f"*/{kind}.yaml")):
        path.write_text(re.sub(rf"\n    ({'|'.join(listed)}):\n(?:      .*\n)+", "\n", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert not listed or snapshot(demo) != before
    result = import_sheet(resaved, kind, unit, demo)
    assert result.ok, [p.as_text() for p in result.problems]
    assert snapshot(demo) == before
