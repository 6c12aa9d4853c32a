"""Search as a reader uses it: the demo site built with its Pagefind index, served over HTTP, queried in headless Chromium.

The recall table (tests/search_queries.py) is typed into the search page; every expected record must be among
the results the page shows. The figure is written in docs/search.md, and this test checks it is still true.
"""

from __future__ import annotations

import base64
import functools
import gzip
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from search_queries import QUERIES
from sitekit import DEMO, SITE, html, make_site
from test_browser import CHROMIUM_ARGS, REQUIRED, _need

from cxzy_gen.build import pagefind_binary
from cxzy_gen.records import models as m
from cxzy_gen.records.validate import load_dataset
from cxzy_gen.site import search as search_module
from cxzy_gen.site.search import GB2312, VOCABULARY_URL, spaced

ROOT = Path(__file__).resolve().parent.parent
SHOWN = 20  # results the search page lists


def _require_pagefind() -> None:
    if pagefind_binary() is None:
        if REQUIRED:
            pytest.fail("the Pagefind binary (pagefind[bin]) is missing, and CXZY_REQUIRE_BROWSER=1 says it must be there")
        pytest.skip("pagefind[bin] is not installed")


def index_urls(site: Path) -> dict[str, str]:
    """Every record in a built Pagefind index, in every shard: url → content."""
    return {url: content for url, (_, content, _) in index_records(site).items()}


def index_records(site: Path) -> dict[str, tuple[str, str, dict[str, list[str]]]]:
    """Every record in a built Pagefind index: url → (its shard, content, filters); the fragments are gzip'd JSON
    after a signature. Every shard named in shards.json is read, and every bundle folder there must be named in it."""
    found = {}
    names = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    # Every index file has its bytes.
    assert not [p for p in (site / "pagefind").rglob("*") if p.is_file() and p.stat().st_size == 0]
    assert names and sorted(names) == sorted(f"{p.name}/" for p in (site / "pagefind").iterdir() if p.is_dir())
    for name in names:
        fragments = list((site / "pagefind" / name / "fragment").glob("*.pf_fragment"))
        assert fragments, name
        for fragment in fragments:
            data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
            found[data["url"]] = (name, data["content"], data["filters"])
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_pagefind()
    if not (DEMO / "site.yaml").is_file():
        pytest.skip("no demo data")
    out = tmp_path_factory.mktemp("search") / "public"
    # Small shards (a real board gets one shard per ~4,000 records): the demo's records in eight Pagefind indexes,
    # so every test below searches across shards as the page does at scale.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_module, "SHARD_RECORDS", 120)
        make_site(DEMO, out, audience=m.Audience.PUBLIC)
    return out


@pytest.fixture(scope="module")
def served(demo: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(demo))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page(served: str):
    import shutil

    _need(shutil.which("chromium") is not None, "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        # A missing favicon is the server's 404, not the page's: every other failed request is an error.
        tab.on(
            "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None
        )
        yield tab, errors
        browser.close()


def search(page, base: str, query: str = "", **filters: str) -> tuple[str, list[str], list[str]]:
    """Open the search page with a query and filters in its address; (status line, result links, excerpts)."""
    params = "&".join(f"{k}={quote(v)}" for k, v in {"q": query, **filters}.items() if v)
    page.goto(f"{base}search/index.html?{params}")
    page.wait_for_function("() => /找到|没有找到|不能搜索/.test(document.getElementById('search-status').textContent)", timeout=15000)
    status = page.locator("#search-status").inner_text()
    links = page.eval_on_selector_all("#search-results li .result-title a", "els => els.map(a => a.getAttribute('href'))")
    excerpts = page.eval_on_selector_all("#search-results li .excerpt", "els => els.map(e => e.textContent)")
    return status, links, excerpts


def test_the_recall_table(page, served: str) -> None:
    tab, errors = page
    expected = found = 0
    missed = []
    for query, hits in QUERIES:
        _, links, _ = search(tab, served, query)
        for hit in hits:
            expected += 1
            if any(link.endswith(hit) for link in links):
                found += 1
            else:
                missed.append((query, hit))
    assert len(QUERIES) >= 30
    assert errors == []
    assert missed == [], f"recall {found}/{expected}"
    # docs/search.md states the figure this test measures.
    docs = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")
    assert f"召回 {found}/{expected}" in docs


def test_excerpts_read_as_chinese_with_the_query_highlighted(page, served: str) -> None:
    tab, _ = page
    status, _, excerpts = search(tab, served, "节水灌溉")
    assert status.startswith("找到")
    assert any("节水灌溉" in e for e in excerpts), excerpts[:3]
    assert not any(re.search(r"[\u4e00-\u9fff][\s\u200b]+[\u4e00-\u9fff]", e) for e in excerpts), excerpts[:3]
    assert tab.locator("#search-results .excerpt mark").first.inner_text() == "节水灌溉"


def test_filters_narrow_the_results(page, served: str) -> None:
    tab, _ = page
    every, _, _ = search(tab, served, "节水灌溉")
    done, links, _ = search(tab, served, "节水灌溉", status="已完成", kind="公开承诺")
    assert links and count(done) < count(every)
    notes = tab.eval_on_selector_all("#search-results li .note", "els => els.map(e => e.textContent)")
    assert all("公开承诺" in n and "已完成" in n for n in notes)
    # The filter lists come from the index: units, years, kinds and statuses.
    options = {
        name: tab.eval_on_selector_all(f"select[name={name}] option", "els => els.map(o => o.value)")
        for name in ("unit", "year", "kind", "status")
    }
    assert "2011 年" in options["year"] and "红柳河团场党委" in options["unit"]
    assert {"党组织", "党员", "公开承诺", "领导点评", "评选表彰"} <= set(options["kind"])
    # A filter alone, without words, lists what it selects.
    status, links, _ = search(tab, served, kind="评选表彰", status="公示中")
    assert status.startswith("找到") and all("publicity/" in link for link in links)


def test_one_query_finds_and_filters_records_of_several_shards(page, served: str, demo: Path) -> None:
    tab, errors = page
    indexed = index_records(demo)
    assert len({shard for shard, _, _ in indexed.values()}) == 8
    word = spaced("节水灌溉")
    having = {url: (shard, filters) for url, (shard, content, filters) in indexed.items() if word in content.replace("\u200b", "")}
    commitments = {url: v for url, v in having.items() if v[1].get("类别") == ["公开承诺"]}
    assert len({shard for shard, _ in commitments.values()}) >= 2  # the words are in commitments of several shards
    status, links, _ = search(tab, served, "节水灌溉", kind="公开承诺")
    assert count(status) >= len(commitments) and len(links) == min(count(status), SHOWN)
    if len(commitments) <= SHOWN:
        assert all(any(link.endswith(url.lstrip("/")) for link in links) for url in commitments)
    # A second filter narrows across the shards too: one year, taken from a record of another shard than the first's.
    first_shard = commitments[next(iter(commitments))][0]
    year = next(f["年度"][0] for shard, f in commitments.values() if shard != first_shard)
    in_year = {url for url, (_, f) in commitments.items() if f["年度"] == [year]}
    status, links, _ = search(tab, served, "节水灌溉", kind="公开承诺", year=year)
    notes = tab.eval_on_selector_all("#search-results li .note", "els => els.map(e => e.textContent)")
    assert notes and all("公开承诺" in n and year in n for n in notes)
    assert all(any(link.endswith(url.lstrip("/")) for link in links) for url in in_year)
    # The filter lists hold every shard's values, counted together.
    units = {v for _, _, f in indexed.values() for v in f.get("单位", [])}
    options = set(tab.eval_on_selector_all("select[name=unit] option", "els => els.map(o => o.value)"))
    assert options == units | {""}
    assert errors == []


def test_a_character_only_some_shards_hold_is_not_dropped_by_the_others(page, served: str, demo: Path) -> None:
    """Pagefind drops a query word its index lacks: without each shard's vocabulary record, the shards that lack a
    rare character would answer 「X 党」 with every record that has 党."""
    tab, errors = page
    indexed = {url: v for url, v in index_records(demo).items() if url != VOCABULARY_URL}
    chars: dict[str, set[str]] = {}
    for shard, content, _ in indexed.values():
        for char in set(content):
            chars.setdefault(char, set()).add(shard)
    rare = sorted(c for c, shards in chars.items() if len(shards) == 1 and c in GB2312 and c != "党")
    having = {c: {url for url, (_, content, _) in indexed.items() if c in content and "党" in content} for c in rare}
    char = next(c for c in rare if 0 < len(having[c]) <= SHOWN)
    status, links, _ = search(tab, served, f"{char} 党")
    assert count(status) == len(having[char])
    assert sorted(link.removeprefix("../") for link in links) == sorted(having[char])
    assert errors == []


def count(status: str) -> int:
    return int(re.search(r"找到 (\d+) 条", status).group(1))  # type: ignore[union-attr]


def test_a_public_index_holds_nothing_narrower(demo: Path) -> None:
    ds, _, _ = load_dataset(DEMO)
    assert ds is not None
    # Every record of the data narrower than 向社会公开, whoever its readers are (no one build shows them all).
    narrower = {r.id for r in [*ds.commitments, *ds.reviews, *ds.commendations] if r.level.rank > 0}
    assert len(narrower) > 10
    urls = index_urls(demo)
    anchors = {url.split("#", 1)[1][2:] for url in urls if "#" in url}
    assert anchors and not anchors & narrower
    # Their words are not in it either: a 党内公开 nomination's deeds.
    assert not any(spaced("沙泉子五连连长") in content.replace("\u200b", "") for content in urls.values())


def dt_today():
    import datetime as dt

    return dt.date(2011, 6, 28)


def test_from_a_file_the_page_says_to_use_the_sites_address(demo: Path, page) -> None:
    tab, _ = page
    tab.goto((demo / "search" / "index.html").as_uri())
    assert "请通过本站的网址访问" in tab.locator("#search-status").inner_text()


def test_the_search_page_is_on_every_pages_navigation(tmp_path: Path) -> None:
    out = tmp_path / "public"
    make_site(SITE, out, search=False)
    nav = html(out / "units/lian-1/index.html").select("nav.site-nav a")
    assert any(a["href"] == "../../search/index.html" and a.get_text() == "搜索" for a in nav)
    # Without an index the page still stands, and says it cannot search yet.
    assert (out / "search/index.html").is_file() and not (out / "pagefind").exists()


def test_the_search_page_passes_axe_and_reads_on_a_phone(page, served: str, tmp_path: Path) -> None:
    from test_browser import AXE, _axe

    _need(AXE.is_file(), "axe-core (npm ci in tools/web-checks)")
    tab, errors = page
    status, _, _ = search(tab, served, "冰雹灾后")
    assert status.startswith("找到")
    assert _axe(tab) == []
    shots = _artifacts(tmp_path)
    tab.screenshot(path=str(shots / "search.png"), full_page=True)
    tab.set_viewport_size({"width": 375, "height": 800})
    assert tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    tab.screenshot(path=str(shots / "search-phone.png"), full_page=True)
    tab.set_viewport_size({"width": 1280, "height": 900})
    assert errors == []


def _artifacts(tmp_path: Path) -> Path:
    import os

    folder = Path(os.environ.get("CXZY_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file(path: str, data: bytes = b"x") -> dict[str, str]:
    return {"path": path, "content": base64.b64encode(data).decode()}


def test_the_bundle_is_written_as_pagefind_gives_it_without_its_ready_made_interfaces(tmp_path: Path) -> None:
    folder = tmp_path / "pagefind" / "0"
    search_module.write_bundle(
        folder,
        [
            _file("pagefind-entry.json", b"{}"),
            _file("fragment/a.pf_fragment", b"\x1f\x8b"),
            _file("pagefind-ui.js"),
            _file("pagefind-highlight.js"),
        ],
    )
    written = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert written == {"pagefind-entry.json": b"{}", "fragment/a.pf_fragment": b"\x1f\x8b"}


@pytest.mark.parametrize("path", ["../outside", "fragment/../../outside", "/tmp/outside", "fragment\\..\\outside", ""])
def test_a_bundle_file_named_out_of_its_folder_is_refused(tmp_path: Path, path: str) -> None:
    folder = tmp_path / "site" / "pagefind" / "0"
    with pytest.raises(search_module.SearchIndexError, match="索引文件名不能用"):
        search_module.write_bundle(folder, [_file(path, b"hostile")])
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_bundle_file_over_a_link_or_not_base64_is_an_error_in_chinese(tmp_path: Path) -> None:
    folder = tmp_path / "pagefind" / "0"
    folder.mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"kept")
    (folder / "pagefind-entry.json").symlink_to(outside)
    with pytest.raises(search_module.SearchIndexError, match="写不进去"):
        search_module.write_bundle(folder, [_file("pagefind-entry.json", b"hostile")])
    assert outside.read_bytes() == b"kept"
    with pytest.raises(search_module.SearchIndexError, match="写不进去"):
        search_module.write_bundle(folder, [{"path": "fragment/b.pf_fragment", "content": "not base64!"}])


def test_the_plain_binary_is_the_one_a_build_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """cxzy spaces every Chinese character itself, so Pagefind's plain binary indexes as the extended one did, faster
    (docs/search.md): it is the one installed and the one a build finds, even beside the extended one."""
    from cxzy_gen.build import pagefind_binary

    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    import pagefind_bin  # type: ignore[import-untyped]  # (a dependency of cxzy: installed with it)

    assert pagefind_binary() == Path(pagefind_bin.get_executable())
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/opt/pagefind-elsewhere")
    assert pagefind_binary() == Path("/opt/pagefind-elsewhere")


def test_markup_in_a_record_is_shown_as_text_in_search_results(page, tmp_path: Path) -> None:
    """Hostile markup in a record (its title and measures go into the index as text, tags and all) is shown by the search
    page as text: no element of it is made, no script runs, no handler fires."""
    from sitekit import copy_data

    tab, _ = page
    data = copy_data(SITE, tmp_path / "data")
    path = data / "units" / "lian-1" / "2011" / "commitments.yaml"  # (向社会公开)
    markup = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: 全连棉花单产提高百分之五", "title: " + json.dumps(f"全连棉花{markup}单产提高", ensure_ascii=False), 1)
    text = text.replace("      推广膜下滴灌技术；", f"      推广棉花{markup}膜下滴灌技术；", 1)
    assert f"推广棉花{markup}" in text and "全连棉花<img" in text
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    make_site(data, out, audience=m.Audience.PUBLIC)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dialogs: list[str] = []

    def dialog(d) -> None:
        dialogs.append(d.message)
        d.dismiss()

    tab.on("dialog", dialog)
    try:
        status, _, excerpts = search(tab, f"http://127.0.0.1:{server.server_port}/", "棉花")
        titles = tab.eval_on_selector_all("#search-results li .result-title a", "els => els.map(a => a.textContent)")
        made = tab.eval_on_selector_all("#search-results img, #search-results script", "els => els.length")
        pwned = tab.evaluate("() => window.pwned === undefined ? null : window.pwned")
    finally:
        tab.remove_listener("dialog", dialog)
        server.shutdown()
    assert status.startswith("找到") and any("<script>" in t for t in titles), titles
    assert any("onerror" in e for e in excerpts), excerpts
    assert made == 0 and pwned is None and dialogs == []
