"""Links into the code forge (Gitea, GitLab, GitHub): a commit's diff and a change request, the two the 修订记录 shows."""

from __future__ import annotations

from dataclasses import dataclass

from cxzy_gen.records.models import Forge

# The web routes of each forge, relative to the repository URL.
ROUTES: dict[str, dict[str, str]] = {
    "gitea": {
        "commit": "/commit/{sha}",
        "request": "/pulls/{number}",
    },
    "gitlab": {
        "commit": "/-/commit/{sha}",
        "request": "/-/merge_requests/{number}",
    },
    "github": {
        "commit": "/commit/{sha}",
        "request": "/pull/{number}",
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

    def request(self, number: int) -> str:
        """A pull request (Gitea, GitHub) or merge request (GitLab)."""
        return self._url("request", number=str(number))


def links_for(forge: Forge | None) -> ForgeLinks | None:
    """Links for the site's forge, or None when site.yaml names none (the site then shows no links)."""
    return ForgeLinks(forge) if forge is not None else None
