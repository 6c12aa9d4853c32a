"""History from one `git log`: revisions per data file asserted against the commits made, approvals, forge links."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from git_helpers import GitRepo

from cxzy_gen.git import history as h
from cxzy_gen.git.forge import ForgeLinks, links_for
from cxzy_gen.records import models as m
from cxzy_gen.records.models import Forge

ZHANG = ("张红", "zhang@example.org")
LI = ("李明", "li@example.org")
WANG = ("王审批", "shi-admin@example.org")

COMMITMENTS = "units/lian-1/2011/commitments.yaml"
REVIEWS = "units/lian-1/2011/reviews.yaml"


@pytest.fixture
def repo(history_made: tuple[GitRepo, dict[str, str]], tmp_path: Path) -> tuple[GitRepo, dict[str, str]]:
    """A test's own copy of the history below."""
    made, shas = history_made
    return made.copy(tmp_path / "site"), dict(shas)


@pytest.fixture(scope="module")
def history_made(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepo, dict[str, str]]:
    """main: initial import; a branch by 李明 merged by 王审批 (merge request !7); a rename; a squash merge (#12)."""
    r = GitRepo(tmp_path_factory.mktemp("history") / "site")
    r.write("../README.md", "站点说明\n")
    shas = {"init": r.commit("导入 2011 年数据", author=ZHANG, date="2011-03-01T09:00:00+08:00")}
    r.checkout("lian-1-progress", new=True)
    r.replace(
        COMMITMENTS,
        "        note: 完成滴灌设备安装。\n",
        "        note: 完成滴灌设备安装。\n      - date: 2011-06-10\n        note: 覆盖八成。\n",
    )
    shas["progress"] = r.commit("一连：更新承诺进展", author=LI, date="2011-06-10T18:30:00+08:00")
    r.replace(REVIEWS, "        status: 整改中\n", "        status: 已完成\n        done: 2011-06-29\n")
    shas["rectify"] = r.commit("一连：整改完成", author=LI, date="2011-06-29T11:00:00+08:00")
    r.checkout("main")
    r.write("../tools.txt", "not data\n")
    shas["tools"] = r.commit("工具说明", author=ZHANG, date="2011-06-30T08:00:00+08:00")
    shas["merge"] = r.merge(
        "lian-1-progress",
        "Merge branch 'lian-1-progress' into 'main'\n\nSee merge request cxzy/data!7",
        by=WANG,
        date="2011-06-30T09:00:00+08:00",
    )
    r.git("mv", "data/units/lian-1/2011/appraisals.yaml", "data/units/lian-1/2011/appraisals-old.yaml")
    shas["rename"] = r.commit("评议文件改名", author=ZHANG, date="2011-07-01T10:00:00+08:00")
    r.append("units/lian-1/members.yaml", "  - id: lian1-qian\n    name: 钱新\n    roles: [党员]\n")
    shas["squash"] = r.commit("一连：新增党员钱新 (#12)", author=WANG, date="2011-07-02T10:00:00+08:00")
    return r, shas


def test_revisions_of_a_file_are_the_commits_that_touched_it(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    history = h.History.load(r.data)
    assert history.available and history.reason == ""
    revs = history.for_file(f"data/{COMMITMENTS}")
    assert [(rev.sha, rev.author, rev.subject, rev.change) for rev in revs] == [
        (shas["progress"], "李明", "一连：更新承诺进展", h.ChangeType.MODIFIED),
        (shas["init"], "张红", "导入 2011 年数据", h.ChangeType.ADDED),
    ]
    assert revs[0].date == dt.date(2011, 6, 10)
    assert revs[0].commit.authored == dt.datetime(2011, 6, 10, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert revs[0].short == shas["progress"][:7]


def test_a_merged_commit_is_approved_by_the_merge(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    history = h.History.load(r.data)
    progress, init = history.for_file(f"data/{COMMITMENTS}")
    assert progress.approval is not None
    assert progress.approval.merge.sha == shas["merge"]
    assert (progress.approval.by, progress.approval.date, progress.approval.request) == ("王审批", dt.date(2011, 6, 30), 7)
    assert init.approval is None  # committed straight to main
    rectify = history.for_file(f"data/{REVIEWS}")[0]
    assert rectify.sha == shas["rectify"] and rectify.approval is not None and rectify.approval.merge.sha == shas["merge"]


def test_a_squash_merge_is_its_own_approval(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    rev = h.History.load(r.data).for_file("data/units/lian-1/members.yaml")[0]
    assert rev.sha == shas["squash"]
    assert rev.approval is not None and rev.approval.request == 12 and rev.approval.by == "王审批"


def test_a_renamed_file_keeps_its_history(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    history = h.History.load(r.data)
    revs = history.for_file("data/units/lian-1/2011/appraisals-old.yaml")
    assert [(rev.sha, rev.change, rev.path, rev.old_path) for rev in revs] == [
        (shas["rename"], h.ChangeType.RENAMED, "data/units/lian-1/2011/appraisals-old.yaml", "data/units/lian-1/2011/appraisals.yaml"),
        (shas["init"], h.ChangeType.ADDED, "data/units/lian-1/2011/appraisals.yaml", None),
    ]
    assert revs[0].change.label == "移动"


def test_recent_lists_data_commits_only_newest_first(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    history = h.History.load(r.data)
    assert [c.sha for c in history.commits[:10]] == [shas[k] for k in ("squash", "rename", "rectify", "progress", "init")]
    assert [c.sha for c in history.commits[:2]] == [shas["squash"], shas["rename"]]
    init = history.commits[:10][-1]
    assert all(f.path.startswith("data/") for f in init.files)  # README.md is not data
    assert len(init.files) == 13


def test_head_is_the_data_version(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    history = h.History.load(r.data)
    assert history.head == shas["squash"] == r.git("rev-parse", "HEAD")
    assert history.head_date is not None and history.head_date.date() == dt.date(2011, 7, 2)
    assert history.prefix == "data" and not history.shallow


def test_paths_may_be_absolute_or_relative_to_the_working_directory(
    repo: tuple[GitRepo, dict[str, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    r, _ = repo
    history = h.History.load(r.data)
    expected = [rev.sha for rev in history.for_file(f"data/{COMMITMENTS}")]
    assert [rev.sha for rev in history.for_file(r.path(COMMITMENTS))] == expected
    monkeypatch.chdir(r.data / "units")
    assert [rev.sha for rev in history.for_file("lian-1/2011/commitments.yaml")] == expected
    # Each path is resolved once, but a relative one against the folder it is asked from, and links are followed.
    assert history.repo_path("2011/commitments.yaml") == "data/units/2011/commitments.yaml"
    monkeypatch.chdir(r.data / "units" / "lian-1")
    assert history.repo_path("2011/commitments.yaml") == f"data/{COMMITMENTS}"
    link = tmp_path / "link"
    link.symlink_to(r.data)
    assert [rev.sha for rev in history.for_file(link / COMMITMENTS)] == expected


def test_for_unit_merges_the_files_of_a_unit_folder(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    revs = h.History.load(r.data).for_unit("lian-1")
    assert [rev.sha for rev in revs][:4] == [shas["squash"], shas["rename"], shas["rectify"], shas["progress"]]
    assert {rev.sha for rev in revs} == {shas[k] for k in ("squash", "rename", "rectify", "progress", "init")}
    assert h.History.load(r.data).for_unit("no-such-unit") == []


def test_history_of_a_ref_other_than_head(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    history = h.History.load(r.data, ref=shas["tools"])
    assert history.head == shas["tools"]
    assert [rev.sha for rev in history.for_file(f"data/{COMMITMENTS}")] == [shas["init"]]


def test_outside_a_repository_history_is_empty_and_says_why(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    history = h.History.load(data)
    assert not history.available
    assert "不在 git 仓库中" in history.reason
    assert history.for_file("data/site.yaml") == [] and history.commits == [] and history.head is None


def test_without_git_history_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # git cannot be found
    history = h.History.load(tmp_path)
    assert not history.available and "找不到 git" in history.reason


def test_a_repository_without_commits(tmp_path: Path) -> None:
    r = GitRepo(tmp_path / "site")
    history = h.History.load(r.data)
    assert not history.available and history.reason


def test_an_unknown_ref_does_not_raise(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, _ = repo
    history = h.History.load(r.data, ref="no-such-branch")
    assert not history.available and "读取 git 历史失败" in history.reason


def test_a_shallow_clone_is_flagged(repo: tuple[GitRepo, dict[str, str]], tmp_path: Path) -> None:
    r, _ = repo
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{r.root}", str(clone)], check=True)
    history = h.History.load(clone / "data")
    assert history.available and history.shallow
    assert len(history.commits) == 1


def test_parse_log_reads_renames_copies_and_paths_by_position() -> None:
    from cxzy_gen.git.commits import parse_log

    fake = b"cxzy-commit " + b"c" * 40  # a file named like a commit header is still a path
    out = (
        b"\0cxzy-commit " + b"a" * 40 + b" " + b"b" * 40 + b"\0\nR087\0data/a.yaml\0data/b.yaml\0C100\0data/b.yaml\0data/c.yaml\0"
        b"T\0data/d.yaml\0D\0data/e.yaml\0M\0" + fake + b"\0\0cxzy-commit " + b"b" * 40 + b"\0"
    )
    first, second = parse_log(out)
    assert first.sha == "a" * 40 and first.parents == ("b" * 40,)
    assert first.files == (
        h.FileChange(h.ChangeType.RENAMED, "data/b.yaml", "data/a.yaml"),
        h.FileChange(h.ChangeType.ADDED, "data/c.yaml"),
        h.FileChange(h.ChangeType.MODIFIED, "data/d.yaml"),
        h.FileChange(h.ChangeType.DELETED, "data/e.yaml"),
        h.FileChange(h.ChangeType.MODIFIED, fake.decode()),
    )
    assert second.sha == "b" * 40 and second.parents == () and second.files == ()


@pytest.mark.parametrize(
    ("subject", "body", "number"),
    [
        ("Merge pull request #3 from zhang/lian-1", "", 3),  # GitHub
        ("Merge pull request '一连进展' (#15) from lian-1 into main", "", 15),  # Gitea
        ("Merge branch 'lian-1' into 'main'", "一连进展\n\nSee merge request cxzy/data!21", 21),  # GitLab
        ("Merge branch 'lian-1'", "", None),  # a local merge
    ],
)
def test_change_request_numbers_from_merge_messages(subject: str, body: str, number: int | None) -> None:
    when = dt.datetime(2011, 6, 30, tzinfo=dt.UTC)
    merge = h.Commit("m" * 40, ("a", "b"), "x", "x@x", when, "审批人", "y@x", when, subject, body)
    assert h.Approval(merge).request == number


@pytest.mark.parametrize(
    ("kind", "commit", "pull"),
    [
        (
            "gitea",
            "https://git.example.org/cxzy/data/commit/abc",
            "/pulls/7",
        ),
        (
            "gitlab",
            "https://git.example.org/cxzy/data/-/commit/abc",
            "/-/merge_requests/7",
        ),
        (
            "github",
            "https://git.example.org/cxzy/data/commit/abc",
            "/pull/7",
        ),
    ],
)
def test_forge_links(kind: str, commit: str, pull: str) -> None:
    links = ForgeLinks(Forge(kind=kind, url="https://git.example.org/cxzy/data/"))
    assert links.commit("abc") == commit
    assert links.request(7) == "https://git.example.org/cxzy/data" + pull


def test_a_commit_url_template_overrides_the_forge_route() -> None:
    links = links_for(
        Forge(kind="gitea", url="https://git.example.org/cxzy/data", commit_url="https://cgit.example.org/data/commit/?id={sha}")
    )
    assert links is not None and links.commit("abc") == "https://cgit.example.org/data/commit/?id=abc"
    assert links_for(None) is None


def test_a_commit_url_template_must_contain_sha() -> None:
    with pytest.raises(ValueError, match="commit_url"):
        Forge(kind="gitea", url="https://git.example.org/x", commit_url="https://git.example.org/x/commit/")


def test_a_revision_says_what_changed_without_the_commit_message(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, _ = repo
    history = h.History.load(r.data)
    assert [rev.what for rev in history.for_file(f"data/{COMMITMENTS}")] == ["修改公开承诺 2011 年", "新增公开承诺 2011 年"]
    assert history.for_file("data/units/lian-1/members.yaml")[0].what == "修改党员名单"
    assert history.for_file("data/site.yaml")[0].what == "新增站点设置"


def test_revision_rows_for_a_page(repo: tuple[GitRepo, dict[str, str]]) -> None:
    r, shas = repo
    history = h.History.load(r.data)
    links = ForgeLinks(Forge(kind="gitea", url="https://git.example.org/cxzy/data"))
    rows = h.revision_rows(history.for_unit("lian-1"), links)
    assert [(row.date, row.author, row.what, row.message, row.approved_by, row.request) for row in rows] == [
        (dt.date(2011, 7, 2), "王审批", "修改党员名单", None, "王审批", 12),
        (dt.date(2011, 7, 1), "张红", "移动群众评议 2011 年", None, None, None),
        (dt.date(2011, 6, 29), "李明", "修改领导点评 2011 年", None, "王审批", 7),
        (dt.date(2011, 6, 10), "李明", "修改公开承诺 2011 年", None, "王审批", 7),
        (dt.date(2011, 3, 1), "张红", "新增群众评议 2011 年、公开承诺 2011 年、领导点评 2011 年、党员名单、单位信息", None, None, None),
    ]
    assert rows[2].commit_url == f"https://git.example.org/cxzy/data/commit/{shas['rectify']}"
    assert rows[2].request_url == "https://git.example.org/cxzy/data/pulls/7" and rows[1].request_url is None
    assert h.revision_rows(history.for_unit("lian-1"), messages=lambda commit: True)[2].message == "一连：整改完成"
    assert h.revision_rows(history.for_unit("lian-1"))[0].commit_url is None


# ---------------------------------------------------------------- history on the built pages


def _rows(page: Path, caption: str) -> list[list[str]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in soup.select("table") if t.caption and t.caption.get_text().startswith(caption))
    for note in table.select("td span.note"):  # the reason, or why it is withheld: asserted on its own
        note.decompose()
    return [["".join(td.get_text().split()) for td in tr.select("td")] for tr in table.select("tbody tr")]


def _site(r: GitRepo, tmp_path: Path, audience: str = "向社会公开") -> Path:
    from cxzy_gen.build import build
    from cxzy_gen.records.models import Audience

    r.git("mv", "data/units/lian-1/2011/appraisals-old.yaml", "data/units/lian-1/2011/appraisals.yaml")
    r.replace(
        "site.yaml",
        "default_audience: 向社会公开\n",
        "default_audience: 向社会公开\nforge:\n  kind: gitea\n  url: https://git.example.org/cxzy/data\n",
    )
    r.commit("恢复评议文件名，填写托管平台", author=ZHANG, date="2011-07-03T10:00:00+08:00")
    out = tmp_path / "public"
    from cxzy_gen.site.scope import Scope

    level = Audience(audience)
    scope = Scope(level, "lian-1" if level is Audience.UNIT else None)  # a unit's own board
    build(r.data, out, dt.date(2011, 7, 4), scope, archive=h.History.load(r.data), search=False)  # history is not searched
    return out


def _site_again(r: GitRepo, tmp_path: Path, audience: str) -> Path:
    """The same repository (after `_site`) built for another audience."""
    from cxzy_gen.build import build
    from cxzy_gen.site.scope import Scope

    out = tmp_path / f"site-{audience}"
    build(r.data, out, dt.date(2011, 7, 4), Scope(m.Audience(audience)), archive=h.History.load(r.data), search=False)
    return out


@pytest.fixture(scope="module")
def built(
    history_made: tuple[GitRepo, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[GitRepo, dict[str, str], Path, Path]:
    """A copy of the history as `_site` leaves it, built for the public and for the party: the tests below only read them."""
    made, shas = history_made
    tmp = tmp_path_factory.mktemp("history-site")
    r = made.copy(tmp / "site")
    public = _site(r, tmp)
    return r, dict(shas), public, _site_again(r, tmp, "党内公开")


def test_a_unit_page_shows_its_revisions(built: tuple[GitRepo, dict[str, str], Path, Path]) -> None:
    _, shas, out, party_site = built
    rows = _rows(out / "units/lian-1/index.html", "修订记录")
    assert rows[1:4] == [
        ["2011-07-02", "修改党员名单", "王审批", "王审批（2011-07-02，修改请求#12）", shas["squash"][:7]],
        ["2011-07-01", "移动群众评议2011年", "张红", "直接提交", shas["rename"][:7]],
        ["2011-06-10", "修改公开承诺2011年", "李明", "王审批（2011-06-30，修改请求#7）", shas["progress"][:7]],
    ]
    assert rows[0][1] == "移动群众评议2011年" and rows[-1][0] == "2011-03-01"
    page = (out / "units/lian-1/index.html").read_text(encoding="utf-8")
    assert 'href="https://git.example.org/cxzy/data/pulls/7"' in page
    # History text follows the records a commit changed: the review file is 党内公开, so the commit that changed
    # only a review is not listed on the public page at all (neither its reason nor its author); the first commit,
    # which added public and party records alike, is listed without its reason; the commitments commit with it.
    assert shas["rectify"][:7] not in page and "一连：整改完成" not in page
    assert "涉及公开范围更窄的记录" in page and "修改原因：一连：更新承诺进展" in page
    party = _rows(party_site / "units/lian-1/index.html", "修订记录")
    assert ["2011-06-29", "修改领导点评2011年", "李明", "王审批（2011-06-30，修改请求#7）", shas["rectify"][:7]] in party


def test_a_member_page_shows_the_revisions_of_the_files_holding_their_records(built: tuple[GitRepo, dict[str, str], Path, Path]) -> None:
    _, _, out, _ = built
    whats = [row[1] for row in _rows(out / "members/lian1-sun/index.html", "修订记录")]
    assert whats == [
        "移动群众评议2011年",
        "修改党员名单",
        "移动群众评议2011年",
        "修改公开承诺2011年",
        "新增群众评议2011年、公开承诺2011年、党员名单、评选表彰2011年",
    ]
    assert [row[:2] for row in _rows(out / "members/sq1-liu/index.html", "修订记录")] == [["2011-03-01", "新增党员名单"]]


def test_the_footer_names_the_data_version_and_the_changes_page_lists_commits(built: tuple[GitRepo, dict[str, str], Path, Path]) -> None:
    from bs4 import BeautifulSoup

    r, _, out, party_site = built
    head = r.git("rev-parse", "HEAD")
    # Every page's footer loads the one small script that names the data version (so a commit does not change every
    # page); the changes page names it in its own text; without the script the footer still leads there.
    script = (out / "assets/version.js").read_text(encoding="utf-8")
    assert f'"commit": "{head[:7]}"' in script and f'"url": "https://git.example.org/cxzy/data/commit/{head}"' in script
    for page in ("index.html", "units/lian-1/index.html", "changes/index.html"):
        footer = BeautifulSoup((out / page).read_text(encoding="utf-8"), "html.parser").footer
        assert footer is not None and head[:7] not in str(footer)
        line = footer.select_one(".data-version")
        assert line is not None and "".join(line.get_text().split()) == "数据版本见变更记录。"
        assert (out / page).parent.joinpath(footer.script["src"]).resolve() == (out / "assets/version.js").resolve()  # type: ignore[index]
    changes = BeautifulSoup((out / "changes/index.html").read_text(encoding="utf-8"), "html.parser").select_one("main .current-version")
    assert changes is not None and f"本站按数据版本{head[:7]}（" in "".join(changes.get_text().split())
    assert changes.select_one(f'a[href="https://git.example.org/cxzy/data/commit/{head}"]') is not None
    rows = _rows(out / "changes/index.html", "最近")
    # 2011-06-29 changed only the 党内公开 review: not on the public site's list.
    assert [row[0] for row in rows] == ["2011-07-03", "2011-07-02", "2011-07-01", "2011-06-10", "2011-03-01"]
    assert rows[0][1:4] == ["一团一连党支部", "修改站点设置；移动群众评议2011年", "张红"]
    assert rows[3][1:5] == ["一团一连党支部", "修改公开承诺2011年", "李明", "王审批（2011-06-30，修改请求#7）"]
    assert rows[-1][1] == "一团一连党支部、天山棉业公司党总支、城区第一社区党支部、第九师党委"
    party = _rows(party_site / "changes/index.html", "最近")
    assert party[3][:5] == ["2011-06-29", "一团一连党支部", "修改领导点评2011年", "李明", "王审批（2011-06-30，修改请求#7）"]


def test_a_unit_audience_build_shows_commit_messages(repo: tuple[GitRepo, dict[str, str]], tmp_path: Path) -> None:
    r, _ = repo
    out = _site(r, tmp_path, "本单位公开")
    assert "一连：整改完成" in (out / "units/lian-1/index.html").read_text(encoding="utf-8")


def test_outside_git_the_site_has_no_history(tmp_path: Path) -> None:
    import shutil

    from git_helpers import MINI

    from cxzy_gen.build import build
    from cxzy_gen.records.models import Audience

    shutil.copytree(MINI, tmp_path / "data")
    history = h.History.load(tmp_path / "data")
    build(tmp_path / "data", tmp_path / "public", dt.date(2011, 7, 4), Audience.PUBLIC, archive=history, search=False)
    page = (tmp_path / "public/units/lian-1/index.html").read_text(encoding="utf-8")
    assert "修订记录" not in page and "数据版本" not in page
    assert not (tmp_path / "public/changes").exists() and not (tmp_path / "public/assets/version.js").exists()


def test_dates_are_china_dates_whatever_zone_git_recorded(tmp_path: Path) -> None:
    """A change written at 07:30 Beijing time by someone whose git says UTC, merged by a forge on UTC, is dated
    that day in China, not the day before."""
    r = GitRepo(tmp_path / "site")
    r.commit("导入数据", author=ZHANG, date="2011-06-01T09:00:00+08:00")
    r.checkout("early", new=True)
    r.append("units/lian-1/members.yaml", "  - id: lian1-qian\n    name: 钱新\n    roles: [党员]\n")
    sha = r.commit("一连：新增党员", author=LI, date="2011-06-09T23:30:00+00:00")  # 2011-06-10 07:30 in China
    r.checkout("main")
    r.merge("early", "Merge pull request #3 from early", by=WANG, date="2011-06-09T23:45:00+00:00")
    (rev,) = [x for x in h.History.load(r.data).for_file("data/units/lian-1/members.yaml") if x.sha == sha]
    assert rev.date == dt.date(2011, 6, 10)
    assert rev.approval is not None and rev.approval.date == dt.date(2011, 6, 10)
