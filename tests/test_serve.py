"""cxzy serve: a preview that rebuilds on change and shows data problems in the browser instead of stopping."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup
from git_helpers import GitRepo
from sitekit import SITE, TODAY, copy_data, html, text_of

from cxzy_gen.records import models as m
from cxzy_gen.site.serve import preview, serve


def test_preview_builds_the_site(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")  # outside git: no history
    message = preview(data, tmp_path / "public", TODAY, m.Audience.PUBLIC, None)
    assert message.startswith("已生成 25 个页面")
    assert (tmp_path / "public/units/lian-1/index.html").is_file()
    assert not (tmp_path / "public/changes/index.html").exists()


def test_preview_shows_the_git_history_like_build(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo", SITE)
    repo.commit("导入数据", author=("王建国", "wjg@example.org"), date="2011-03-01T09:00:00+08:00")
    out = tmp_path / "public"
    message = preview(repo.data, out, TODAY, m.Audience.PUBLIC, None)
    assert message.startswith("已生成 26 个页面")
    changes = text_of(html(out / "changes/index.html").find("main"))
    assert "王建国" in changes and "新增站点设置" in changes and "直接提交" in changes
    assert "王建国" in text_of(html(out / "units/lian-1/index.html").find("main"))


def test_preview_of_bad_data_is_a_page_listing_the_problems_escaped(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    unit = data / "units/lian-1/unit.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("parent: tuan-1", "parent: <script>alert(1)</script>"), encoding="utf-8")
    out = tmp_path / "public"
    message = preview(data, out, TODAY, m.Audience.PUBLIC, None)
    assert "错误" in message
    page = html(out / "index.html")
    assert not page.find_all("script")
    problems = [text_of(tr) for tr in page.select("tbody tr")]
    assert any("unit.yaml" in p and "<script>alert(1)</script>" in p for p in problems)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [".cxzy-site", "assets/site.css", "index.html"]


def test_preview_of_a_broken_template_says_where(tmp_path: Path) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "home.html").write_text('{% extends "default:home.html" %}{% block content %}{% if %}{% endblock %}', encoding="utf-8")
    message = preview(SITE, tmp_path / "public", TODAY, m.Audience.PUBLIC, templates)
    assert message.startswith("模板出错")
    assert "home.html" in text_of(html(tmp_path / "public/index.html"))


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.headers["Cache-Control"] == "no-store"
        return response.read().decode("utf-8")


def _wait_for(predicate, what: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_serve_rebuilds_on_change_and_survives_bad_data(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    said: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=serve, kwargs={"data_dir": data, "port": 0, "today": TODAY, "say": said.append, "stop": stop}, daemon=True
    )
    thread.start()
    try:
        _wait_for(lambda: any("预览地址" in s for s in said), "the server to start")
        url = re.search(r"http://127\.0\.0\.1:\d+/", next(s for s in said if "预览地址" in s)).group(0)  # type: ignore[union-attr]
        assert "一团一连党支部" in _get(url + "units/lian-1/index.html")

        unit = data / "units/lian-1/unit.yaml"
        good = unit.read_text(encoding="utf-8")
        unit.write_text(good.replace("name: 一团一连党支部", "name: 一团一连党支部（改名）"), encoding="utf-8")
        _wait_for(lambda: "（改名）" in _get(url + "units/lian-1/index.html"), "the rebuild after a change")

        unit.write_text(good.replace("kind: 党支部", "kind: 支部"), encoding="utf-8")
        _wait_for(lambda: "E-VALUE" in _get(url + "index.html"), "the problem page")
        page = BeautifulSoup(_get(url + "index.html"), "html.parser")
        assert "数据有" in text_of(page.h1)

        unit.write_text(good, encoding="utf-8")
        _wait_for(lambda: "一团一连党支部" in _get(url + "units/lian-1/index.html"), "the site to come back")
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
