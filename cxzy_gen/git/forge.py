"""Links into the code forge (Gitea, GitLab, GitHub): a commit's diff, a file at a commit, a change request."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from cxzy_gen.records.models import Forge

# The web routes of each forge, relative to the repository URL.
ROUTES: dict[str, dict[str, str]] = {
    "gitea": {
        "commit": "/commit/{sha}",
        "file": "/src/commit/{sha}/{path}",
        "file_history": "/commits/commit/{sha}/{path}",
        "compare": "/compare/{base}...{head}",
        "request": "/pulls/{number}",
        "edit": "/_edit/{branch}/{path}",
    },
    "gitlab": {
        "commit": "/-/commit/{sha}",
        "file": "/-/blob/{sha}/{path}",
        "file_history": "/-/commits/{sha}/{path}",
        "compare": "/-/compare/{base}...{head}",
        "request": "/-/merge_requests/{number}",
        "edit": "/-/edit/{branch}/{path}",
    },
    "github": {
        "commit": "/commit/{sha}",
        "file": "/blob/{sha}/{path}",
        "file_history": "/commits/{sha}/{path}",
        "compare": "/compare/{base}...{head}",
        "request": "/pull/{number}",
        "edit": "/edit/{branch}/{path}",
    },
}


@dataclass(frozen=True)
class ForgeLinks:
    """URL builders for one repository on one forge; `commit_url` in site.yaml overrides the commit route."""

    forge: Forge

    def _url(self, route: str, **values: str) -> str:
        return self.forge.url.rstrip("/") + ROUTES[self.forge.kind][route].format(**values)

    def commit(self, sha: str) -> str:
        """The commit page, which shows its diff."""
        if self.forge.commit_url:
            return self.forge.commit_url.replace("{sha}", sha)
        return self._url("commit", sha=sha)

    def file(self, sha: str, path: str) -> str:
        """A file as it was at a commit; `path` is relative to the repository root."""
        return self._url("file", sha=sha, path=quote(path))

    def file_history(self, sha: str, path: str) -> str:
        """The forge's own history view of one file."""
        return self._url("file_history", sha=sha, path=quote(path))

    def compare(self, base: str, head: str) -> str:
        return self._url("compare", base=quote(base, safe=""), head=quote(head, safe=""))

    def request(self, number: int) -> str:
        """A pull request (Gitea, GitHub) or merge request (GitLab)."""
        return self._url("request", number=str(number))

    def edit(self, path: str, branch: str = "main") -> str:
        """The forge's web editor for a file, where a party-affairs worker starts a change request."""
        return self._url("edit", branch=quote(branch, safe=""), path=quote(path))


def links_for(forge: Forge | None) -> ForgeLinks | None:
    """Links for the site's forge, or None when site.yaml names none (the site then shows no links)."""
    return ForgeLinks(forge) if forge is not None else None
