"""Photos beside the honour roll's records: checked by validation, copied small and without metadata by the build."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, PngImagePlugin
from sitekit import SITE, TODAY, copy_data, html

from cxzy_gen.build import DataProblems, build
from cxzy_gen.cli import main
from cxzy_gen.records import models as m
from cxzy_gen.site import photos

NAME = "张秀兰"  # the photographer and owner written into the test photo's metadata
COMMENDATIONS = Path("units/shi/2010/commendations.yaml")  # h-2010, 已表彰: 团场 tuan-1 as 先进基层党组织


def with_photo(tmp_path: Path, photo: str, extra: str = "") -> Path:
    """A copy of the fixture whose commendation h-2010 names `photo` (and any `extra` lines)."""
    data = copy_data(SITE, tmp_path / "data")
    path = data / COMMENDATIONS
    text = path.read_text(encoding="utf-8")
    assert "    decision: 师党发〔2010〕15号\n" in text
    text = text.replace("    decision: 师党发〔2010〕15号\n", f"    decision: 师党发〔2010〕15号\n    photo: {photo}\n{extra}", 1)
    path.write_text(text, encoding="utf-8")
    return data


def photo_line(data: Path) -> int:
    return next(i for i, line in enumerate((data / COMMENDATIONS).read_text(encoding="utf-8").splitlines(), 1) if "photo:" in line)


def camera_jpeg(path: Path, size: tuple[int, int] = (1600, 800), orientation: int = 1) -> None:
    """A JPEG as a phone writes it: EXIF with GPS position, camera, owner; XMP; a comment. Left half red, right blue."""
    image = Image.new("RGB", size, (200, 20, 20))
    image.paste((20, 40, 200), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x013B] = "Zhang Xiulan"  # Artist
    exif[0x8298] = "Copyright Zhang Xiulan"  # Copyright
    exif[0x9C9D] = NAME.encode("utf-16-le") + b"\0\0"  # XPAuthor (Windows), UTF-16
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (43.0, 49.0, 12.5), 3: "E", 4: (87.0, 36.0, 6.25)})  # GPSLatitude/Longitude
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{NAME}</dc:creator></x:xmpmeta>'.encode()
    image.save(path, "JPEG", exif=exif, xmp=xmp, comment=f"拍摄：{NAME}".encode(), quality=90)


def test_a_camera_photo_reaches_the_roll_small_upright_and_without_its_metadata(tmp_path: Path) -> None:
    data = with_photo(tmp_path, "photos/tuan-1.jpg")
    (data / COMMENDATIONS.parent / "photos").mkdir()
    source = data / COMMENDATIONS.parent / "photos" / "tuan-1.jpg"
    camera_jpeg(source, (1600, 800), orientation=6)  # stored on its side: turned a quarter clockwise to be seen
    with Image.open(source) as original:  # the test photo does carry what must not reach the site
        assert original.getexif().get_ifd(0x8825) and original.getexif()[0x013B] == "Zhang Xiulan"
        assert NAME in original.info["xmp"].decode() and NAME.encode() in original.info["comment"]

    out = tmp_path / "public"
    build(data, out, TODAY, m.Audience.PUBLIC, search=False)
    page = html(out / "honours/index.html")
    img = page.find("li", id="h-h-2010").find("img")
    assert img is not None and img["src"] == "../honours/photos/h-2010.jpg" and "先进基层党组织" in img["alt"]
    copy = out / "honours/photos/h-2010.jpg"
    data_bytes = copy.read_bytes()
    with Image.open(io.BytesIO(data_bytes)) as small:
        assert small.format == "JPEG"
        # Upright (portrait, as the camera meant it), within the box, and the size the page says.
        assert small.size == (240, 480) == (int(img["width"]), int(img["height"]))
        assert dict(small.getexif()) == {}
        assert not {"exif", "xmp", "comment", "icc_profile", "photoshop", "adobe"} & small.info.keys(), small.info.keys()
        # The left half (red) is on top once turned clockwise; the right half (blue) below.
        top, bottom = small.convert("RGB").getpixel((120, 60)), small.convert("RGB").getpixel((120, 420))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], (top, bottom)
    for trace in (b"Exif", b"http://ns.adobe.com", b"adobe:ns:meta", b"Zhang", b"Phone", NAME.encode(), NAME.encode("utf-16-le")):
        assert trace not in data_bytes, trace
    # The same photo always gives the same bytes (builds are reproducible).
    assert photos.copy(source) == data_bytes


def test_a_png_with_text_chunks_and_transparency_becomes_a_clean_jpeg(tmp_path: Path) -> None:
    data = with_photo(tmp_path, "photos/seal.png")
    (data / COMMENDATIONS.parent / "photos").mkdir()
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Author", NAME)
    info.add_text("Comment", "Zhang Xiulan, 43.82N 87.60E")
    Image.new("RGBA", (300, 200), (10, 120, 10, 0)).save(data / COMMENDATIONS.parent / "photos/seal.png", pnginfo=info)
    out = tmp_path / "public"
    build(data, out, TODAY, m.Audience.PUBLIC, search=False)
    copy = (out / "honours/photos/h-2010.jpg").read_bytes()
    assert NAME.encode() not in copy and b"Zhang" not in copy and b"iTXt" not in copy
    with Image.open(io.BytesIO(copy)) as small:
        assert small.size == (300, 200)  # never enlarged
        assert small.convert("RGB").getpixel((5, 5)) == (255, 255, 255)  # transparency on white


def test_a_photo_of_a_hidden_record_is_not_in_the_build(tmp_path: Path) -> None:
    data = with_photo(tmp_path, "photos/tuan-1.jpg", "    audience: 党内公开\n")
    (data / COMMENDATIONS.parent / "photos").mkdir()
    camera_jpeg(data / COMMENDATIONS.parent / "photos" / "tuan-1.jpg", (300, 300))
    public, party = tmp_path / "public", tmp_path / "party"
    build(data, public, TODAY, m.Audience.PUBLIC, search=False)
    build(data, party, TODAY, m.Audience.PARTY, search=False)
    assert not (public / "honours" / "photos").exists() and (party / "honours/photos/h-2010.jpg").is_file()
    assert not [p for p in public.rglob("*") if p.suffix == ".jpg"]


def _hostile(tmp_path: Path, photo: str, make: str | None = None) -> tuple[Path, str]:
    data = with_photo(tmp_path, photo)
    if make == "text":
        (data / COMMENDATIONS.parent / "photos").mkdir()
        (data / COMMENDATIONS.parent / "photos" / "notes.jpg").write_text("这不是图片，只是改了扩展名\n", encoding="utf-8")
    elif make == "truncated":
        (data / COMMENDATIONS.parent / "photos").mkdir()
        buffer = io.BytesIO()
        camera_jpeg(tmp_path / "whole.jpg", (800, 600))
        buffer.write((tmp_path / "whole.jpg").read_bytes()[:3000])
        (data / COMMENDATIONS.parent / "photos" / "cut.jpg").write_bytes(buffer.getvalue())
    elif make == "gif":
        (data / COMMENDATIONS.parent / "photos").mkdir()
        Image.new("RGB", (10, 10)).save(data / COMMENDATIONS.parent / "photos" / "anim.jpg", "GIF")
    elif make == "outside":
        (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8 not really")
        (data / COMMENDATIONS.parent / "photos").mkdir()
        os.symlink(tmp_path / "secret.jpg", data / COMMENDATIONS.parent / "photos" / "link.jpg")
    result = CliRunner().invoke(main, ["validate", "--data", str(data), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return data, result.output


@pytest.mark.parametrize(
    ("photo", "make", "says"),
    [
        ("../../etc/passwd", None, "不能含 ..、. 或空的一段，照片不能在数据文件夹以外"),
        ("photos/../../../../../etc/passwd.jpg", None, "不能含 ..、. 或空的一段"),
        ("/etc/passwd", None, "不能是绝对路径"),
        ("C:/Users/zhang/photo.jpg", None, "不能是绝对路径"),
        ('"photos\\\\zhang.jpg"', None, "也不能用反斜杠"),
        ("photos/zhang.gif", None, "应为 JPEG、PNG 或 WebP 图片"),
        ("photos/missing.jpg", None, "找不到文件「units/shi/2010/photos/missing.jpg」"),
        ("photos/notes.jpg", "text", "「units/shi/2010/photos/notes.jpg」不是可以读取的图片"),
        ("photos/cut.jpg", "truncated", "「units/shi/2010/photos/cut.jpg」不是可以读取的图片"),
        ("photos/anim.jpg", "gif", "是 GIF 格式，只能用 JPEG、PNG 或 WebP"),
    ],
)
def test_a_photo_that_cannot_be_used_is_a_chinese_error_at_its_line(tmp_path: Path, photo: str, make: str | None, says: str) -> None:
    data, output = _hostile(tmp_path, photo, make)
    line = photo_line(data)
    # file:line:column, the code, the field and what is wrong — and nothing else is reported.
    assert f"commendations.yaml:{line}:" in output and "E-PHOTO 照片（photo）" in output and says in output, output
    assert output.count("E-PHOTO") == 1 and "E-" not in output.replace("E-PHOTO", ""), output


def test_a_photo_linked_from_outside_the_data_folder_is_refused(tmp_path: Path) -> None:
    _, output = _hostile(tmp_path, "photos/link.jpg", "outside")
    assert "数据目录中不允许符号链接" in output  # discovery refuses the link itself


def test_a_build_with_a_bad_photo_writes_nothing(tmp_path: Path) -> None:
    data = with_photo(tmp_path, "../../etc/passwd")
    out = tmp_path / "public"
    with pytest.raises(DataProblems) as caught:
        build(data, out, TODAY, m.Audience.PUBLIC, search=False)
    assert [p.code for p in caught.value.problems if p.is_error] == ["E-PHOTO"]
    assert not out.exists()
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out), "--today", "2011-06-28", "--no-cache"])
    assert result.exit_code == 1 and "E-PHOTO" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_photo_path_outside_through_a_linked_folder_is_refused(tmp_path: Path) -> None:
    """Even if discovery missed a link, the path resolved must stay in the data folder."""
    data = with_photo(tmp_path, "photos/x.jpg")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    camera_jpeg(outside / "x.jpg", (50, 50))
    os.symlink(outside, data / COMMENDATIONS.parent / "photos")
    from cxzy_gen.records.photos import photo_problem
    from cxzy_gen.records.validate import load_dataset

    record = m.Commendation.model_validate(
        {"id": "h", "year": 2010, "title": "先进基层党组织", "nominee": "tuan-1", "nominated_by": "shi", "deeds": "x", "status": "推荐"}
    )
    record._unit, record._year = "shi", 2010
    message = photo_problem(data, record, "photos/x.jpg")
    assert message is not None and "经符号链接指到了数据文件夹以外" in message
    assert load_dataset(data)[0] is None


def test_the_roll_with_photos_in_a_browser_at_desktop_and_phone_width(tmp_path: Path) -> None:
    """The photo is loaded and beside its record (a row of its own), at desktop and phone width; axe and the Nu checker are clean."""
    import json
    import shutil
    import subprocess

    from test_browser import AXE, CHROMIUM_ARGS, VNU, _axe, _need, sync_playwright

    _need(shutil.which("chromium") is not None, "chromium")
    _need(sync_playwright is not None, "playwright")
    _need(AXE.is_file() and VNU.is_file(), "axe-core and vnu.jar (npm ci in tools/web-checks)")
    _need(shutil.which("java") is not None, "java")
    data = with_photo(tmp_path, "photos/tuan-1.jpg")
    (data / COMMENDATIONS.parent / "photos").mkdir()
    camera_jpeg(data / COMMENDATIONS.parent / "photos" / "tuan-1.jpg", (900, 1200))
    out = tmp_path / "public"
    build(data, out, TODAY, m.Audience.PUBLIC, search=False)
    honours = out / "honours" / "index.html"
    where = os.environ.get("CXZY_ARTIFACTS")
    shots = Path(where) if where else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            failed: list[str] = []
            page.on("requestfailed", lambda req: failed.append(req.url))
            page.goto(honours.as_uri())
            img = page.locator("#h-h-2010 img")
            assert img.evaluate("i => i.complete && i.naturalWidth") == 360  # 900×1200 fitted to 480 high
            photo, text = img.bounding_box(), page.locator("#h-h-2010 .honour-text").bounding_box()
            assert photo and text and photo["x"] + photo["width"] <= text["x"] and photo["width"] >= 100  # beside the text
            page.screenshot(path=str(shots / "honours-photos.png"), full_page=True)
            assert _axe(page) == []
            phone = browser.new_page(viewport={"width": 375, "height": 800})
            phone.goto(honours.as_uri())
            assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
            phone.screenshot(path=str(shots / "honours-photos-phone.png"), full_page=True)
            assert _axe(phone) == [] and failed == []
        finally:
            browser.close()
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(honours)], capture_output=True, text=True, timeout=300
    )
    report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    assert [msg["message"] for msg in report["messages"] if msg["type"] == "error"] == []


def test_the_demo_honour_roll_shows_its_photos_without_their_camera_metadata(tmp_path: Path) -> None:
    from sitekit import DEMO

    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    sources = sorted((DEMO / "units/shi/2011/photos").glob("*.jpg"))
    assert len(sources) == 3
    for source in sources:  # drawn with a phone's EXIF: camera, owner and GPS position
        with Image.open(source) as image:
            assert image.getexif()[0x010F] == "DemoPhone" and image.getexif().get_ifd(0x8825)
    out = tmp_path / "public"
    build(DEMO, out, TODAY, m.Audience.PUBLIC, search=False)
    roll = html(out / "honours/index.html")
    shown = roll.select("li.with-photo img.honour-photo")
    assert len(shown) == 3
    for img in shown:
        copy = (out / "honours" / img["src"]).resolve()
        data = copy.read_bytes()
        assert b"DemoPhone" not in data and b"Exif" not in data and b"Demo Photographer" not in data
        with Image.open(copy) as small:
            assert dict(small.getexif()) == {} and small.size == (int(img["width"]), int(img["height"])) == (480, 360)
