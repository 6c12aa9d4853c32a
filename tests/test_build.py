"""The build as a whole: reproducible output, the output folder swapped in whole, template overrides, the CLI."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import TemplateError
from sitekit import SITE, TODAY, copy_data, data_sets, files, html, make_site, text_of

from cxzy_gen.build import DataProblems, build, build_date
from cxzy_gen.cli import main
from cxzy_gen.records import models as m
from cxzy_gen.site.scope import Scope
from cxzy_gen.site.write import UnsafePath, check_url, write

REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- reproducible


@pytest.mark.parametrize("data", data_sets(), ids=lambda p: p.name)
def test_two_builds_of_the_same_data_and_date_are_byte_identical(data: Path, tmp_path: Path) -> None:
    first = make_site(data, tmp_path / "a" / "public")
    second = make_site(data, tmp_path / "b" / "public")
    assert first.files == second.files
    one, two = files(tmp_path / "a" / "public"), files(tmp_path / "b" / "public")
    # (files() leaves out the search index's filter files, which Pagefind does not write reproducibly.)
    assert list(one) == list(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert any(name.startswith("pagefind/0/fragment/") for name in one)


def test_a_later_date_changes_only_what_depends_on_the_date(tmp_path: Path) -> None:
    make_site(SITE, tmp_path / "a", today=dt.date(2011, 6, 28), search=False)
    make_site(SITE, tmp_path / "b", today=dt.date(2011, 6, 29), search=False)
    one, two = files(tmp_path / "a"), files(tmp_path / "b")
    assert one["assets/site.css"] == two["assets/site.css"]
    assert "1 天后结束" in two["index.html"].decode()


def test_build_date_comes_from_the_option_then_source_date_epoch_then_the_clock() -> None:
    assert build_date(dt.date(2011, 6, 28), {"SOURCE_DATE_EPOCH": "0"}) == dt.date(2011, 6, 28)
    # 2011-06-27T16:30:00Z is already 28 June in China (UTC+8).
    assert build_date(None, {"SOURCE_DATE_EPOCH": "1309192200"}) == dt.date(2011, 6, 28)
    # Without either: today in China, whatever the machine's time zone says. Between them, a machine 12 hours
    # behind UTC and one 14 hours ahead disagree with China's date at every hour of the day.
    for zone in ("Etc/GMT+12", "Etc/GMT-14"):
        with local_time_zone(zone):
            china = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
            assert build_date(None, {}) == china, zone


@contextlib.contextmanager
def local_time_zone(name: str) -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


# ---------------------------------------------------------------- the output folder swapped in whole


def _snapshot(folder: Path) -> dict[str, bytes]:
    return files(folder)


def test_removed_records_files_disappear(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    out = tmp_path / "public"
    make_site(data, out, search=False)
    assert (out / "members/lian1-zhou/index.html").is_file()
    members = data / "units/lian-1/members.yaml"
    text = members.read_text(encoding="utf-8")
    # Remove the member and every record naming them.
    members.write_text(text[: text.index("  - id: lian1-zhou")] + text[text.index("  - id: lian1-qian") :], encoding="utf-8")
    commitments = data / "units/lian-1/2011/commitments.yaml"
    kept = [block for block in commitments.read_text(encoding="utf-8").split("\n  - ") if "lian1-zhou" not in block]
    commitments.write_text("\n  - ".join(kept), encoding="utf-8")
    make_site(data, out, search=False)
    assert not (out / "members/lian1-zhou").exists()
    assert (out / "members/lian1-sun/index.html").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".public-")], "no temporary folder is left behind"


def test_a_build_with_bad_data_leaves_the_old_site_untouched(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    out = tmp_path / "public"
    make_site(data, out, search=False)
    before = _snapshot(out)
    (data / "units/lian-1/unit.yaml").write_text("id: lian-1\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataProblems) as raised:
        make_site(data, out, today=dt.date(2012, 1, 1), search=False)
    assert any(p.code == "E-YAML" for p in raised.value.problems)
    assert _snapshot(out) == before


def test_a_write_that_fails_halfway_leaves_the_old_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "public"
    make_site(SITE, out, search=False)
    before = _snapshot(out)

    def pages():
        yield "index.html", b"new"
        yield "units/x/index.html", b"new"
        raise RuntimeError("the renderer fell over")

    with pytest.raises(RuntimeError):
        write(pages(), out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_a_template_error_leaves_the_old_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "public"
    make_site(SITE, out, search=False)
    before = _snapshot(out)
    templates = tmp_path / "site_templates"
    templates.mkdir()
    (templates / "member.html").write_text(
        '{% extends "default:member.html" %}{% block title %}{{ no_such_name }}{% endblock %}', encoding="utf-8"
    )
    with pytest.raises(TemplateError):
        make_site(SITE, out, templates=templates)  # with the search index, begun before the pages render
    assert _snapshot(out) == before
    # the search index, begun beside the output before the pages rendered, was stopped and removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site_templates"]


FAILING_PAGEFIND = {
    "exits at once": "#!/bin/sh\nexit 3\n",
    "answers every request with an error": (
        "#!/usr/bin/env python3\n"
        "import base64, json, sys\n"
        "data = b''\n"
        "while chunk := sys.stdin.buffer.read1(65536):\n"
        "    data += chunk\n"
        "    *messages, data = data.split(b',')\n"
        "    for raw in messages:\n"
        "        number = json.loads(base64.b64decode(raw))['message_id']\n"
        "        answer = {'message_id': number, 'payload': {'type': 'Error', 'message': 'disk on fire'}}\n"
        "        sys.stdout.buffer.write(base64.b64encode(json.dumps(answer).encode()) + b',')\n"
        "        sys.stdout.buffer.flush()\n"
    ),
}


@pytest.mark.parametrize("cached", [True, False], ids=["with a cache", "without"])
@pytest.mark.parametrize("how", FAILING_PAGEFIND)
def test_a_search_index_that_fails_leaves_the_old_site_untouched(
    how: str, cached: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind runs beside the output while the pages are written: when it fails, the build says so in Chinese,
    the old site stays as it was and nothing is left beside it (neither the new folder nor the index's)."""
    out = tmp_path / "site" / "public"
    make_site(SITE, out, search=False)
    before = _snapshot(out)
    fake = tmp_path / "pagefind"
    fake.write_text(FAILING_PAGEFIND[how], encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    args = ["build", "--data", str(SITE), "--out", str(out), "--today", "2011-06-29", "--audience", "党内公开"]
    result = CliRunner().invoke(main, [*args, *(["--cache", str(tmp_path / "cache")] if cached else ["--no-cache"])])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "保持原样" in result.output
    assert ("Pagefind 意外退出" if how == "exits at once" else "Pagefind 建立索引失败：disk on fire") in result.output
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["public"]


def test_what_a_killed_build_left_beside_the_output_is_cleared_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "public"
    make_site(SITE, out, search=False)
    for kind in ("new", "old", "index"):  # a killed build's new site, the site it replaced, its search index
        (tmp_path / f".public-{kind}-x1y2" / "pagefind").mkdir(parents=True)
    (tmp_path / ".public-other-z").mkdir()  # not cxzy's: left alone
    make_site(SITE, out, today=dt.date(2011, 6, 29))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public-other-z", "public"]
    assert json.loads((out / "pagefind" / "shards.json").read_text(encoding="utf-8")) == ["0/"]


KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cxzy_gen.site.write import write

    def pages():
        for i in range(10_000):
            if i == 50:
                print("halfway", flush=True)
                time.sleep(60)
            yield f"p{i}.html", b"new page"

    write(pages(), Path(sys.argv[1]))
    """
)


def test_a_killed_build_leaves_the_old_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "public"
    make_site(SITE, out, search=False)
    before = _snapshot(out)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(out)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "halfway"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert _snapshot(out) == before
    # The half-written folder beside it is ignored (and .gitignore'd); the next build replaces the site as usual.
    make_site(SITE, out, today=dt.date(2011, 6, 29), search=False)
    assert "1 天后结束" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "url",
    [
        "../escape.html",
        "/etc/passwd.html",
        "units/../../x.html",
        "units/a b/index.html",
        "units/.hidden/index.html",
        "index.php",
        "units//index.html",
        "",
    ],
)
def test_the_writer_refuses_anything_but_plain_relative_paths(url: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafePath):
        check_url(url)
    with pytest.raises(UnsafePath):
        write([(url, b"x")], tmp_path / "public")
    assert not (tmp_path / "public").exists()


def test_plan_checks_ids_before_they_become_urls() -> None:
    from cxzy_gen.site.plan import member_url, unit_url

    assert unit_url("lian-1") == "units/lian-1/index.html"
    for bad in ("../x", "a/b", "", ".x"):
        with pytest.raises(ValueError):
            member_url(bad)
    assert check_url("units/lian-1/index.html") == ("units", "lian-1", "index.html")


@pytest.mark.parametrize("what", ["a repository", "the data folder"])
def test_a_folder_that_is_not_a_cxzy_site_is_never_replaced(what: str, tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "repo" / "data")
    out = tmp_path / "repo" if what == "a repository" else data
    before = _snapshot(out)
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out), "--today", "2011-06-28"])
    assert result.exit_code == 2 and "不是 cxzy 生成的站点" in result.output  # a refused --out is a usage error
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(p.name for p in out.parent.iterdir() if not p.name.startswith("."))


def test_an_empty_folder_or_an_earlier_site_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    make_site(SITE, out, search=False)
    assert (out / ".cxzy-site").is_file()
    make_site(SITE, out, search=False)  # the marker says it is ours


# ---------------------------------------------------------------- templates


def test_a_site_overrides_one_block_and_keeps_the_rest(tmp_path: Path) -> None:
    templates = tmp_path / "site_templates"
    templates.mkdir()
    (templates / "base.html").write_text(
        '{% extends "default:base.html" %}\n{% block footer %}{{ super() }}<p class="ours">本站由师党委组织部维护。</p>{% endblock %}\n',
        encoding="utf-8",
    )
    out = tmp_path / "public"
    make_site(SITE, out, templates=templates, search=False)
    for page in ("index.html", "units/lian-1/index.html", "members/lian1-sun/index.html"):
        soup = html(out / page)
        assert text_of(soup.select_one("footer p.ours")) == "本站由师党委组织部维护。"
        assert soup.select_one("nav.site-nav") is not None  # the rest of base.html as shipped
        assert "意见受理" in text_of(soup.footer)  # super() kept the original footer
    assert text_of(html(out / "units/lian-1/index.html").h1) == "一团一连党支部"


def test_a_site_overrides_the_stylesheet(tmp_path: Path) -> None:
    templates = tmp_path / "site_templates"
    (templates / "static").mkdir(parents=True)
    (templates / "static/site.css").write_text("body { color: #000; }\n", encoding="utf-8")
    make_site(SITE, tmp_path / "public", templates=templates, search=False)
    assert (tmp_path / "public/assets/site.css").read_text(encoding="utf-8") == "body { color: #000; }\n"


def test_the_cli_finds_site_templates_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    copy_data(SITE, tmp_path / "data")
    (tmp_path / "site_templates").mkdir()
    (tmp_path / "site_templates/404.html").write_text(
        '{% extends "default:404.html" %}{% block content %}<h1>页面走丢了</h1>{% endblock %}', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["build", "--today", "2011-06-28", "--no-search"])
    assert result.exit_code == 0, result.output
    assert text_of(html(tmp_path / "public/404.html").h1) == "页面走丢了"


# ---------------------------------------------------------------- the command line


def test_cli_build_prints_a_chinese_summary(tmp_path: Path) -> None:
    out = tmp_path / "public"
    data = copy_data(SITE, tmp_path / "data")  # outside git: the page count does not depend on the repository's history
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out), "--today", "2011-06-28", "--audience", "party"])
    assert result.exit_code == 0, result.output
    # 23, the 督查 section (index, 3 units, April/December), the lobby screen and 3 print sheets
    assert "已生成 32 个页面（党组织 3 个、党员 7 名" in result.output
    assert "公开范围：党内公开" in result.output and "日期 2011-06-28" in result.output
    assert str(out / "index.html") in result.output
    assert (out / "index.html").is_file()
    assert (out / "pagefind/shards.json").is_file()  # the search index is built unless --no-search says not to


def test_cli_build_with_bad_data_prints_the_problems_and_exits_1_without_touching_out(tmp_path: Path) -> None:
    data = copy_data(SITE, tmp_path / "data")
    out = tmp_path / "public"
    out.mkdir()
    (out / "keep.html").write_text("old", encoding="utf-8")
    (data / "units/lian-1/2011/commitments.yaml").write_text(
        (data / "units/lian-1/2011/commitments.yaml").read_text(encoding="utf-8").replace("subject: lian1-sun", "subject: nobody", 1),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out), "--today", "2011-06-28"])
    assert result.exit_code == 1
    assert "E-REF" in result.output and "commitments.yaml:" in result.output
    assert "没有生成站点" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.html"]


def test_cli_build_uses_source_date_epoch(tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(
        main, ["build", "--data", str(SITE), "--out", str(out), "--no-search"], env={"SOURCE_DATE_EPOCH": "1309192200"}
    )
    assert result.exit_code == 0, result.output
    assert "日期 2011-06-28" in result.output
    bad = CliRunner().invoke(main, ["build", "--data", str(SITE), "--out", str(out)], env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.exit_code == 2 and "SOURCE_DATE_EPOCH" in bad.output


def test_cli_build_reports_a_missing_data_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "public")])
    assert result.exit_code == 2 and "找不到数据目录" in result.output


def test_cli_build_reports_a_template_error_with_file_and_line(tmp_path: Path) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "home.html").write_text('{% extends "default:home.html" %}\n{% block title %}{{ oops }}{% endblock %}\n', encoding="utf-8")
    out = tmp_path / "public"
    result = CliRunner().invoke(
        main, ["build", "--data", str(SITE), "--out", str(out), "--templates", str(templates), "--today", "2011-06-28"]
    )
    assert result.exit_code == 1
    assert "模板出错" in result.output and "oops" in result.output
    assert not out.exists()


def test_python_dash_m_runs_the_build(tmp_path: Path) -> None:
    out = tmp_path / "public"
    run = subprocess.run(
        [sys.executable, "-m", "cxzy_gen", "build", "--data", str(SITE), "--out", str(out), "--today", "2011-06-28", "--no-search"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert (out / "index.html").is_file()


def test_build_returns_figures_and_warnings(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = build(SITE, tmp_path / "public", TODAY, m.Audience.PUBLIC, search=False)
    assert (result.pages, result.units, result.members) == (
        25,
        3,
        6,
    )  # 3 units, 6 members, 10 site pages, 4 公示 notices and 2 print sheets
    assert result.warnings == [] and result.problems == []
    assert 0 < result.seconds <= time.perf_counter() - started


def test_parallel_rendering_makes_the_same_bytes_in_the_same_order() -> None:
    from cxzy_gen.records.validate import load_dataset
    from cxzy_gen.site.derive import derive
    from cxzy_gen.site.plan import plan
    from cxzy_gen.site.render import environment, render

    ds, _, _ = load_dataset(SITE)
    assert ds is not None
    pages = plan(derive(ds, TODAY, Scope(m.Audience.UNIT, "shequ-1")))
    env = environment()
    assert list(render(pages, env, jobs=2)) == list(render(pages, env, jobs=1))


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """The collector is paused while the data set is made and its objects frozen after: undone at the end, also when
    the data has errors, so a long-running `cxzy serve` does not keep every build's objects."""
    import gc

    assert gc.isenabled() and gc.get_freeze_count() == 0
    make_site(SITE, tmp_path / "public")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    data = copy_data(SITE, tmp_path / "data")
    (data / "units/lian-1/unit.yaml").write_text("id: lian-1\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataProblems):
        make_site(data, tmp_path / "public")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:  # nor does it turn on a collector its caller turned off
        make_site(SITE, tmp_path / "public")
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_the_search_index_starts_only_after_the_workers_have_forked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind is driven by a thread of the build; forking the workers (which hash and render the pages) beside a
    running thread is unsafe (a lock it holds stays held in the child), so the thread starts once the workers exist."""
    from cxzy_gen.site import render

    monkeypatch.setattr(render, "default_jobs", lambda pages: 2)
    threads_at_fork: list[list[str]] = []
    real_fork = os.fork

    def fork() -> int:
        threads_at_fork.append([t.name for t in threading.enumerate()])
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    result = make_site(SITE, tmp_path / "public")
    assert len(threads_at_fork) == 3  # the cross-record rules' process aside (while the views are derived), then the two workers
    assert not any(name.startswith("pagefind") for names in threads_at_fork for name in names), threads_at_fork
    assert result.files > result.pages and (tmp_path / "public/pagefind/0/pagefind-entry.json").stat().st_size > 0


def _latest_by_sorting_all(views, n: int) -> list:  # type: ignore[no-untyped-def]
    """`plan.latest_changes` as first written: every record made into a change, all sorted."""
    from cxzy_gen.site.derive import natural_key
    from cxzy_gen.site.plan import _change, notice_links

    links = notice_links(views.notices)
    found = [(c.record.publicized.date if c.record.publicized else c.record.proposed, c.record.id, "c", c) for c in views.commitments]
    found += [(r.record.date, r.record.id, "r", r) for r in views.reviews]
    found += [(a.record.date, a.record.id, "a", a) for a in views.appraisals]
    found += [(h.window.start, h.record.id, "h", h) for h in views.commendations if h.window is not None]
    changes = [(day, rid, _change(day, kind, view, links)) for day, rid, kind, view in found if day <= views.today]
    changes.sort(key=lambda f: (-f[0].toordinal(), natural_key(f[1])))
    return [change for _, _, change in changes[:n]]


def test_the_latest_changes_are_the_newest_records_by_date_then_id(tmp_path: Path) -> None:
    """The home page's 最新动态 looks only at records dated on or after the n-th newest date: the same list, same-day
    records by id, as sorting every record."""
    from cxzy_gen.demo import generate
    from cxzy_gen.records.validate import load_dataset
    from cxzy_gen.site.derive import derive
    from cxzy_gen.site.plan import latest_changes

    generate(12, 4, tmp_path / "board", years=1, seed=5)
    dataset, _, _ = load_dataset(tmp_path / "board" / "data")
    assert dataset is not None
    views = derive(dataset, dt.date(2025, 12, 31), Scope(m.Audience.PUBLIC))
    every = _latest_by_sorting_all(views, 10**6)
    days = [change.date for change in every]
    assert len(every) > 100 and any(days[k] == days[k + 1] for k in range(len(days) - 1))  # same-day records to order
    for n in [0, 1, 2, 3, 5, 8, 10, 13, 20, 50, len(every) - 1, len(every), len(every) + 1]:
        assert latest_changes(views, n) == _latest_by_sorting_all(views, n), n


def _dangling_secretary(data: Path) -> Path:
    """The data set with lian-1's secretary a member who does not exist (a cross-record error, E-REF)."""
    unit = data / "units/lian-1/unit.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("secretary: lian1-zhao", "secretary: lian1-nobody"), encoding="utf-8")
    return unit


def test_the_cross_record_rules_run_aside_while_the_views_are_derived_and_their_errors_stop_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules check the data set in a process of their own while the build derives the views (`checked_views`); an
    error they find stops the build as before, at its file and line, with the output untouched."""
    from cxzy_gen.records import rules

    ran_in = tmp_path / "rules-pid"

    def recorder(ds: object) -> Iterator[object]:
        ran_in.write_text(str(os.getpid()))
        return iter(())

    monkeypatch.setattr(rules, "RULES", [*rules.RULES, recorder])
    data = copy_data(SITE, tmp_path / "data")
    out = tmp_path / "public"
    make_site(data, out, search=False)
    assert int(ran_in.read_text()) != os.getpid()
    before = _snapshot(out)
    unit = _dangling_secretary(data)
    line = unit.read_text(encoding="utf-8").splitlines().index("secretary: lian1-nobody") + 1
    with pytest.raises(DataProblems) as raised:
        make_site(data, out, search=False)
    found = [(p.code, p.file, p.line) for p in raised.value.problems if p.is_error]
    assert found == [("E-REF", str(unit), line)], found
    assert _snapshot(out) == before


def test_views_that_fail_on_data_the_rules_refuse_give_way_to_the_rules_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Derive runs before the rules have spoken, so it may meet data they refuse and fail on it: the user is then told
    the rules' errors, never a traceback. On data the rules pass, derive's own failure is not hidden."""
    from cxzy_gen.site import derive

    def broken(*args: object, **kw: object) -> object:
        raise KeyError("lian1-nobody")

    monkeypatch.setattr(derive, "derive", broken)
    data = copy_data(SITE, tmp_path / "data")
    _dangling_secretary(data)
    with pytest.raises(DataProblems) as raised:
        make_site(data, tmp_path / "public", search=False)
    assert [p.code for p in raised.value.problems if p.is_error] == ["E-REF"]
    with pytest.raises(KeyError):
        make_site(SITE, tmp_path / "public", search=False)
    assert not (tmp_path / "public").exists()


def test_when_the_rules_process_dies_the_build_runs_the_rules_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rules process killed (for memory, say) is noticed by its short answer, and the build checks the data itself:
    its errors still stop the build."""
    from cxzy_gen.problems import Problem
    from cxzy_gen.records import rules

    build_pid = os.getpid()

    def dies_aside(ds: object) -> Iterator[Problem]:
        if os.getpid() != build_pid:
            os._exit(3)
        yield Problem("units/lian-1/unit.yaml", 1, 1, "E-TREE", "只在生成的进程里找到")

    monkeypatch.setattr(rules, "RULES", [*rules.RULES, dies_aside])
    with pytest.raises(DataProblems) as raised:
        make_site(SITE, tmp_path / "public", search=False)
    assert [p.message for p in raised.value.problems if p.is_error] == ["只在生成的进程里找到"]
