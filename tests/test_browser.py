"""The built demo site as readers meet it: a real headless Chromium, the Nu HTML Checker and axe-core.

These need Debian's `chromium`, a Java runtime and `tools/web-checks/node_modules` (vnu-jar,
axe-core). On a bare machine they skip; `.ci/run` installs everything and sets
CXZY_REQUIRE_BROWSER=1, which turns a missing tool into a failure instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the test extra installs it; a bare pytest run skips these tests
    sync_playwright = None

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "tools" / "web-checks" / "node_modules"
VNU = CHECKS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = CHECKS / "axe-core" / "axe.min.js"
TODAY = "2011-06-28"
REQUIRED = os.environ.get("CXZY_REQUIRE_BROWSER") == "1"
# Flags for a closed network: without them Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need(condition: bool, what: str) -> None:
    if not condition:
        if REQUIRED:
            pytest.fail(f"{what} is missing, and CXZY_REQUIRE_BROWSER=1 says it must be there")
        pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "public"
    run = subprocess.run(
        [sys.executable, "-m", "cxzy_gen", "build", "--data", str(ROOT / "data"), "--out", str(out), "--today", TODAY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return out


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots and PDFs go where CI keeps them (CXZY_ARTIFACTS), else into a temporary folder."""
    where = os.environ.get("CXZY_ARTIFACTS")
    folder = Path(where) if where else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_page_passes_the_nu_html_checker(site: Path) -> None:
    _need(shutil.which("java") is not None, "java")
    _need(VNU.is_file(), "vnu.jar (npm ci in tools/web-checks)")
    pages = sorted(str(p) for p in site.rglob("*.html"))
    assert len(pages) > 50
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    errors = [f"{m.get('url', '')}:{m.get('lastLine')}: {m['message']}" for m in report["messages"] if m["type"] == "error"]
    assert errors == [], "\n".join(errors[:30])


@pytest.fixture(scope="module")
def browser():
    _need(shutil.which("chromium") is not None, "chromium")
    _need(sync_playwright is not None, "playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _open(browser, url: str, errors: list[str]):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda msg: errors.append(f"{msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("requestfailed", lambda req: errors.append(f"requestfailed: {req.url}"))
    page.goto(url)
    return page


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations'], preload: false})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_reader_walks_from_home_to_unit_to_member(browser, site: Path, artifacts: Path) -> None:
    _need(AXE.is_file(), "axe-core (npm ci in tools/web-checks)")
    errors: list[str] = []
    page = _open(browser, (site / "index.html").as_uri(), errors)
    assert page.title()
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
    problems = {"home": _axe(page)}

    # The home page links to the organisation tree, which links to every unit.
    page.locator("a[href$='units/index.html'], a[href$='units/']").first.click()
    page.wait_for_load_state()
    unit_link = page.locator("main a[href*='units/']:not([href$='units/index.html'])").first
    unit_name = unit_link.inner_text().strip()
    unit_link.click()
    page.wait_for_load_state()
    assert "/units/" in page.url
    assert unit_name in page.locator("h1").inner_text()
    page.screenshot(path=str(artifacts / "unit.png"), full_page=True)
    problems["unit"] = _axe(page)
    unit_url = page.url

    page.locator("main a[href*='members/']").first.click()
    page.wait_for_load_state()
    assert "/members/" in page.url
    page.screenshot(path=str(artifacts / "member.png"), full_page=True)
    problems["member"] = _axe(page)

    # A phone-sized screen: nothing wider than the viewport except inside scrollable tables.
    phone = _open(browser, unit_url, errors)
    phone.set_viewport_size({"width": 375, "height": 800})
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    phone.screenshot(path=str(artifacts / "unit-phone.png"), full_page=True)
    assert overflow <= 1, f"the unit page scrolls sideways on a phone by {overflow}px"

    assert errors == []
    assert problems == {"home": [], "unit": [], "member": []}


def test_every_footer_names_the_data_version_from_the_one_script(browser, site: Path) -> None:
    """The pages do not carry the commit (a new commit would change every page): assets/version.js writes it in."""
    head = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    errors: list[str] = []
    for path in ("index.html", next(p for p in sorted((site / "members").glob("*/index.html"))).relative_to(site).as_posix()):
        assert head not in (site / path).read_text(encoding="utf-8")
        page = _open(browser, (site / path).as_uri(), errors)
        line = " ".join(page.locator("footer .data-version").inner_text().split())
        assert line.startswith(f"数据版本 {head}（") and line.endswith("），见变更记录。"), line
        assert page.locator("footer .data-version code").inner_text() == head
        page.close()
    assert errors == []


def test_unit_page_prints_as_a_clean_a4_sheet(browser, site: Path, artifacts: Path) -> None:
    errors: list[str] = []
    unit_page = next(p for p in sorted((site / "units").glob("*/index.html")))
    page = _open(browser, unit_page.as_uri(), errors)
    page.emulate_media(media="print")
    # Navigation stays on the screen; the sheet keeps the title, the tables and the objection contact.
    hidden = page.evaluate(
        "() => [...document.querySelectorAll('nav, header nav, .skip-link')].every("
        "e => getComputedStyle(e).display === 'none' || e.offsetParent === null)"
    )
    assert hidden, "navigation is visible in print"
    assert page.locator("h1").is_visible()
    pdf = artifacts / "unit-a4.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    assert errors == []


def _pdf_text(pdf: Path) -> tuple[int, str]:
    """Pages and text of a PDF, read back with poppler's pdfinfo and pdftotext."""
    _need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


def test_a_notice_reads_on_screen_and_phone_and_prints_on_one_a4_sheet(browser, site: Path, artifacts: Path) -> None:
    _need(AXE.is_file(), "axe-core (npm ci in tools/web-checks)")
    errors: list[str] = []
    url = (site / "publicity/tuan-hongliu/20110622/index.html").as_uri()
    page = _open(browser, url, errors)
    page.screenshot(path=str(artifacts / "notice.png"), full_page=True)
    assert _axe(page) == []

    phone = _open(browser, url, errors)
    phone.set_viewport_size({"width": 375, "height": 800})
    phone.screenshot(path=str(artifacts / "notice-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    # On a phone the window and the way to object are in the flow of the page, not in an off-screen column.
    for selector in (".notice-terms", ".channels", ".signoff"):
        box = phone.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 376, selector

    page.emulate_media(media="print")
    pdf = artifacts / "notice-a4.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    pages, text = _pdf_text(pdf)
    flat = "".join(text.split())
    assert pages == 1
    assert "公开范围：向社会公开" in flat
    assert "红柳河团场党委组织科" in flat and "0999-8316025" in flat and "以邮戳为准" in flat
    assert flat.endswith("第1页，共1页") or "第1页，共1页" in flat
    assert "红柳河团场党委2011年6月22日" in flat  # the 落款 and its date
    assert "首页" not in flat and "数据版本" not in flat  # no navigation or revision hashes on paper
    assert errors == []


@pytest.mark.parametrize(
    ("path", "least"),
    [
        ("units/hongliu-lian-1/index.html", 10),
        ("members/hl1-gugt/index.html", 1),
        ("sheets/hongliu-lian-1/commitments/index.html", 10),
    ],
)
def test_on_a_phone_every_commitments_status_is_on_screen(browser, site: Path, artifacts: Path, path: str, least: int) -> None:
    errors: list[str] = []
    page = _open(browser, (site / path).as_uri(), errors)
    page.set_viewport_size({"width": 375, "height": 800})
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('table.cards td.col-status')].map(td => {"
        " const r = td.getBoundingClientRect(); return [r.left, r.right, r.height, getComputedStyle(td).display]; })"
    )
    assert len(boxes) >= least
    assert all(left >= 0 and right <= 375 and height > 0 and display != "none" for left, right, height, display in boxes), boxes[:5]
    # The status is the first thing of each card.
    first = page.evaluate(
        "() => [...document.querySelectorAll('table.cards tbody tr')].filter(tr => tr.querySelector('td.col-status')).every(tr => {"
        " const tds = [...tr.children]; const top = Math.min(...tds.map(td => td.getBoundingClientRect().top));"
        " return tr.querySelector('td.col-status').getBoundingClientRect().top === top; })"
    )
    assert first
    page.screenshot(path=str(artifacts / f"{path.split('/')[0]}-cards-phone.png"), full_page=False)
    assert errors == []


@pytest.fixture(scope="module")
def party_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built for 党内公开 at the year end: the one kind of build with the 督查 section."""
    out = tmp_path_factory.mktemp("browser-party") / "public"
    run = subprocess.run(
        [
            *[sys.executable, "-m", "cxzy_gen", "build", "--data", str(ROOT / "data"), "--out", str(out)],
            "--today",
            "2011-12-31",
            "--audience",
            "党内公开",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def test_inspection_pages_pass_the_nu_html_checker(party_site: Path) -> None:
    _need(shutil.which("java") is not None, "java")
    _need(VNU.is_file(), "vnu.jar (npm ci in tools/web-checks)")
    pages = sorted(str(p) for p in (party_site / "inspection").rglob("*.html"))
    assert len(pages) > 20
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages], capture_output=True, text=True, timeout=600
    )
    report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    errors = [f"{m.get('url', '')}:{m.get('lastLine')}: {m['message']}" for m in report["messages"] if m["type"] == "error"]
    assert errors == [], "\n".join(errors[:30])


def test_inspection_pages_are_accessible_and_their_charts_print(browser, party_site: Path, artifacts: Path) -> None:
    _need(AXE.is_file(), "axe-core (npm ci in tools/web-checks)")
    errors: list[str] = []
    index = _open(browser, (party_site / "inspection" / "index.html").as_uri(), errors)
    problems = {"index": _axe(index)}
    index.screenshot(path=str(artifacts / "inspection.png"), full_page=True)
    # Drill down from the tree to a unit: its gaps, reminders and charts, with no script but the footer's data version.
    index.locator("table.inspection-tree tbody th a").nth(1).click()
    index.wait_for_load_state()
    assert "/inspection/" in index.url and "督查" in index.title()
    scripts = index.eval_on_selector_all("script", "els => els.map(e => e.getAttribute('src') || 'inline')")
    assert all(s.endswith("assets/version.js") for s in scripts), scripts
    assert index.locator("[data-version]").inner_text().strip() not in ("", "见")  # the version script ran
    problems["unit"] = _axe(index)
    snapshots = _open(browser, (party_site / "inspection" / "snapshots" / "index.html").as_uri(), errors)
    problems["snapshots"] = _axe(snapshots)
    assert problems == {"index": [], "unit": [], "snapshots": []}

    index.emulate_media(media="print")
    boxes = index.evaluate("() => [...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().width)")
    assert boxes and all(w > 200 for w in boxes), boxes  # the charts are drawn on paper too
    pdf = artifacts / "inspection-unit-a4.pdf"
    index.pdf(path=str(pdf), format="A4")
    pages, text = _pdf_text(pdf)
    flat = "".join(text.split())
    assert pages >= 1 and "四项检查覆盖率" in flat and "承诺有公示" in flat
    assert errors == []


def test_the_lobby_screen_cycles_through_what_is_open_and_the_honour_roll(browser, site: Path, artifacts: Path) -> None:
    _need(AXE.is_file(), "axe-core (npm ci in tools/web-checks)")
    errors: list[str] = []
    board = site / "board" / "index.html"
    # The first slide is looked at on a screen at its own pace (15 s a slide): at one second a slide, a busy
    # machine could move on before the first look.
    still = _open(browser, board.as_uri(), errors)
    still.set_viewport_size({"width": 1920, "height": 1080})
    first = still.eval_on_selector_all(".slide:not([hidden]) h2", "els => els.map(e => e.textContent.trim())")
    # The current 公示 first (the one open on the build date), one slide at a time.
    assert first == ["红柳河团场党委关于2011年度先进基层党组织、优秀共产党员和优秀党务工作者拟表彰对象的公示"]
    assert "红柳河团场党委组织科" in still.locator(".slide:not([hidden])").inner_text()
    still.screenshot(path=str(artifacts / "board.png"))
    assert _axe(still) == []
    page = _open(browser, board.as_uri() + "?seconds=1", errors)
    page.set_viewport_size({"width": 1920, "height": 1080})
    seen = {first[0]}
    photos_seen = False
    # One look at the slide on screen at a time (it changes every second: separate queries could see two slides).
    look = """() => { const s = document.querySelector('.slide:not([hidden])');
        return {titles: [...s.querySelectorAll('h2')].map(e => e.textContent.trim()),
                photos: [...s.querySelectorAll('.slide-gallery img')].map(
                    i => i.complete && i.naturalWidth > 0 ? i.getBoundingClientRect().height : 0)}; }"""
    for _ in range(12):
        page.wait_for_timeout(1100)
        now = page.evaluate(look)
        seen.update(now["titles"])
        if any("风采" in t for t in now["titles"]):  # the commended organisations' photos, on a slide of their own
            assert len(now["photos"]) == 3, now
            if all(h >= 0.25 * 1080 for h in now["photos"]):  # loaded and large (a first showing may still be decoding)
                if not photos_seen:
                    page.screenshot(path=str(artifacts / "board-photos.png"))
                    assert _axe(page) == []
                photos_seen = True
    assert len(seen) >= 4 and any("光荣榜" in t or "受表彰" in t for t in seen) and photos_seen, seen
    # Large type: a nominee's name is at least 4% of the screen's height.
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.slide-names .name')).fontSize)")
    assert size >= 0.04 * 1080
    phone = _open(browser, board.as_uri(), errors)
    phone.set_viewport_size({"width": 375, "height": 800})
    phone.screenshot(path=str(artifacts / "board-phone.png"))
    # It reloads itself, so a new build reaches the screen.
    fresh = _open(browser, board.as_uri() + "?refresh=2", errors)
    fresh.evaluate("window.stale = true")
    # wait for the reload itself (a fixed pause races with it on a busy machine), then for the new page's load
    with fresh.expect_event("load", timeout=30000):
        pass
    fresh.wait_for_load_state()
    assert fresh.evaluate("window.stale === undefined")
    assert errors == []


# Each kind of page a reader meets, at desktop and phone width: screenshots kept by CI (CXZY_ARTIFACTS), axe clean,
# and on a phone nothing wider than the screen but the tables that scroll inside their own box.
READER_PAGES = {
    "home": "index.html",
    "tree": "units/index.html",
    "publicity": "publicity/index.html",
    "honours": "honours/index.html",
    "member-reviewed": "members/hl1-gugt/index.html",
    "sheet-commitments": "sheets/hongliu-lian-1/commitments/index.html",
    "sheet-appraisals": "sheets/hongliu-lian-1/appraisals/index.html",
}


@pytest.mark.parametrize("name", sorted(READER_PAGES))
def test_reader_pages_at_desktop_and_phone_width(browser, site: Path, artifacts: Path, name: str) -> None:
    _reader_page(browser, site / READER_PAGES[name], artifacts, name)


def test_the_reviews_sheet_at_desktop_and_phone_width(browser, party_site: Path, artifacts: Path) -> None:
    _reader_page(browser, party_site / "sheets/hongliu-lian-1/reviews/index.html", artifacts, "sheet-reviews")


def _reader_page(browser, path: Path, artifacts: Path, name: str) -> None:
    _need(AXE.is_file(), "axe-core (npm ci in tools/web-checks)")
    assert path.is_file(), path
    errors: list[str] = []
    page = _open(browser, path.as_uri(), errors)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    assert _axe(page) == []
    phone = _open(browser, path.as_uri(), errors)
    phone.set_viewport_size({"width": 375, "height": 800})
    phone.screenshot(path=str(artifacts / f"{name}-phone.png"), full_page=True)
    assert _axe(phone) == []
    overflow = phone.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 375, f"{name}: the page is {overflow}px wide on a 375px phone"
    assert errors == []
