"""Charts as inline SVG, made at build time: no JavaScript, readable in print, each with a text alternative (pure).

A chart is horizontal bars with their values written beside them, a <title> and <desc> named by
aria-labelledby on an svg with role="img"; the page puts the same numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from cxzy_gen.site.audit import Audit, UnitAudit
from cxzy_gen.site.derive import AppraisalView, Tally, percent

LABEL_WIDTH = 200  # room for a unit's name on the left
PLOT_WIDTH = 360
VALUE_WIDTH = 130  # room for the value written after the bar
BAR = 18
GAP = 8
TOP = 8


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the chart writes it, e.g. "74.1%" or "30 票（71.4%）"
    group: str = ""  # bars of one group are drawn together under this heading (e.g. a year)


@dataclass(frozen=True, slots=True)
class Chart:
    """What a page shows: the SVG, and the caption and rows of its data table."""

    id: str
    title: str
    desc: str
    bars: tuple[Bar, ...]
    maximum: float
    svg: Markup


def bar_chart(key: str, title: str, desc: str, bars: list[Bar], maximum: float | None = None) -> Chart:
    """Horizontal bars scaled to `maximum` (default: the largest value), each labelled and with its value written out."""
    top = maximum if maximum is not None else max((b.value for b in bars), default=0.0)
    scale = PLOT_WIDTH / top if top > 0 else 0.0
    rows: list[str] = []
    y = TOP
    group = None
    for bar in bars:
        if bar.group and bar.group != group:
            group = bar.group
            rows.append(f'<text class="chart-group" x="0" y="{y + BAR - 4}">{escape(group)}</text>')
            y += BAR + GAP // 2
        width = round(bar.value * scale, 2)
        mid = y + BAR - 5
        rows.append(
            f'<g class="chart-bar" data-label={quoteattr(bar.label)} data-value="{bar.value:g}">'
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{mid}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect class="chart-track" x="{LABEL_WIDTH}" y="{y}" width="{PLOT_WIDTH}" height="{BAR}"/>'
            f'<rect class="chart-fill" x="{LABEL_WIDTH}" y="{y}" width="{width:g}" height="{BAR}"/>'
            f'<text class="chart-value" x="{LABEL_WIDTH + PLOT_WIDTH + 6}" y="{mid}">{escape(bar.text)}</text>'
            "</g>"
        )
        y += BAR + GAP
    height = y + TOP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    ident = f"chart-{key}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" data-max="{top:g}">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>' + "".join(rows) + "</svg>"
    )
    return Chart(ident, title, desc, tuple(bars), top, Markup(svg))


# ---------------------------------------------------------------- the 督查 pages' charts


def score_chart(a: Audit) -> Chart:
    """Coverage per unit: each unit's score (the mean coverage of its four checks), 0–100."""
    bars = [Bar(ua.ref.name, ua.score or 0.0, "—（没有到期事项）" if ua.score is None else f"{ua.score:.1f}") for ua in a.units.values()]
    low = min((ua for ua in a.units.values() if ua.score is not None), key=lambda ua: ua.score or 0.0, default=None)
    desc = f"{len(bars)} 个单位的得分，满分 100。" + (f"最低的是{low.ref.name}（{low.score:.1f}）。" if low else "")
    return bar_chart("scores", f"{a.year} 年各单位「四有」得分（按 {a.today.isoformat()} 的情况）", desc, bars, 100)


def checks_chart(ua: UnitAudit, year: int) -> Chart:
    """One unit's four checks: the coverage of each."""
    bars = [Bar(c.value, 100 * (r.ratio or 0.0), f"{r.percent}（{r.ok}/{r.due}）") for c, r in ua.checks.items()]
    desc = "；".join(f"{c.value} {r.percent}，已做到 {r.ok} 项，应做到 {r.due} 项" for c, r in ua.checks.items()) + "。"
    return bar_chart("checks", f"{ua.ref.name} {year} 年四项检查覆盖率", desc, bars, 100)


def satisfaction_chart(name: str, appraisals: list[AppraisalView], year: int) -> Chart | None:
    """The satisfaction distribution of a unit's own 群众满意度测评 in the year: the votes of all its appraisals together
    (满意 … 不满意, and 不了解 where counted); appraisals published as percentages only cannot be added up and are left out."""
    counts: dict[str, int | float] = {}
    for a in appraisals:
        r = a.record
        if a.target.kind == "unit" and r.date.year == year and r.satisfaction is not None and r.withdrawn is None and not r.percent_only:
            for label, n in r.satisfaction.grades():
                counts[label] = counts.get(label, 0) + n
    total = sum(counts.values())
    if not total:
        return None
    bars = [Bar(label, n, f"{n:g} 票（{percent(n, total)}）") for label, n in counts.items()]
    desc = f"共 {total:g} 票：" + "，".join(f"{b.label} {b.text}" for b in bars) + "。"
    return bar_chart("satisfaction", f"{name} {year} 年群众满意度测评", desc, bars, total)


def years_chart(name: str, by_year: dict[int, Tally]) -> Chart | None:
    """A unit's figures across years: commitments made and kept, reviews, appraisals (the unit and its members)."""
    if not by_year:
        return None
    bars = []
    for year in sorted(by_year):
        t = by_year[year]
        group = f"{year} 年"
        figures = (
            ("公开承诺", t.commitments, "项"),
            ("已完成承诺", t.kept, "项"),
            ("领导点评", t.reviews, "次"),
            ("群众评议", t.appraisals, "次"),
        )
        bars += [Bar(label, n, f"{n} {unit}", group) for label, n, unit in figures]
    desc = (
        "；".join(
            f"{y} 年公开承诺 {t.commitments} 项、已完成 {t.kept} 项、领导点评 {t.reviews} 次、群众评议 {t.appraisals} 次"
            for y, t in sorted(by_year.items())
        )
        + "。"
    )
    return bar_chart("years", f"{name}历年情况（本单位及其党员）", desc, bars)
