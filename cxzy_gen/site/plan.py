"""Views → pages: every file of the site as (url, template, context), and the URL of everything a page links to.

URLs are paths relative to the site root with explicit `index.html`, so the site works from `file://`;
templates turn them into links relative to the page (see `render.href`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import segno
from markupsafe import Markup

from cxzy_gen.dates import china_date
from cxzy_gen.git.forge import links_for
from cxzy_gen.git.history import Commit, History, HistoryReaders, Revision, RevisionRow, revision_rows
from cxzy_gen.records import models as m
from cxzy_gen.records.names import NameFinder, withhold
from cxzy_gen.records.photos import photo_file
from cxzy_gen.site import charts
from cxzy_gen.site.audit import Check, Inspection
from cxzy_gen.site.derive import (
    WITHHELD,
    CommendationView,
    MemberView,
    Ref,
    ReviewView,
    UnitView,
    Views,
    headline,
    member_tallies,
    natural_key,
)
from cxzy_gen.site.notices import Notice
from cxzy_gen.site.photos import Photo, photo
from cxzy_gen.site.search import BUNDLE, MANIFEST, SearchRecord, records

CSS = "assets/site.css"
HOME = "index.html"
TREE = "units/index.html"
HONOURS = "honours/index.html"
PUBLICITY = "publicity/index.html"
ARCHIVE = "archive/index.html"
# `.atom`: web servers' stock type tables (nginx, Apache) serve it as application/atom+xml, which XML readers
# decode by the file's own encoding declaration; `.xml` is served as text/xml, which without a charset means US-ASCII.
FEED = "feed.atom"
SITEMAP = "sitemap.xml"
CHANGES = "changes/index.html"  # 变更记录, from the git history
SEARCH = "search/index.html"
SEARCH_JS = "assets/search.js"
BOARD = "board/index.html"  # the lobby screen
BOARD_JS = "assets/board.js"
# The data version (git's HEAD) lives in this one small script, which every page's footer loads: a new commit
# changes this file and the pages whose records changed, not every page of the site.
VERSION_JS = "assets/version.js"
BOARD_SECONDS = 15  # how long the lobby screen shows each slide
BOARD_REFRESH = 600  # seconds between reloads, so a new build reaches the screen
REVISIONS = 20  # how many revisions a unit or member page lists
NAV = ((HOME, "首页"), (TREE, "组织架构"), (PUBLICITY, "公示"), (HONOURS, "光荣榜"), (ARCHIVE, "年度归档"), (SEARCH, "搜索"))
LATEST = 12  # how many changes the home page lists
LATEST_COMMITS = 200  # how many commits the 变更记录 page lists


@dataclass(frozen=True, slots=True)
class Page:
    """One file of the site: rendered from `template` with `context`, copied from the template folder's `static`,
    or the site's copy of a `photo` from the data folder."""

    url: str
    template: str | None
    context: Mapping[str, Any] = field(default_factory=dict)
    static: str | None = None
    photo: Photo | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A line of 最近更新 on the home page."""

    date: dt.date
    what: str  # the kind of record, e.g. 公开承诺
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class SiteUrls:
    """The URLs templates link to, from the one place that decides them: templates never spell a path."""

    home: str = HOME
    tree: str = TREE
    honours: str = HONOURS
    publicity: str = PUBLICITY
    archive: str = ARCHIVE
    changes: str = CHANGES
    feed: str = FEED

    def year(self, year: int) -> str:
        return year_url(year)

    def unit(self, unit_id: str) -> str:
        return unit_url(unit_id)

    def member(self, member_id: str) -> str:
        return member_url(member_id)


_SAFE_IDS: set[str] = set()  # ids checked already (a member's id is in a dozen URLs of a build)


def check_id(value: str) -> str:
    """An id about to become part of a URL: validated already, checked again here (defence in depth)."""
    if value not in _SAFE_IDS:
        if not isinstance(value, str) or not m.ID_RE.match(value):
            raise ValueError(f"unsafe id in a URL: {value!r}")
        _SAFE_IDS.add(value)
    return value


def unit_url(unit_id: str) -> str:
    return f"units/{check_id(unit_id)}/index.html"


def member_url(member_id: str) -> str:
    return f"members/{check_id(member_id)}/index.html"


def year_url(year: int) -> str:
    return f"archive/{int(year)}/index.html"


def notice_url(n: Notice) -> str:
    """A 公示 notice: under its issuing organisation, named by its start date."""
    return f"publicity/{check_id(n.issuer_id)}/{check_id(n.slug)}/index.html"


def review_url(r: ReviewView) -> str:
    """Where a 点评意见表 is shown in full: a member's on their page, an organisation's on its unit's page."""
    where = member_url(r.target.id) if r.target.kind == "member" else unit_url(r.record.folder_unit)
    return f"{where}#r-{check_id(r.record.id)}"


# Print sheets for the physical board, one per unit and kind: (kind as people say it, folder name, template).
SHEETS = (
    ("承诺公示表", "commitments", "sheet_commitments.html"),
    ("点评意见表", "reviews", "sheet_reviews.html"),
    ("评议结果", "appraisals", "sheet_appraisals.html"),
)


def sheet_url(unit_id: str, folder: str) -> str:
    return f"sheets/{check_id(unit_id)}/{folder}/index.html"


def qr_svg(site_url: str | None, url: str) -> Markup | None:
    """A QR code (inline SVG, by segno) of the page's address on the intranet site; None without site.yaml `url`."""
    if not site_url:
        return None
    target = site_url + url.removesuffix("index.html")
    return Markup(segno.make(target, error="m").svg_inline(scale=2, svgclass="qr", title=f"网页版：{target}"))


def print_targets(views: Views) -> list[tuple[str, str, str, m.Audience]]:
    """What `cxzy pdf` can print: (kind, unit id, page URL, the narrowest audience on it) for every sheet, 公示 notice
    and the 光荣榜."""
    found: list[tuple[str, str, str, m.Audience]] = [("公示", n.issuer_id, notice_url(n), n.audience) for n in views.notices]
    for uid, uv in views.units.items():
        for kind, folder, _ in SHEETS:
            items = _sheet_items(uv, folder)
            if items:
                found.append((kind, uid, sheet_url(uid, folder), narrowest(_sheet_year(items, views.site.campaign_year)[1])))
    awarded = [h for h in views.commendations if h.record.status is m.CommendationStatus.AWARDED]
    if awarded:
        found.append(("光荣榜", views.site.root_unit, HONOURS, narrowest(awarded)))
    return found


def narrowest(items: list[Any]) -> m.Audience:
    """The narrowest audience of the records on a page or sheet: what its audience mark says."""
    return max((i.record.level for i in items), key=lambda a: a.rank, default=m.Audience.PUBLIC)


def _sheet_year(items: list[Any], year: int) -> tuple[int, list[Any]]:
    """The campaign year's records, else the latest year's."""
    years = sorted({i.year for i in items}, reverse=True)
    chosen = year if year in years else years[0]
    return chosen, [i for i in items if i.year == chosen]


def _sheet_items(uv: UnitView, folder: str) -> list[Any]:
    recs = uv.records
    if folder == "commitments":
        return [c for c in recs.commitments if c.record.withdrawn is None]
    if folder == "reviews":
        return [r for r in recs.reviews if r.record.withdrawn is None]
    return [a for a in recs.appraisals if a.record.withdrawn is None]


def url_of(ref: Ref) -> str:
    return unit_url(ref.id) if ref.kind == "unit" else member_url(ref.id)


def plan(views: Views, archive: History | None = None, inspection: Inspection | None = None) -> list[Page]:
    """Every page of the site, in a fixed order. `archive` (the git history) adds 修订记录 and the 变更记录 page;
    `inspection` (only in builds for 党内公开 or narrower) the 督查 section."""
    git = archive if archive is not None and archive.available else None
    links = links_for(views.site.forge) if git else None
    # History text follows the records a commit changed (`HistoryReaders`): a change is listed, with its author,
    # only where it changed something this build shows; its message only where it changed nothing this build hides.
    readers = HistoryReaders(git, {git.repo_path(path) for path in views.open_files}, views.shown_ids) if git else None

    def messages(commit: Commit) -> bool:
        return readers is not None and readers.message(commit)

    def history_rows(revs: list[Revision]) -> list[RevisionRow]:
        rows = revision_rows([r for r in revs if readers is not None and readers.visible(r)], links, messages)
        return [_without_hidden_names(row, views.hidden_names) for row in rows] if views.hidden_names else rows

    made: dict[frozenset[str], list[RevisionRow]] = {}  # the rows of each set of files (a unit's members share theirs)

    def revisions(paths: list[str | os.PathLike[str]]) -> list[RevisionRow]:
        if not git:
            return []
        files = frozenset(os.fspath(path) for path in paths)
        rows = made.get(files)
        if rows is None:
            rows = made[files] = history_rows(git.for_files(sorted(files)))[:REVISIONS]
        return rows

    data_version = _data_version(git, links)
    base = {
        "site": views.site,
        "today": views.today,
        "audience": views.audience,
        "urls": SiteUrls(),
        "audience_label": views.audience_label,
        "audience_notice": views.audience_notice,
        "contact": views.site.contact,
        "nav": (*NAV, (INSPECTION, "督查")) if inspection is not None else NAV,
        "css": CSS,
        "feed": FEED,
        "site_url": views.site.url or "",  # the published address ("" when site.yaml has none): feed and sitemap links
        "names": _target_names(views),
        "version_script": VERSION_JS if data_version else None,
    }

    def page(url: str, template: str, **context: Any) -> Page:
        return Page(url, template, {**base, **context})

    def unit_page(uv: UnitView) -> Page:
        recs = uv.records
        return page(
            unit_url(uv.ref.id),
            "unit.html",
            u=uv,
            summary=headline(uv.by_year, recs.appraisals, uv.ref.id, views.site.campaign_year),
            own_commitments=by_year([c for c in recs.commitments if c.subject.kind == "unit"]),
            member_commitments=by_year([c for c in recs.commitments if c.subject.kind == "member"]),
            reviews=by_year([r for r in recs.reviews if r.target.kind == "unit"]),
            member_reviews=by_year([(r, review_url(r)) for r in recs.reviews if r.target.kind == "member"]),
            rectifications=[(r, x, review_url(r)) for r in recs.reviews for x in r.rectifications],
            appraisals=by_year(recs.appraisals),
            received=by_year(recs.received),
            issued=[(n, notice_url(n)) for n in views.notices if n.issuer_id == uv.ref.id],
            sheets=[(kind, sheet_url(uv.ref.id, folder)) for kind, folder, _ in SHEETS if _sheet_items(uv, folder)],
            contact=uv.unit.contact or views.site.contact,
            revisions=history_rows(git.for_unit(uv.ref.id))[:REVISIONS] if git else [],
        )

    def member_page(mv: MemberView) -> Page:
        return page(
            member_url(mv.ref.id),
            "member.html",
            p=mv,
            summary=headline(member_tallies(mv), mv.appraisals, mv.ref.id, views.site.campaign_year),
            unit=views.heads[mv.unit.id],
            grades=[(a.year, a.record.grade) for a in mv.appraisals if a.record.grade is not None and a.record.withdrawn is None],
            commitments=by_year(mv.commitments),
            reviews=by_year(mv.reviews),
            appraisals=by_year(mv.appraisals),
            commendations=by_year(mv.commendations),
            revisions=revisions(
                [
                    mv.member.source_file,
                    *(v.record.source_file for v in mv.commitments),
                    *(v.record.source_file for v in mv.reviews),
                    *(v.record.source_file for v in mv.appraisals),
                    *(v.record.source_file for v in mv.commendations),
                ]
            ),
        )

    grouped = notice_groups(views.notices)
    nominee_pages = {h.record.id: url_of(h.nominee) for h in views.commendations if h.nominee.kind != "external"}
    changes = latest_changes(views, LATEST)
    roll = honour_roll(views.commendations)
    roll_photos = honour_photos(views, roll)
    latest = roll[0] if roll else None  # the lobby screen's 光荣榜: the latest year's commended, by title
    pages = [
        page(HOME, "home.html", open_notices=grouped["open"], changes=changes, campaign=views.campaign, years=views.years),
        page(TREE, "tree.html", units=views.heads, roots=[views.heads[uid].ref for uid in views.roots]),
        page(PUBLICITY, "publicity.html", groups=grouped),
        *(
            page(
                notice_url(n),
                "notice.html",
                n=n,
                issuer=views.units[n.issuer_id].ref,
                pages=nominee_pages,
                qr=qr_svg(views.site.url, notice_url(n)),
            )
            for n in views.notices
        ),
        page(
            HONOURS,
            "honours.html",
            roll=roll,
            photos=roll_photos,
            level=narrowest([h for _, titles in roll for _, items in titles for h in items]),
            qr=qr_svg(views.site.url, HONOURS),
        ),
        *(Page(p.url, None, photo=p) for p in roll_photos.values()),
        page(ARCHIVE, "archive.html", years=views.years),
        page(SEARCH, "search.html", script=SEARCH_JS, shards=f"{BUNDLE}/{MANIFEST}"),
        page(
            BOARD,
            "board.html",
            script=BOARD_JS,
            seconds=BOARD_SECONDS,
            refresh=BOARD_REFRESH,
            open_notices=grouped["open"],
            roll=latest,
            # The latest year's photos (at most six: one slide, readable from across the hall).
            pictured=[(h, roll_photos[h.record.id]) for _, items in latest[1] for h in items if h.record.id in roll_photos][:6]
            if latest
            else [],
        ),
    ]
    for year, tally in views.years.items():
        rows = [(u, u.by_year[year]) for u in views.heads.values() if year in u.by_year]
        awarded = [h for h in views.commendations if h.year == year]
        pages.append(page(year_url(year), "year.html", year=year, tally=tally, rows=rows, commendations=awarded))
    # Each unit's page, its print sheets, then its members' pages: they show the same records, so they render together.
    for uv in views.units.values():
        pages.append(unit_page(uv))
        for kind, folder, template in SHEETS:
            items = _sheet_items(uv, folder)
            if items:
                year, shown = _sheet_year(items, views.site.campaign_year)
                url = sheet_url(uv.ref.id, folder)
                level = narrowest(shown)
                pages.append(page(url, template, u=uv, kind=kind, year=year, items=shown, level=level, qr=qr_svg(views.site.url, url)))
        pages.extend(member_page(views.members[ref.id]) for ref in uv.members)
    if git:
        shown = [r for r in history_rows(git.recent_revisions(LATEST_COMMITS)) if not r.units or set(r.units) & views.units.keys()]
        named = {uid: views.units[uid].ref.name for r in shown for uid in r.units if uid in views.units}
        pages.append(page(CHANGES, "changes.html", commits=shown, data_version=data_version, names=named))
    if data_version:
        pages.append(page(VERSION_JS, "version.js", data_version=data_version))
    if inspection is not None:
        pages.extend(inspection_pages(inspection, views, page))
    # The server shows 404.html at whatever path was asked for, so its links start from the site's root path.
    pages.append(page("404.html", "404.html", root=urlsplit(views.site.url).path if views.site.url else "/"))
    pages.append(
        page(FEED, "feed.xml", entries=feed_entries(views), feed_id=_uuid(views.site.root_unit, "publicity"), updated=_updated(views))
    )
    if views.site.url:  # the sitemap protocol takes absolute addresses only
        html = sorted(p.url for p in pages if p.url.endswith(".html") and p.url != "404.html")
        pages.append(page(SITEMAP, "sitemap.xml", urls=html))
    pages.append(Page(CSS, None, static="static/site.css"))
    pages.append(Page(SEARCH_JS, None, static="static/search.js"))
    pages.append(Page(BOARD_JS, None, static="static/board.js"))
    return pages


def _without_hidden_names(row: RevisionRow, names: NameFinder) -> RevisionRow:
    """A 修订记录 row with the names only hidden members have withheld from its author, approver and reason."""

    def clean(value: str | None) -> str | None:
        return withhold(value, names, WITHHELD) if value is not None else None

    author, approved_by, message = clean(row.author), clean(row.approved_by), clean(row.message)
    if (author, approved_by, message) == (row.author, row.approved_by, row.message):
        return row
    return replace(row, author=author or "", approved_by=approved_by, message=message)


def _target_names(views: Views) -> dict[str, str]:
    """The names of the readers named by records' 公开对象 (`audience_to`), which every page may print beside a record.
    Only these: a page's hash covers what its context holds, so a table of every name would make any unit or member
    added, removed or renamed a change of every page."""
    names = {uid: u.ref.name for uid, u in views.units.items()} | {mid: p.ref.name for mid, p in views.members.items()}
    records = [
        *(u.unit for u in views.units.values()),
        *(p.member for p in views.members.values()),
        *(v.record for group in (views.commitments, views.reviews, views.appraisals, views.commendations) for v in group),
    ]
    return {t: names[t] for r in records for t in r.audience_to if t in names}


def _data_version(git: History | None, links: Any) -> dict[str, Any] | None:
    """The data version: the commit the build was made from, its date, and its page on the forge (shown by the
    changes page and, through `VERSION_JS`, in every page's footer)."""
    if git is None or git.head is None or git.head_date is None:
        return None
    return {"commit": git.head[:7], "date": china_date(git.head_date), "url": links.commit(git.head) if links else None}


def by_year(items: list[Any]) -> list[tuple[int, list[Any]]]:
    """Records (or (record, url) pairs) grouped by year, newest year first; within a year, in the data's order."""
    groups: dict[int, list[Any]] = defaultdict(list)
    for item in items:
        groups[(item[0] if isinstance(item, tuple) else item).year].append(item)
    return sorted(groups.items(), key=lambda g: -g[0])


def search_records(views: Views) -> list[SearchRecord]:
    """What the search index holds: every unit, member, commitment, review and commendation this build shows."""
    return list(records(views, url_of, review_url, notice_links(views.notices), HONOURS))


def notice_groups(notices: list[Notice]) -> dict[str, list[tuple[Notice, str]]]:
    """公示 notices apart by status, each with its URL: open (ending soonest first), upcoming (starting soonest
    first), closed (latest first)."""
    out: dict[str, list[tuple[Notice, str]]] = {"open": [], "upcoming": [], "closed": []}
    for n in notices:
        out[n.status_key].append((n, notice_url(n)))
    out["open"].sort(key=lambda x: (x[0].end, x[0].issuer_id, x[0].slug))
    out["upcoming"].sort(key=lambda x: (x[0].start, x[0].issuer_id, x[0].slug))
    out["closed"].sort(key=lambda x: (-x[0].end.toordinal(), x[0].issuer_id, x[0].slug))
    return out


def notice_links(notices: list[Notice]) -> dict[str, str]:
    """Where each commendation's 公示 is: its notice page, at the nominee's line."""
    return {row.commendation_id: f"{notice_url(n)}#h-{row.commendation_id}" for n in notices for g in n.groups for row in g.rows}


def honour_roll(commendations: list[CommendationView]) -> list[tuple[int, list[tuple[str, list[CommendationView]]]]]:
    """光荣榜: the commended (已表彰), by year (newest first), then by title: the notice's three first, others as they come."""
    years: dict[int, dict[str, list[CommendationView]]] = defaultdict(lambda: defaultdict(list))
    for h in commendations:
        if h.record.status is m.CommendationStatus.AWARDED:
            years[h.year][h.record.title].append(h)
    return [
        (
            year,
            [
                (title, sorted(years[year][title], key=lambda h: natural_key(h.nominee.id)))
                for title in sorted(years[year], key=_title_order)
            ],
        )
        for year in sorted(years, reverse=True)
    ]


def honour_photos(views: Views, roll: list[tuple[int, list[tuple[str, list[CommendationView]]]]]) -> dict[str, Photo]:
    """The photos beside the honour roll's records (by commendation id): only of what the roll shows."""
    if views.root is None:
        return {}
    found: dict[str, Photo] = {}
    for _, titles in roll:
        for title, items in titles:
            for h in items:
                if h.record.photo is not None:
                    source = photo_file(views.root, h.record, h.record.photo)
                    found[h.record.id] = photo(f"honours/photos/{check_id(h.record.id)}.jpg", source, f"{h.nominee.name}（{title}）")
    return found


def _title_order(title: str) -> tuple[int, str]:
    known = [t.value for t in m.HonourTitle]
    return (known.index(title), "") if title in known else (len(known), title)


def latest_changes(views: Views, n: int) -> list[Change]:
    """The newest records up to the build date, by their own dates (without git history), the same day by id."""
    dated: list[tuple[dt.date, str, str, Any]] = []  # (day, id, kind, view)
    dated += [(c.record.publicized.date if c.record.publicized else c.record.proposed, c.record.id, "c", c) for c in views.commitments]
    dated += [(r.record.date, r.record.id, "r", r) for r in views.reviews]
    dated += [(a.record.date, a.record.id, "a", a) for a in views.appraisals]
    dated += [(h.window.start, h.record.id, "h", h) for h in views.commendations if h.window is not None]
    dated = [f for f in dated if f[0] <= views.today]
    if 0 < n < len(dated):  # only a record dated on or after the n-th newest date can be among the n newest
        since = heapq.nlargest(n, [f[0] for f in dated])[-1]
        dated = [f for f in dated if f[0] >= since]
    dated.sort(key=lambda f: (-f[0].toordinal(), natural_key(f[1])))
    links = notice_links(views.notices)
    return [_change(day, kind, view, links) for day, _, kind, view in dated[:n]]


def _change(day: dt.date, kind: str, view: Any, links: dict[str, str]) -> Change:
    if kind == "c":
        return Change(day, "公开承诺", f"{view.subject.name}：{view.record.title}", f"{url_of(view.subject)}#c-{view.record.id}")
    if kind == "r":
        return Change(day, "领导点评", f"{view.record.reviewer.name}点评{view.target.name}", f"{url_of(view.target)}#r-{view.record.id}")
    if kind == "a":
        return Change(day, "群众评议", view.target.name, f"{url_of(view.target)}#a-{view.record.id}")
    return Change(day, "评选表彰公示", f"{view.nominee.name}（{view.record.title}）", links.get(view.record.id, PUBLICITY))


def feed_entries(views: Views) -> list[tuple[CommendationView, str, str]]:
    """The Atom feed: every nominee put up for 公示 that has started, newest first, with its stable entry id and its notice."""
    links = notice_links(views.notices)
    started = [h for h in views.commendations if h.window is not None and h.window.start <= views.today and h.record.id in links]
    started.sort(key=lambda h: (-h.window.start.toordinal(), natural_key(h.record.id)))  # type: ignore[union-attr]
    return [(h, _uuid(views.site.root_unit, "commendations", h.record.id), links[h.record.id]) for h in started]


def _uuid(*parts: str) -> str:
    """A stable feed or entry id: the same site and record give the same id in every build."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "cxzy:" + "/".join(parts)).urn


def _updated(views: Views) -> dt.date:
    """The feed's date: its newest notice, else the build date."""
    entries = feed_entries(views)
    return entries[0][0].window.start if entries else views.today  # type: ignore[union-attr]


# ---------------------------------------------------------------- 督查 (only in builds for 党内公开 or narrower)

INSPECTION = "inspection/index.html"
SNAPSHOTS = "inspection/snapshots/index.html"


def inspection_url(unit_id: str) -> str:
    return f"inspection/{check_id(unit_id)}/index.html"


def inspection_pages(inspection: Inspection, views: Views, page: Callable[..., Page]) -> list[Page]:
    """The 督查 section: the tree with each unit's four checks, one drill-down page per unit, the two inspections side by side."""
    a = inspection.current
    urls = {uid: inspection_url(uid) for uid in a.units}
    scored = [ua for ua in a.units.values() if ua.score is not None]
    ranking = sorted(scored, key=lambda ua: (ua.score, natural_key(ua.ref.id))) + [ua for ua in a.units.values() if ua.score is None]
    common = {"audit": a, "checks": list(Check), "unit_urls": urls, "index_url": INSPECTION, "snapshots_url": SNAPSHOTS}
    pages = [
        page(
            INSPECTION,
            "inspection.html",
            **common,
            ranking=ranking,
            score_chart=charts.score_chart(a),
            done=sum(r.ok for r in a.totals.values()),
            gaps=sum(r.gap for r in a.totals.values()),
            due=sum(r.due for r in a.totals.values()),
            pending=sum(r.pending for r in a.totals.values()),
            reminders=sum(len(ua.reminders) for ua in a.units.values()),
        )
    ]
    for uid, ua in a.units.items():
        uv = views.units[uid]
        found = [
            charts.checks_chart(ua, a.year),
            charts.satisfaction_chart(ua.ref.name, uv.records.appraisals, a.year),
            charts.years_chart(ua.ref.name, uv.by_year),
        ]
        notes = [] if found[1] else [f"{a.year} 年还没有本单位的群众满意度测评。"]
        shown = [c for c in found if c is not None]
        ancestors = [ref for ref in uv.ancestors if ref.id in urls]
        pages.append(page(urls[uid], "inspection_unit.html", **common, ua=ua, ancestors=ancestors, charts=shown, chart_notes=notes))
    rows = [
        (ua.ref, ua.depth, [(s, s.audit.units.get(uid) if s.audit else None) for s in inspection.snapshots]) for uid, ua in a.units.items()
    ]
    pages.append(page(SNAPSHOTS, "inspection_snapshots.html", **common, year=a.year, snapshots=inspection.snapshots, rows=rows))
    return pages
