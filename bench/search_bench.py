"""What a reader's search costs on built sites: a fresh browser (no cache) opens the search page with a query, and the
script times it until the page says what it found, counting the requests it made. Each site is served by Python's
own HTTP server on 127.0.0.1; the sites are taken in turn, round after round, so they share the machine's moods.

    python bench/search_bench.py public-a public-b [--rounds 3] [--query 节水灌溉 ...]

Needs Playwright and the system's Chromium (`chromium` on the PATH), as the browser tests do. Prints each query's
seconds and requests, and per site the medians.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

QUERIES = ["节水灌溉", "承诺", "党支部 学习", "整改"]
FOUND = "() => /找到|没有找到|不能搜索/.test(document.getElementById('search-status').textContent)"


def serve(site: Path, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1", "-d", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/search/index.html", timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"{site}: the server did not answer")


def one_search(browser: Any, base: str, query: str) -> tuple[float, int, str]:
    """A fresh browser context (no cache, no earlier request) opens the search page with `query`: the seconds until
    the page says what it found, the requests it made, and what it said."""
    context = browser.new_context()
    tab = context.new_page()
    made: list[str] = []
    tab.on("request", lambda r: made.append(r.url))
    started = time.perf_counter()
    tab.goto(f"{base}search/index.html?q={quote(query)}")
    tab.wait_for_function(FOUND, timeout=120_000)
    seconds = time.perf_counter() - started
    status = tab.locator("#search-status").inner_text()
    context.close()
    return seconds, len(made), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built sites (cxzy build --out) to compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--query", action="append", help="a query (repeat for more); default: four common ones")
    args = parser.parse_args()
    queries = args.query or QUERIES
    from playwright.sync_api import sync_playwright

    servers = [serve(site, 8701 + i) for i, site in enumerate(args.sites)]
    times: dict[Path, list[float]] = {site: [] for site in args.sites}
    requests: dict[Path, list[int]] = {site: [] for site in args.sites}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"], headless=True)
            for round_ in range(1, args.rounds + 1):
                for i, site in enumerate(args.sites):
                    for query in queries:
                        seconds, made, status = one_search(browser, f"http://127.0.0.1:{8701 + i}/", query)
                        times[site].append(seconds)
                        requests[site].append(made)
                        print(f"round {round_} {site} {query!r}: {seconds:.2f} s, {made} requests, {status}")
            browser.close()
    finally:
        for server in servers:
            server.terminate()
    for site in args.sites:
        shards = len(list((site / "pagefind").glob("*/pagefind-entry.json")))
        print(
            f"{site}: {shards} shards, median {statistics.median(times[site]):.2f} s "
            f"({min(times[site]):.2f}–{max(times[site]):.2f}), median {statistics.median(requests[site]):.0f} requests"
        )


if __name__ == "__main__":
    main()
