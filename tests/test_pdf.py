"""`cxzy pdf`: the print sheets printed by headless Chromium, turned back into text (pdftotext) and pictures (pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from sitekit import DEMO, SITE, html, make_site
from test_browser import REQUIRED

from cxzy_gen.cli import main
from cxzy_gen.records import models as m


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        if REQUIRED:
            pytest.fail(f"{tool} is missing, and CXZY_REQUIRE_BROWSER=1 says it must be there")
        pytest.skip(f"{tool} is not installed")


def pdf(data: Path, out: Path, *args: str) -> list[Path]:
    for tool in ("chromium", "pdftotext", "pdftoppm"):
        _need(tool)
    result = CliRunner().invoke(main, ["pdf", "--data", str(data), "--today", "2011-06-28", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return [Path(line) for line in result.stdout.splitlines()]


def pages_and_text(path: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, "".join(text.split())


@pytest.fixture(scope="module")
def lian(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    return pdf(DEMO, tmp_path_factory.mktemp("pdf") / "lian", "--unit", "hongliu-lian-1")


def test_a_lians_sheets_print_each_on_its_pages_with_mark_date_and_numbers(lian: list[Path]) -> None:
    assert sorted(p.name for p in lian) == sorted(
        ["hongliu-lian-1-承诺公示表.pdf", "hongliu-lian-1-点评意见表.pdf", "hongliu-lian-1-评议结果.pdf"]
    )
    pages, text = pages_and_text(next(p for p in lian if "承诺公示表" in p.name))
    assert pages == 1  # a 连队's 承诺公示表 (19 commitments) fits one A4 sheet
    assert "红柳河团场一连党支部2011年度公开承诺公示表" in text
    assert text.count("公开范围：向社会公开") == 2  # at the top of the sheet and in the footer
    assert "打印日期：" in text and "第1页，共1页" in text
    assert "红柳河团场一连党支部2011年6月28日" in text  # the 落款
    for path in lian:
        _, text = pages_and_text(path)
        assert "首页" not in text and "组织架构" not in text and "数据版本" not in text  # no navigation, no revision hashes


def test_notices_print_one_sheet_each_with_their_issuers_contact(tmp_path: Path) -> None:
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    written = pdf(DEMO, tmp_path, "--unit", "tuan-hongliu", "--kind", "公示")
    # Two batches of the 团场 (two windows): one notice each.
    assert [p.name for p in written] == ["tuan-hongliu-公示-20110613.pdf", "tuan-hongliu-公示-20110622.pdf"]
    for path, signed in zip(written, ["红柳河团场党委2011年6月13日", "红柳河团场党委2011年6月22日"], strict=True):
        pages, text = pages_and_text(path)
        assert pages == 1, path.name
        assert "红柳河团场党委组织科" in text and "0999-8316025" in text and "以邮戳为准" in text and "请署真实姓名" in text
        assert "师党委组织部" not in text
        assert "第1页，共1页" in text and "公开范围：向社会公开" in text
        assert signed in text  # the 落款: issuer and the notice's date
    assert "马玉兰" in pages_and_text(written[0])[1] and "马玉兰" not in pages_and_text(written[1])[1]


def test_a_qr_code_links_the_sheet_to_its_page_when_the_site_has_an_address(tmp_path: Path) -> None:
    out = tmp_path / "site"
    make_site(SITE, out, search=False)
    svg = html(out / "publicity/shi/20110624/index.html").find("svg", class_="qr")
    assert svg is not None and svg.title.get_text().endswith("publicity/shi/20110624/")
    [sheet] = pdf(SITE, tmp_path / "pdf", "--unit", "shi", "--kind", "公示")[-1:]
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", str(sheet), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = image.size
    corner = image.crop((int(width * 0.85), 0, width, int(height * 0.15)))
    dark = sum(corner.histogram()[:100])
    # Measured at 72 dpi: about 1,200 dark pixels with the code, about 530 (the audience mark's text) without.
    assert dark > 900, "no QR code at the top right of the printed notice"


def test_unknown_unit_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["pdf", "--data", str(SITE), "--today", "2011-06-28", "--unit", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "没有编号为 nope 的党组织" in result.output


def test_each_sheet_is_marked_with_the_narrowest_audience_on_it_at_top_and_foot(tmp_path: Path) -> None:
    """Printed from a build for 特定对象公开: a sheet holding a 党内公开 record says 党内公开, a sheet of public records
    says 向社会公开 — at the top and in the footer alike, never the build's own audience."""
    written = pdf(SITE, tmp_path, "--audience", "specific", "--unit", "lian-1")
    marks = {}
    for path in written:
        pages, text = pages_and_text(path)
        assert pages == 1, path.name
        assert "特定对象公开" not in text, path.name
        marks[path.name] = sorted(set(re.findall(r"公开范围：(\w+?公开)", text))), text.count("公开范围：")
        assert "一团一连党支部2011年6月28日" in text  # the 落款
    assert marks == {
        "lian-1-承诺公示表.pdf": (["党内公开"], 2),  # 周立新's 党内承诺事项 is on it
        "lian-1-点评意见表.pdf": (["党内公开"], 2),
        "lian-1-评议结果.pdf": (["向社会公开"], 2),
    }
    assert "党内承诺事项" in pages_and_text(next(p for p in written if "承诺公示表" in p.name))[1]
    # A public print of the same unit leaves the 党内公开 record out and says 向社会公开.
    public = pdf(SITE, tmp_path / "public", "--unit", "lian-1", "--kind", "承诺公示表")
    _, text = pages_and_text(public[0])
    assert "党内承诺事项" not in text and text.count("公开范围：向社会公开") == 2


def test_the_honour_roll_prints_with_its_mark_and_qr_code(tmp_path: Path) -> None:
    [roll] = pdf(SITE, tmp_path, "--kind", "光荣榜")
    assert roll.name == "shi-光荣榜.pdf"
    pages, text = pages_and_text(roll)
    assert pages == 1 and "第1页，共1页" in text
    assert text.count("公开范围：向社会公开") == 2 and "扫码查看网页版" in text
    assert "孙秀英" in text and "一团党委" in text and "首页" not in text  # the commended; no navigation


def test_every_notice_of_the_demo_prints_on_one_sheet_with_its_own_contact_and_signoff(tmp_path: Path) -> None:
    """Notices of a 师 (ten nominees under three titles), 团场 and an enterprise: each on one A4 sheet, headings whole,
    the issuer's own objection office, its 落款 and the notice's date."""
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    written = pdf(DEMO, tmp_path / "pdf", "--kind", "公示")
    site = tmp_path / "site"
    make_site(DEMO, site, audience=m.Audience.PUBLIC, search=False)
    assert len(written) >= 5
    offices = set()
    for path in written:
        issuer, _, slug = path.stem.partition("-公示-")
        page = html(site / "publicity" / issuer / slug / "index.html")
        office, signoff = page.select_one(".notice strong.office"), page.select_one(".notice .signoff")
        pages, text = pages_and_text(path)
        assert pages == 1, path.name
        assert "".join(office.get_text().split()) in text, path.name
        assert "".join(signoff.get_text().split()) in text and text.index("".join(signoff.get_text().split())) > text.index("意见反映方式")
        if page.select_one("table.nominees th:-soup-contains('出生年月')"):
            assert "出生年月" in text and "入党时间" in text, path.name  # column heads not broken letter by letter
        offices.add(office.get_text())
    assert len(offices) >= 3  # the 师's, the 团场s' and the enterprise's own offices


def test_a_browser_that_cannot_print_leaves_the_output_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Chromium that is not there or dies on start: a Chinese error, no traceback, nothing half-written."""
    monkeypatch.setenv("CXZY_CHROMIUM", str(tmp_path / "no-such-chromium"))
    fresh = tmp_path / "fresh"
    result = CliRunner().invoke(main, ["pdf", "--data", str(SITE), "--today", "2011-06-28", "--unit", "lian-1", "--out", str(fresh)])
    assert result.exit_code == 1 and "环境变量 CXZY_CHROMIUM 指定的" in result.output and "不是可以运行的程序" in result.output
    assert result.exc_info is None or result.exc_info[0] is SystemExit
    assert not fresh.exists()

    dying = tmp_path / "chromium"
    dying.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    dying.chmod(0o755)
    monkeypatch.setenv("CXZY_CHROMIUM", str(dying))
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "lian-1-承诺公示表.pdf").write_bytes(b"the sheet printed last week")
    result = CliRunner().invoke(main, ["pdf", "--data", str(SITE), "--today", "2011-06-28", "--unit", "lian-1", "--out", str(kept)])
    assert result.exit_code == 1 and "Chromium 没能打印" in result.output and "保持原样" in result.output, result.output
    assert result.exc_info is None or result.exc_info[0] is SystemExit
    assert sorted(p.name for p in kept.iterdir()) == ["lian-1-承诺公示表.pdf"]
    assert (kept / "lian-1-承诺公示表.pdf").read_bytes() == b"the sheet printed last week"


def test_an_output_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    _need("chromium")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["pdf", "--data", str(SITE), "--today", "2011-06-28", "--unit", "lian-1", "--out", str(tmp_path / "afile" / "sub")]
    )
    assert result.exit_code == 1 and "里写文件" in result.output and "Traceback" not in result.output


def test_the_demo_honour_roll_prints_with_its_photos(tmp_path: Path) -> None:
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    [roll] = pdf(DEMO, tmp_path, "--kind", "光荣榜")
    listing = subprocess.run(["pdfimages", "-list", str(roll)], capture_output=True, text=True, check=True).stdout
    images = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    # The three organisations' photos, on the first page, at the size the site copies them (480×360).
    assert [(row[0], row[3], row[4]) for row in images] == [("1", "480", "360")] * 3, listing
    pages, text = pages_and_text(roll)
    assert "师机关第二党支部" in text and text.count("公开范围：向社会公开") == 1 + pages


def test_a_units_own_board_needs_its_unit(tmp_path: Path) -> None:
    # 本单位公开 needs the board's unit: --unit says it (and picks that unit's sheets), as in cxzy build.
    refused = CliRunner().invoke(
        main, ["pdf", "--data", str(SITE), "--today", "2011-06-28", "--audience", "本单位公开", "--out", str(tmp_path)]
    )
    assert refused.exit_code == 2 and "--unit" in refused.output and "Traceback" not in refused.output
    written = pdf(SITE, tmp_path / "pdf", "--audience", "本单位公开", "--unit", "shequ-1")
    assert written and all(p.name.startswith("shequ-1-") for p in written)
    for path in written:
        _, text = pages_and_text(path)
        assert "城区第一社区" in text and "特定对象公开" not in text, path.name
