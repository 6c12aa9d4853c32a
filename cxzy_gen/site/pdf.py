"""`cxzy pdf`: the print sheets of a built site as PDF files, printed by headless Chromium through the print stylesheet.

The pages are the site's own (公示 notices, 承诺公示表, 点评意见表, 评议结果, 光荣榜): what is printed is what a
reader would print from the browser, plus a footer line with the sheet's audience mark (the narrowest audience
of what it shows) and the print date (page numbers come from the stylesheet). The PDFs are printed into a
folder of their own inside `--out` and moved into place only when all are done: a failure leaves `--out` as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    given = os.environ.get("CXZY_CHROMIUM")
    if given:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            raise PrintError(f"环境变量 CXZY_CHROMIUM 指定的「{given}」不是可以运行的程序（提示：写 Chromium 的完整路径，或去掉这个变量）")
        return given
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise PrintError("没有找到 Chromium 浏览器（提示：apt-get install chromium，或用环境变量 CXZY_CHROMIUM 指定）")
    return found


def print_sheets(site: Path, sheets: Iterable[Sheet], out: Path, printed_on: dt.date) -> list[Path]:
    """Print each sheet of the built `site` into `out`; returns the PDF files written. All or none: on a failure
    (raised as PrintError) `out` keeps what it had, and a folder made for the purpose is removed again."""
    try:
        from playwright.sync_api import Error as BrowserError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PrintError("cxzy pdf 需要 playwright（提示：pip install 'cxzy[pdf]'）") from exc
    browser_path = chromium()
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".cxzy-pdf-", dir=out))
    except OSError as exc:
        raise PrintError(f"不能在 {out} 里写文件：{exc.strerror or exc}") from None
    printed = f"打印日期：{printed_on.year}年{printed_on.month}月{printed_on.day}日"
    try:
        names = _print(sync_playwright, browser_path, site, sheets, stage, printed)
        for name in names:
            os.replace(stage / name, out / name)
        return [out / name for name in names]
    except BrowserError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PrintError(f"Chromium 没能打印（{reason}）；{out} 保持原样") from None
    except OSError as exc:
        raise PrintError(f"不能在 {out} 里写 PDF 文件：{exc.strerror or exc}；{out} 保持原样") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if made and out.is_dir() and not any(out.iterdir()):
            out.rmdir()


def _print(sync_playwright: Any, browser_path: str, site: Path, sheets: Iterable[Sheet], stage: Path, printed: str) -> list[str]:
    """Print every sheet into `stage`; the file names, in order."""
    names: list[str] = []
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
                page.pdf(path=str(stage / sheet.file_name), prefer_css_page_size=True, print_background=False)
                names.append(sheet.file_name)
        finally:
            browser.close()
    return names
