"""The nginx snippet of docs/deploy.md, taken from the docs as written and run on 127.0.0.1 over a real build.

Skipped when nginx is not installed; CI sets CXZY_REQUIRE_NGINX=1 (`.ci/run` installs it), which turns a
missing nginx into a failure. The 404 page is also opened in headless Chromium when it is there.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from sitekit import SITE, make_site

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("CXZY_REQUIRE_NGINX") == "1"
BASE_PATH = "/cxzy/"  # the fixture's site.yaml url is https://dangwu.example.org/cxzy/, as in the docs


def _nginx() -> str:
    exe = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None)
    if exe is None:
        if REQUIRED:
            pytest.fail("nginx is missing, and CXZY_REQUIRE_NGINX=1 says it must be there")
        pytest.skip("nginx is not installed")
    return exe


def snippet() -> str:
    """The one nginx block of docs/deploy.md."""
    blocks = re.findall(r"```nginx\n(.*?)```", (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, "docs/deploy.md has exactly one nginx block"
    return blocks[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mime_types(exe: str) -> Path:
    out = subprocess.run([exe, "-V"], capture_output=True, text=True, check=True).stderr
    found = re.search(r"--conf-path=(\S+)", out)
    conf_dir = Path(found.group(1)).parent if found else Path("/etc/nginx")
    return conf_dir / "mime.types"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = _nginx()
    work = tmp_path_factory.mktemp("nginx")
    www = work / "www"
    make_site(SITE, www / "cxzy")
    port = _free_port()
    # The snippet as documented, with the documented folder replaced by this test's.
    block = snippet().replace("root /srv/www;", f"root {www};")
    assert f"root {www};" in block
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the pytest folder, which only its owner can
    temp = " ".join(f"{kind}_temp_path {work}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = work / "nginx.conf"
    conf.write_text(
        f"""
{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include {_mime_types(exe)};
    default_type application/octet-stream;
    access_log off;
    {temp}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
{block}
    }}
}}
""",
        encoding="utf-8",
    )
    check = subprocess.run([exe, "-e", str(work / "error.log"), "-p", str(work), "-c", str(conf), "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([exe, "-e", str(work / "error.log"), "-p", str(work), "-c", str(conf), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert proc.poll() is None, (work / "error.log").read_text(encoding="utf-8", errors="replace")
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.mark.parametrize(
    ("path", "content_type", "cache"),
    [
        ("index.html", "text/html; charset=utf-8", "no-cache"),
        ("units/lian-1/index.html", "text/html; charset=utf-8", "no-cache"),
        ("sitemap.xml", "text/xml; charset=utf-8", "no-cache"),
        ("feed.atom", "application/atom+xml; charset=utf-8", "no-cache"),
        ("assets/site.css", "text/css; charset=utf-8", "public, max-age=3600"),
    ],
)
def test_each_file_is_served_with_its_type_charset_and_caching(server: str, path: str, content_type: str, cache: str) -> None:
    status, headers, body = fetch(f"{server}{BASE_PATH}{path}")
    assert status == 200 and body
    assert headers["content-type"] == content_type
    assert headers["cache-control"] == cache and headers["x-content-type-options"] == "nosniff"
    assert headers.get("etag") and headers.get("last-modified")  # so a no-cache revalidation costs a 304
    status, _, body = fetch(f"{server}{BASE_PATH}{path}", {"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")


def test_the_folder_address_serves_its_index(server: str) -> None:
    status, _, body = fetch(f"{server}{BASE_PATH}units/lian-1/")
    assert status == 200 and "一团一连党支部" in body.decode("utf-8")


def test_hidden_files_are_not_served(server: str) -> None:
    assert fetch(f"{server}{BASE_PATH}.cxzy-site")[0] == 404


def test_the_feed_reads_cleanly_over_http(server: str) -> None:
    import feedparser

    feed = feedparser.parse(f"{server}{BASE_PATH}feed.atom")
    assert feed.bozo is False or feed.bozo == 0, feed.get("bozo_exception")
    assert feed.encoding == "utf-8" and feed.version == "atom10"
    assert feed.feed.title == "第九师创先争优党务公开栏（建站测试） · 评选表彰公示"
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == ["https://dangwu.example.org/cxzy/feed.atom"]
    assert [e.title for e in feed.entries][:1] == ["公示：一团一连党支部（2011 年度先进基层党组织）"]
    assert all(re.match(r"https://dangwu.example.org/cxzy/publicity/shi/\d{8}/index.html#h-", e.link) for e in feed.entries)


NESTED_MISSING = "units/no-such-unit/2011/deeper/page.html"


def test_a_missing_nested_address_shows_the_404_page_with_its_stylesheet(server: str) -> None:
    url = f"{server}{BASE_PATH}{NESTED_MISSING}"
    status, headers, body = fetch(url)
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    page = BeautifulSoup(body.decode("utf-8"), "html.parser")
    assert page.h1.get_text() == "找不到这个页面"
    css = urljoin(url, page.find("link", rel="stylesheet")["href"])
    status, headers, _ = fetch(css)
    assert (status, headers["content-type"]) == (200, "text/css; charset=utf-8")
    for link in page.select("main a"):
        assert fetch(urljoin(url, link["href"]))[0] == 200, link["href"]


def test_the_404_page_is_styled_in_a_browser(server: str) -> None:
    """Headless Chromium at a missing nested address: the stylesheet loads and the home link works."""
    from test_browser import CHROMIUM_ARGS, _need

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        sync_playwright = None  # type: ignore[assignment]
    _need(shutil.which("chromium") is not None, "chromium")
    _need(sync_playwright is not None, "playwright")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda req: failed.append(req.url))
            response = page.goto(f"{server}{BASE_PATH}{NESTED_MISSING}")
            assert response is not None and response.status == 404
            assert failed == []
            sheets = page.evaluate("() => Array.from(document.styleSheets, s => s.cssRules.length)")
            assert sheets and sheets[0] > 10  # the site's stylesheet, parsed
            font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
            assert "Noto Sans CJK SC" in font
            page.locator("main a").first.click()
            page.wait_for_load_state()
            assert page.url == f"{server}{BASE_PATH}index.html" and page.locator("h1").count() == 1
        finally:
            browser.close()
