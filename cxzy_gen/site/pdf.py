"""`cxzy pdf`: the print sheets of a built site as PDF files, printed by headless Chromium through the print stylesheet.

The pages are the site's own (公示 notices, 承诺公示表, 点评意见表, 评议结果, 光荣榜): what is printed is what a
reader would print from the browser, plus a footer line with the sheet's audience mark (the narrowest audience of what it shows) and the print date (page numbers
come from the stylesheet).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

KINDS = ("公示", "承诺公示表", "点评意见表", "评议结果", "光荣榜")
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


class PrintError(RuntimeError):
    """Printing cannot start: no browser, or no playwright."""


@dataclass(frozen=True, slots=True)
class Sheet:
    kind: str
    unit: str
    url: str  # relative to the site root
    level: str  # the narrowest audience of what the sheet shows: its audience mark, at the top and in the footer

    @property
    def file_name(self) -> str:
        """unit-kind.pdf; 公示 notices add their start date (the page's folder) to tell batches apart."""
        if self.kind == "公示":
            return f"{self.unit}-公示-{self.url.split('/')[-2]}.pdf"
        return f"{self.unit}-{self.kind}.pdf"


def chromium() -> str:
    """The Chromium to print with: CXZY_CHROMIUM, else Debian's `chromium` on the PATH."""
    found = os.environ.get("CXZY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise PrintError("没有找到 Chromium 浏览器（提示：apt-get install chromium，或用环境变量 CXZY_CHROMIUM 指定）")
    return found


def print_sheets(site: Path, sheets: Iterable[Sheet], out: Path, printed_on: dt.date) -> list[Path]:
    """Print each sheet of the built `site` into `out`; returns the PDF files written."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PrintError("cxzy pdf 需要 playwright（提示：pip install 'cxzy[pdf]'）") from exc
    browser_path = chromium()
    out.mkdir(parents=True, exist_ok=True)
    printed = f"打印日期：{printed_on.year}年{printed_on.month}月{printed_on.day}日"
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            for sheet in sheets:
                footer = f"公开范围：{sheet.level} · {printed}"
                page.goto((site / sheet.url).as_uri())
                page.emulate_media(media="print")
                page.add_style_tag(
                    content="@page { @bottom-left { content: " + json.dumps(footer, ensure_ascii=False) + "; font-size: 9pt; } }"
                )
                target = out / sheet.file_name
                page.pdf(path=str(target), prefer_css_page_size=True, print_background=False)
                written.append(target)
        finally:
            browser.close()
    return written
