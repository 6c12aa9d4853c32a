"""Review output each forge shows: one comment per change request, edited in place on every push (Gitea, GitLab),
and GitLab's Code Quality report.

No Gitea or GitLab runs here, so a small HTTP server on 127.0.0.1 answers the few API routes `cxzy comment` uses,
exactly as the forges document them (paths, methods, auth headers, JSON bodies, pagination), and keeps the comments.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from click.testing import CliRunner

from cxzy_gen.cli import main
from cxzy_gen.git.comment import MARKER

TOKEN = "s3cret-token"
GITEA = re.compile(r"^/api/v1/repos/(?P<repo>[^/]+/[^/]+)/issues/(?:(?P<n>\d+)/comments|comments/(?P<id>\d+))$")
GITLAB = re.compile(r"^/api/v4/projects/(?P<repo>[^/]+)/merge_requests/(?P<n>\d+)/notes(?:/(?P<id>\d+))?$")


class Forge:
    """The comments the fake forge keeps, and every request it was sent."""

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []  # {id, request, body, user}
        self.requests: list[tuple[str, str]] = []
        self.next_id = 100

    def add(self, request: int, body: str, user: str) -> dict[str, Any]:
        self.next_id += 1
        comment = {"id": self.next_id, "request": request, "body": body, "user": user, "created_at": f"2011-06-{self.next_id - 90:02d}"}
        self.comments.append(comment)
        return comment


def _handler(forge: Forge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            forge.requests.append((method, self.path))
            gitea, gitlab = GITEA.match(url.path), GITLAB.match(url.path)
            if gitea and self.headers.get("Authorization") != f"token {TOKEN}":
                return self._send(401, {"message": "token is required"})
            if gitlab and self.headers.get("PRIVATE-TOKEN") != TOKEN:
                return self._send(401, {"message": "401 Unauthorized"})
            found = gitea or gitlab
            if not found or found.group("repo") not in ("dangwu/data", "42"):
                return self._send(404, {"message": "not found"})
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else {}
            query = parse_qs(url.query)
            if found.group("id"):
                comment = next((c for c in forge.comments if c["id"] == int(found.group("id"))), None)
                if comment is None:
                    return self._send(404, {"message": "comment not found"})
                if method not in (("PATCH",) if gitea else ("PUT",)):
                    return self._send(405)
                if comment["user"] != "cxzy-bot":
                    return self._send(403, {"message": "not the author"})
                comment["body"] = body["body"]
                return self._send(200, comment)
            request = int(found.group("n"))
            if method == "GET":
                mine = [c for c in forge.comments if c["request"] == request]
                if gitlab:  # newest first, as `sort=desc` asks
                    assert query["sort"] == ["desc"]
                    mine = mine[::-1]
                size = int((query.get("limit") or query.get("per_page"))[0])
                page = int(query["page"][0])
                return self._send(200, mine[(page - 1) * size : page * size])
            if method == "POST":
                return self._send(201, forge.add(request, body["body"], "cxzy-bot"))
            return self._send(405)

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PATCH(self) -> None:
            self._route("PATCH")

        def do_PUT(self) -> None:
            self._route("PUT")

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Forge]]:
    forge = Forge()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(forge))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)  # shutdown() waits one poll
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", forge
    finally:
        httpd.shutdown()
        httpd.server_close()


FLAVOURS = {"gitea": ("/api/v1", "dangwu/data"), "gitlab": ("/api/v4", "42")}


def comment(url: str, flavour: str, body: Path, request: int = 7, token: str = TOKEN) -> Any:
    api, repo = FLAVOURS[flavour]
    args = ["comment", "--forge", flavour, "--api", url + api, "--repo", repo, "--request", str(request), "--body-file", str(body)]
    return CliRunner().invoke(main, args, env={"CXZY_BOT_TOKEN": token})


@pytest.mark.parametrize("flavour", list(FLAVOURS))
def test_each_push_edits_the_same_comment(server: tuple[str, Forge], flavour: str, tmp_path: Path) -> None:
    url, forge = server
    forge.add(7, "审核人：请补充会议记录。", "wang-approver")  # people's comments are left alone
    forge.add(8, f"{MARKER}\n另一个修改请求的说明", "cxzy-bot")
    body = tmp_path / "comment.md"
    body.write_text("### 一团一连党支部（lian-1）\n新增承诺 1 条\n", encoding="utf-8")
    first = comment(url, flavour, body)
    assert first.exit_code == 0 and "已发表修改请求 7 上的评论" in first.output, first.output
    body.write_text("### 一团一连党支部（lian-1）\n新增承诺 2 条\n", encoding="utf-8")
    second = comment(url, flavour, body)
    assert second.exit_code == 0 and "已更新修改请求 7 上的评论" in second.output, second.output
    on_seven = [c for c in forge.comments if c["request"] == 7]
    assert [c["body"] for c in on_seven] == ["审核人：请补充会议记录。", f"{MARKER}\n### 一团一连党支部（lian-1）\n新增承诺 2 条\n"]
    assert [c["body"] for c in forge.comments if c["request"] == 8] == [f"{MARKER}\n另一个修改请求的说明"]
    edits = [m for m, _ in forge.requests if m in ("PATCH", "PUT")]
    assert edits == (["PATCH"] if flavour == "gitea" else ["PUT"])


def test_a_marker_copied_into_someone_elses_comment_is_not_taken_over(server: tuple[str, Forge], tmp_path: Path) -> None:
    url, forge = server
    forge.add(7, f"{MARKER}\n我复制了机器人的评论", "li-member")
    body = tmp_path / "comment.md"
    body.write_text("说明\n", encoding="utf-8")
    result = comment(url, "gitea", body)
    assert result.exit_code == 0 and "已发表" in result.output
    assert [c["user"] for c in forge.comments] == ["li-member", "cxzy-bot"]
    assert forge.comments[0]["body"] == f"{MARKER}\n我复制了机器人的评论"


@pytest.mark.parametrize(
    ("token", "flavour", "message"),
    [
        ("wrong", "gitea", "gitea 接口返回 401"),
        ("wrong", "gitlab", "令牌无效或权限不够"),
        ("", "gitea", "环境变量 CXZY_BOT_TOKEN 里没有令牌"),
    ],
)
def test_refusals_say_what_to_check(server: tuple[str, Forge], tmp_path: Path, token: str, flavour: str, message: str) -> None:
    url, forge = server
    body = tmp_path / "comment.md"
    body.write_text("说明\n", encoding="utf-8")
    result = comment(url, flavour, body, token=token)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert TOKEN not in result.output and forge.comments == []


def test_an_unreachable_forge(tmp_path: Path) -> None:
    body = tmp_path / "comment.md"
    body.write_text("说明\n", encoding="utf-8")
    result = comment("http://127.0.0.1:9", "gitlab", body)
    assert result.exit_code == 1 and "连不上 gitlab 接口" in result.output


# ---------------------------------------------------------------- GitLab Code Quality

# The report format as GitLab documents it ("Code Quality report format": an array of issues, each with
# description, check_name, fingerprint, severity and location.path / location.lines.begin).
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": r"^[^/]"},
                    "lines": {"type": "object", "required": ["begin"], "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def test_validate_writes_gitlabs_code_quality_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from git_helpers import MINI

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    commitments = data / "units/lian-1/2011/commitments.yaml"
    text = commitments.read_text(encoding="utf-8")
    commitments.write_text(
        text.replace("deadline: 2011-11-30", "deadline: 2010-11-30").replace("kind: 年度承诺", "kind: 年度计划", 1), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--format", "codequality"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, CODE_QUALITY)
    assert {(i["check_name"], i["location"]["path"], i["severity"]) for i in report} >= {
        ("E-VALUE", "data/units/lian-1/2011/commitments.yaml", "blocker"),
    }
    assert all(i["location"]["lines"]["begin"] > 1 for i in report)
    assert len({i["fingerprint"] for i in report}) == len(report)
    # The same problems give the same fingerprints, so GitLab can tell what a push fixed.
    again = json.loads(CliRunner().invoke(main, ["validate", "--format", "codequality"]).stdout)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in report]
    # Clean data: an empty report, exit 0.
    commitments.write_text(text, encoding="utf-8")
    clean = CliRunner().invoke(main, ["validate", "--format", "codequality"])
    assert clean.exit_code == 0 and json.loads(clean.stdout) == []
