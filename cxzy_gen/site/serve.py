"""`cxzy serve`: build into a temporary folder, serve it on 127.0.0.1, rebuild when data or templates change.

Each build is the one `cxzy build` makes, git history (修订记录, 变更记录) included.

When the data has problems the preview does not stop: the site is replaced by a page that lists them.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import watchfiles
from jinja2 import TemplateError

from cxzy_gen.build import DataProblems, build, build_date
from cxzy_gen.git.history import History
from cxzy_gen.problems import Problem
from cxzy_gen.records.models import Audience
from cxzy_gen.site.plan import CSS
from cxzy_gen.site.render import environment
from cxzy_gen.site.scope import Scope, ScopeError
from cxzy_gen.site.write import write

HOST = "127.0.0.1"


def preview(
    data_dir: Path, out: Path, today: dt.date | None, audience: Audience | Scope, templates: Path | None, cache: Path | None = None
) -> str:
    """Build the site into `out`, or, when that fails, a page saying why. Returns one line for the console.

    With a `cache`, files read clean before are not parsed again, and a change that leaves the inputs as they
    were (an editor saving the same bytes) does nothing."""
    day = build_date(today)
    try:
        # Read again on every rebuild: a commit made while previewing shows in the 修订记录 as it would in `cxzy build`.
        result = build(data_dir, out, day, audience, templates, archive=History.load(data_dir), cache=cache)
    except DataProblems as exc:
        errors = sum(p.is_error for p in exc.problems)
        _problem_page(out, f"数据有 {errors} 个错误，站点没有生成", exc.problems, [])
        return f"数据有 {errors} 个错误，浏览器里列出了这些问题；改正后会自动重新生成。"
    except ScopeError as exc:
        _problem_page(out, "公开范围不完整，站点没有生成", [], [str(exc)])
        return str(exc)
    except TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if getattr(exc, "filename", None) else ""  # type: ignore[attr-defined]
        _problem_page(out, "模板出错，站点没有生成", [], [f"{where} {exc.message or exc}".strip()])
        return f"模板出错：{exc}"
    return f"已生成 {result.pages} 个页面（{day.isoformat()}，{result.audience_label}），用时 {result.seconds:.1f} 秒。"


def _problem_page(out: Path, title: str, problems: list[Problem], other: list[str]) -> None:
    env = environment()
    page = env.get_template("problems.html").render(title=title, problems=sorted(problems, key=Problem.sort_key), other=other, css=CSS)
    css, _, _ = env.loader.get_source(env, "static/site.css")  # type: ignore[union-attr]
    write([("index.html", page.encode("utf-8")), (CSS, css.encode("utf-8"))], out)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class _Handler(SimpleHTTPRequestHandler):
    """Static files, never cached (the preview changes under the reader), and no request log on the console.

    Only requests addressed to this machine by name are answered: a web page elsewhere that points its own
    host name at 127.0.0.1 (DNS rebinding) sends its own name in `Host` and is refused. A request the file
    server cannot map to a path (a NUL byte, an odd encoding) is a 404, never a traceback."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        address = self.server.server_address
        port = int(address[1]) if isinstance(address, tuple) else 0
        if not _local_host(self.headers.get("Host", ""), port):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "Host not allowed")
            return False
        return True

    def send_head(self) -> Any:
        try:
            return super().send_head()
        except (ValueError, UnicodeError, OSError):  # e.g. /%00: "embedded null byte"
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None


_LOCAL_NAMES = {"127.0.0.1", "localhost", "[::1]"}


def _local_host(host: str, port: int) -> bool:
    """Whether a Host header names this preview: a local name, with this port or none."""
    name, _, given = host.strip().lower().rpartition(":") if not host.strip().endswith("]") else (host.strip().lower(), "", "")
    if not name:  # no colon: the whole header is the name
        name, given = host.strip().lower(), ""
    return name in _LOCAL_NAMES and given in ("", str(port))


def serve(
    data_dir: Path,
    port: int = 8000,
    today: dt.date | None = None,
    audience: Audience | Scope = Audience.PUBLIC,
    templates: Path | None = None,
    cache: Path | None = None,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Preview the site until interrupted (Ctrl+C or SIGTERM) or until `stop` is set."""
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (e.g. from a process manager) stops the preview like Ctrl+C, so the temporary folder is removed.
        signal.signal(signal.SIGTERM, _interrupt)
    work = Path(tempfile.mkdtemp(prefix="cxzy-serve-"))
    out = work / "public"
    try:
        history = History.load(data_dir)
        if not history.available:
            say(f"提示：{history.reason}。")
        say(preview(data_dir, out, today, audience, templates, cache))
        server = ThreadingHTTPServer((HOST, port), functools.partial(_Handler, directory=str(out)))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        say(f"预览地址：http://{HOST}:{server.server_address[1]}/ （按 Ctrl+C 停止）")
        watched = [p for p in (data_dir, templates) if p is not None]
        try:
            for _ in watchfiles.watch(*watched, stop_event=stop):
                say(preview(data_dir, out, today, audience, templates, cache))
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
