"""What must never reach a page: records meant for a narrower audience, and markup or script from the data."""

from __future__ import annotations

import gzip
import itertools
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from sitekit import MODEL, copy_data, data_sets, free_text_fields, html, make_site, own_addresses, records, rewrite

from cxzy_gen.records import models as m
from cxzy_gen.records.validate import load_dataset

LEVELS = list(m.Audience)
MARK = "QZXMARK"  # never occurs in real data


def _folder_unit(path: Path, data: Path) -> str:
    return path.relative_to(data).parts[1]


def mark_narrower(data: Path) -> tuple[dict[int, set[str]], dict[int, set[str]], dict[str, str]]:
    """Spread the records of a data copy over the four audiences and mark each one's free text.

    Returns (markers by audience rank, page paths of units and members by audience rank, the unit folder of each marker)."""
    markers: dict[int, set[str]] = defaultdict(set)
    owners: dict[str, str] = {}
    paths: dict[int, set[str]] = defaultdict(set)
    root = yaml.safe_load((data / "site.yaml").read_text(encoding="utf-8"))["root_unit"]
    counter = itertools.count()

    def change(kind: str, content: dict[str, Any], path: Path) -> None:
        if kind == "site":
            return
        content.pop("audience", None) if kind != "unit" else None
        unit_id = _folder_unit(path, data)
        for record in records(kind, content):
            n = next(counter)
            level = m.Audience.PUBLIC if (kind == "unit" and record["id"] == root) else LEVELS[n % 4]
            record["audience"] = level.value
            if level is m.Audience.SPECIFIC:
                record["audience_to"] = [unit_id]
            else:
                record.pop("audience_to", None)
            marker = f"{MARK}{level.rank}x{n}"
            markers[level.rank].add(marker)
            owners[marker] = unit_id
            for holder, key, limit in free_text_fields(MODEL[kind], record):
                holder[key] = (holder[key][: max(1, limit - len(marker) - 1)] + " " + marker)[:limit]
            if kind in {"unit", "members"}:
                paths[level.rank].add(f"{'units' if kind == 'unit' else 'members'}/{record['id']}/index.html")

    rewrite(data, change)
    return markers, paths, owners


Marked = tuple[Path, dict[int, set[str]], dict[int, set[str]], dict[str, str]]


@pytest.fixture(scope="module", params=data_sets(), ids=lambda p: p.name)
def marked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Marked:
    data = copy_data(request.param, tmp_path_factory.mktemp("marked") / "data")
    markers, paths, owners = mark_narrower(data)
    ds, problems, _ = load_dataset(data)
    assert ds is not None, [p.as_text() for p in problems if p.is_error][:10]
    return data, markers, paths, owners


def _found(out: Path) -> tuple[set[str], set[str]]:
    """The markers in every file of a build, and those in its search index."""
    found: set[str] = set()
    in_index: set[str] = set()
    pattern = re.compile(MARK + r"\dx\d+")
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        if path.suffix.startswith(".pf_"):  # the search index: gzip'd fragments, filters and word lists
            raw = gzip.decompress(raw)
        marks = pattern.findall(raw.decode("utf-8", errors="replace"))
        found.update(marks)
        if path.suffix == ".pf_fragment":
            in_index.update(marks)
    return found, in_index


@pytest.mark.parametrize("audience", [m.Audience.PUBLIC, m.Audience.PARTY], ids=lambda a: a.name)
def test_a_build_contains_nothing_meant_for_a_narrower_audience(marked: Marked, audience: m.Audience, tmp_path: Path) -> None:
    data, markers, paths, _ = marked
    out = tmp_path / "public"
    make_site(data, out, audience=audience)
    found, in_index = _found(out)
    narrower = {mk for rank, mks in markers.items() if rank > audience.rank for mk in mks}
    assert found & narrower == set(), f"{len(found & narrower)} narrower records leaked, e.g. {sorted(found & narrower)[:5]}"
    # Not vacuous: records of this audience are in this build, and in its search index.
    assert found & markers[audience.rank]
    assert in_index & markers[audience.rank]
    written = {p.relative_to(out).as_posix() for p in out.rglob("index.html")}
    hidden = {page for rank, pages in paths.items() if rank > audience.rank for page in pages}
    assert written & hidden == set()


@pytest.mark.parametrize("audience", [m.Audience.UNIT, m.Audience.SPECIFIC], ids=lambda a: a.name)
def test_each_units_board_holds_no_other_units_restricted_text(marked: Marked, audience: m.Audience, tmp_path: Path) -> None:
    """Built for each unit in turn (本单位公开 --unit U; 特定对象公开 --to U on U's board): of the records narrower than
    党内公开, only U's own appear; every other unit's are scanned for and absent. (The demo: its first four units.)"""
    data, markers, _, owners = marked
    restricted = {mk for rank, mks in markers.items() if rank >= m.Audience.UNIT.rank for mk in mks}
    units = sorted({owners[mk] for mk in markers[audience.rank]})[:4]
    assert units, "the data has records of this audience"
    for unit in units:
        out = tmp_path / unit / "public"
        make_site(data, out, audience=audience, unit=unit, to=(unit,) if audience is m.Audience.SPECIFIC else ())
        found, _ = _found(out)
        others = {mk for mk in restricted if owners[mk] != unit}
        assert found & others == set(), f"{unit}: other units' restricted text leaked, e.g. {sorted(found & others)[:5]}"
        # 党内公开 and wider are there; this audience's records of this unit too (when their unit is on the board).
        assert found & markers[m.Audience.PARTY.rank]
        own = {mk for mk in markers[audience.rank] if owners[mk] == unit}
        assert found & own or unit_hidden(found, markers, owners, unit), f"{unit}: none of its own {audience.value} records shown"


def unit_hidden(found: set[str], markers: dict[int, set[str]], owners: dict[str, str], unit: str) -> bool:
    """The unit itself is narrower than this build (e.g. 特定对象公开 to another unit): nothing of it can show."""
    return not any(owners[mk] == unit for mk in found)


# ---------------------------------------------------------------- hostile data

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    '<a href="javascript:alert(1)">链接</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="color:red" onclick="alert(1)">红字</p>',
    "<https://evil.example/x>",
    "![图](https://evil.example/x.png)",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
]


def poison(data: Path) -> None:
    """Put every payload (as many as fit) into every free-text field of every record and of site.yaml."""

    def change(kind: str, content: dict[str, Any], path: Path) -> None:
        targets = [content] if kind == "site" else records(kind, content)
        for record in targets:
            for holder, key, limit in free_text_fields(MODEL[kind], record):
                text = holder[key]
                for payload in PAYLOADS:
                    if len(text) + len(payload) + 1 <= limit:
                        text = f"{text} {payload}"
                holder[key] = text

    rewrite(data, change)


@pytest.fixture(scope="module", params=data_sets(), ids=lambda p: p.name)
def hostile_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = copy_data(request.param, tmp_path_factory.mktemp("hostile") / "data")
    poison(data)
    ds, problems, _ = load_dataset(data)
    assert ds is not None, [p.as_text() for p in problems if p.is_error][:10]
    out = tmp_path_factory.mktemp("hostile-out") / "public"
    make_site(data, out, search=False)  # pages, feed and sitemap are checked here (search.js keeps excerpts as text)
    return out


UNSAFE_URL = re.compile(r"^\s*(?:javascript|data|vbscript):|^\s*(?:https?:)?//", re.IGNORECASE)


def test_hostile_text_never_becomes_markup(hostile_site: Path) -> None:
    shown_as_text = False
    for path in sorted(hostile_site.rglob("*.html")):
        page = html(path)
        where = path.relative_to(hostile_site).as_posix()
        assert not page.find_all(["iframe", "object", "embed", "style"]), where
        # The only images are the honour roll's photos (on the roll and the lobby screen), copied into the site:
        # hostile text stays in their alt text.
        for img in page.find_all("img"):
            assert {"honour-photo", "board-photo"} & set(img.get("class", [])) and re.fullmatch(
                r"(?:\.\./)*honours/photos/[\w-]+\.jpg", img["src"]
            ), where
            assert set(img.attrs) == {"alt", "class", "decoding", "height", "src", "width"}, f"{where}: {img}"
        # The only SVGs are the site's own charts (the 督查 pages: bars and text) and a sheet's QR code
        # (drawn by segno from the site's own address: paths and a title) — nothing that loads or runs.
        for svg in page.find_all("svg"):
            kind = svg.get("class", [])
            allowed = {"title", "desc", "g", "text", "rect"} if "chart" in kind else {"title", "path"} if kind == ["qr"] else set()
            assert allowed and {el.name for el in svg.find_all(True)} <= allowed, f"{where}: {svg}"
        # The only scripts are the site's own files, loaded by src, with nothing written inside the tag;
        # the only form is the search page's.
        for script in page.find_all("script"):
            assert script.get("src", "").endswith(".js") and "assets/" in script["src"] and not script.string, f"{where}: {script}"
        assert not page.find_all("form") or (where == "search/index.html" and len(page.find_all("form")) == 1), where
        for el in page.find_all(True):
            for name, value in el.attrs.items():
                assert not name.lower().startswith("on"), f"{where}: <{el.name} {name}=…>"
                assert name.lower() != "style", f"{where}: <{el.name} style=…>"
                if name in {"href", "src", "action", "formaction"}:
                    assert not UNSAFE_URL.match(value), f"{where}: <{el.name} {name}={value!r}>"
        shown_as_text = shown_as_text or "<script>alert(1)</script>" in page.get_text()
    # The payloads were rendered, as text: escaped, not dropped.
    assert shown_as_text


def test_hostile_text_in_the_feed_and_sitemap_stays_text(hostile_site: Path) -> None:
    for name in ("feed.atom", "sitemap.xml"):
        if not (hostile_site / name).exists():  # no sitemap without a site address
            continue
        root = ET.parse(hostile_site / name).getroot()  # well-formed despite the payloads
        namespaces = {el.tag.split("}")[0] for el in root.iter()}
        assert len(namespaces) == 1, f"{name}: elements outside the feed's own namespace"
        for el in root.iter():
            href = el.get("href") or el.text or ""
            for own in own_addresses():  # the site's own address from site.yaml is the one absolute link allowed
                href = href.removeprefix(own)
            assert not UNSAFE_URL.match(href), name
    entries = ET.parse(hostile_site / "feed.atom").getroot().iter("{http://www.w3.org/2005/Atom}summary")
    assert any("<script>" in (e.text or "") for e in entries)
