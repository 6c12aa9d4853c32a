"""`cxzy comment`: one review comment per change request on Gitea or GitLab, edited in place on every push.

The comment starts with a hidden marker; the newest comment carrying it is updated through the forge's API,
else a new one is made. (GitHub's workflow does the same with `gh pr comment --edit-last`.) The token is read
from an environment variable, never from the command line, so it stays out of process lists and CI logs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

MARKER = "<!-- cxzy: 数据变更说明（每次推送由 CI 更新这条评论） -->"
MAX_PAGES = 20  # comments are read newest page first where the API allows; beyond this a new comment is made
FORGES = ("gitea", "gitlab")


class CommentError(Exception):
    """The forge refused or could not be reached; the message (Chinese) says what to check."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where the comment goes: the forge's API root, the repository (Gitea `owner/name`, GitLab project id or
    path) and the change request's number."""

    forge: str
    api: str
    repo: str
    request: int
    token: str

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"} if self.forge == "gitea" else {"PRIVATE-TOKEN": self.token}

    @property
    def _base(self) -> str:
        api = self.api.rstrip("/")
        if self.forge == "gitea":
            return f"{api}/repos/{self.repo}/issues"
        return f"{api}/projects/{urllib.parse.quote(self.repo, safe='')}/merge_requests/{self.request}/notes"

    def list_url(self, page: int) -> str:
        if self.forge == "gitea":
            return f"{self._base}/{self.request}/comments?page={page}&limit=50"
        return f"{self._base}?page={page}&per_page=100&sort=desc&order_by=created_at"

    def create_url(self) -> str:
        return f"{self._base}/{self.request}/comments" if self.forge == "gitea" else self._base

    def edit_url(self, comment_id: int) -> str:
        return f"{self._base}/comments/{comment_id}" if self.forge == "gitea" else f"{self._base}/{comment_id}"

    @property
    def edit_method(self) -> str:
        return "PATCH" if self.forge == "gitea" else "PUT"

    def call(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {**self._auth(), "Accept": "application/json", **({"Content-Type": "application/json"} if data else {})}
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            raise CommentError(f"{self.forge} 接口返回 {exc.code}（{method} {url}）{_hint(exc.code)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommentError(f"连不上 {self.forge} 接口 {self.api}：{reason}（提示：检查 --api 地址和网络）") from None
        return json.loads(text) if text.strip() else None


def _hint(status: int) -> str:
    if status in (401, 403):
        return "（提示：令牌无效或权限不够：Gitea 需要 issue 读写权限，GitLab 需要 api 范围、Reporter 以上角色）"
    if status == 404:
        return "（提示：检查仓库名、修改请求编号和 --api 地址）"
    return ""


def find_own(target: Target) -> int | None:
    """The id of the newest comment that carries the marker, or None."""
    found: list[tuple[str, int]] = []
    for page in range(1, MAX_PAGES + 1):
        items = target.call("GET", target.list_url(page))
        if not isinstance(items, list) or not items:
            break
        found += [
            (str(c.get("created_at", "")), int(c["id"]))
            for c in items
            if isinstance(c, dict) and str(c.get("body", "")).startswith(MARKER) and not c.get("system")
        ]
        if found and target.forge == "gitlab":  # GitLab lists newest first: the first page with one has the newest
            break
    return max(found)[1] if found else None


def post(target: Target, body: str) -> tuple[str, int]:
    """Edit this tool's comment on the change request, or make it; returns ("edited" | "created", comment id)."""
    text = f"{MARKER}\n{body}"
    own = find_own(target)
    if own is not None:
        try:
            target.call(target.edit_method, target.edit_url(own), {"body": text})
            return "edited", own
        except CommentError:
            pass  # someone else's comment that copied the marker, or one deleted meanwhile: write a new one
    made = target.call("POST", target.create_url(), {"body": text})
    return "created", int(made["id"]) if isinstance(made, dict) and "id" in made else 0
