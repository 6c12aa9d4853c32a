"""The one finding type (`Problem`) shared by validate, audit and diff, and its output formats."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# Every problem code, with a short Chinese title and what to do about it.
# docs/problems.md documents each one; a test keeps the two in step.
CODES: dict[str, tuple[str, str]] = {
    "E-ENCODING": ("文件编码不是 UTF-8", "用记事本或 WPS「另存为」，编码选 UTF-8 后再提交"),
    "E-SIZE": ("文件过大", "按单位、按年份拆分记录，每个文件不超过限制"),
    "E-YAML": ("YAML 语法错误", "检查该行的缩进（只用空格，不用 Tab）、冒号后的空格和引号是否成对"),
    "E-DUPKEY": ("同一层级有重复的字段", "删除或合并重复的字段，每个字段只写一次"),
    "E-ALIAS": ("使用了 YAML 锚点或别名（&、*、<<）", "把内容直接写出来，不要用 & 和 * 引用"),
    "E-DEPTH": ("嵌套层级过深", "数据不需要这么多层，检查是否误用了括号或缩进"),
    "E-FILE": ("文件名或位置不符合约定", "按 docs/data.md 的目录约定放置文件"),
    "E-FIELD": ("未知字段", "检查字段名拼写；可用的字段见提示或 schemas/ 里的说明"),
    "E-MISSING": ("缺少必填字段", "补上该字段"),
    "E-VALUE": ("字段的值无效", "按提示改成允许的取值或格式"),
    "E-ID": ("编号格式不正确", "编号只用英文字母、数字、连字符（-）和下划线，以字母或数字开头，最长 64 个字符"),
    "E-ID-DUP": ("编号重复", "每条记录的编号在全部数据中必须唯一（不区分大小写），请改用新编号"),
    "E-REF": ("引用的单位或党员不存在", "检查编号拼写，或先添加被引用的单位、党员"),
    "E-TREE": ("组织架构有误", "全部单位必须连成以根单位为顶的一棵树：只有根单位没有上级，不能循环隶属"),
    "E-DATE": ("日期先后顺序不对", "检查提出、公示、完成时限、进展等日期的先后"),
    "E-FOCUS": ("承诺方向与单位类型不符", "按通知第二部分，选用与该单位类型对应的承诺方向"),
    "E-SUBJECT": ("字段与对象类型不符", "有的字段只用于党组织，有的只用于党员，按提示修改"),
    "E-TALLY": ("评议票数合计与参评人数不符", "核对各档票数，合计应等于参评人数"),
    "E-PII": ("含有个人身份信息", "删去身份证号、私人手机号；对外联系只能写在办公室联系方式字段里"),
    "E-AUDIENCE": ("公开范围有误", "每条记录要有公开范围；「特定对象公开」要列出对象"),
    "E-NAME": (
        "文字中写了公开范围更窄的党员或单位",
        "从文字中删去这个姓名或名称，或把本条记录的公开范围（audience）改窄，不宽于这位党员或这个单位的公开范围",
    ),
    "E-STATUS": ("状态与其他字段矛盾", "按提示补全字段或改正状态"),
    "E-PHOTO": ("照片不能使用", "照片放在数据文件夹里，写相对于本文件所在文件夹的路径，用 JPEG、PNG 或 WebP 图片"),
    # Spreadsheets (cxzy import, cxzy tally): the file is named, the line is the sheet's row, the column its column.
    "E-SHEET": ("表格的单元格或列读不出", "按提示改正那一格（日期、是/否、下拉选项）或那一列的列名；列名与模板不同时用 --mapping 对照文件"),
    "E-BALLOT": ("选票文件放在了数据仓库里", "选票不能提交到仓库：把选票表格移到仓库以外的文件夹，再运行 cxzy tally"),
    "E-PROCEDURE": (
        "表彰程序不完整",
        "先推荐、再公示（不少于本站规定的工作日），异议逐件办结，公示期满后作出表彰决定（写明决定日期 decided 和文号 decision），再改为「已表彰」",
    ),
    "E-NOMINEE": (
        "推荐对象不符合条件",
        "评议结果是评先的依据：当年民主评议为基本合格、不合格，有逾期未完成的承诺，或所在单位群众满意率低于本站规定的，不宜推荐；核实后撤销推荐或更正数据",
    ),
    "E-QUOTA": ("推荐名额超出", "按 site.yaml 的 commendation.quotas 减少推荐人数，或撤销多出的推荐"),
    # Rules on a change (cxzy validate --base): what was published is never silently lost.
    "E-PUBLISHED": (
        "已公示的记录被删除或改写",
        "已公示的记录只撤回、不删除，只更正、不改写：撤回加 withdrawn（日期、原因），更正后在 amendments 里追加带日期的说明；表彰推荐改为「撤销」",
    ),
    "E-SIGNED": (
        "已签字的点评意见表被删除或改写",
        "签字后的点评意见表只能在 amendments 里追加带日期的更正说明后修改；作废时加 withdrawn，不能删除",
    ),
    "E-STATUS-BACK": (
        "状态倒退",
        "状态只能向前：表彰 推荐 → 公示中 → 已表彰（任何阶段都可改为撤销）；整改 未开始 → 整改中 → 已完成；已认定的完成情况不能删去",
    ),
    "E-ID-REUSED": ("编号被挪作他用", "一个编号只指一条记录：新记录另起一个从未用过的编号，删除过的编号也不再使用"),
    "E-HISTORY": ("无法读取完整的 git 历史", "CI 检出代码时取完整历史（GitHub、Gitea：fetch-depth: 0；GitLab：GIT_DEPTH: 0）"),
    "E-CODEOWNERS": ("CODEOWNERS 与各单位的审批人不一致", "运行 cxzy codeowners 重新生成 CODEOWNERS 并一起提交"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding about the data: where it is, what it is, and how serious."""

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)

    def as_text(self) -> str:
        """One line, whatever the file name or message holds: control characters are shown escaped."""
        label = "" if self.is_error else "（警告）"
        return f"{one_line(self.file)}:{self.line}:{self.column}: {self.code}{label} {one_line(self.message)}"

    def as_github(self) -> str:
        """A GitHub/Gitea Actions workflow command. Data reaches it through file names and messages, so both are
        escaped as the runner expects: %, CR and LF everywhere, and `:` and `,` in properties too."""
        msg = _command_data(f"{self.code} {self.message}")
        return f"::{self.severity.value} file={_command_property(self.file)},line={self.line},col={self.column}::{msg}"

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d


# C0/C1 controls and the Unicode line, paragraph and bidi controls: each could start a new line or reorder
# text in a terminal, a CI log or an annotation.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """Text for one output line: every control character written as a visible escape (\\n, \\x1b, \\u202e)."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _command_data(text: str) -> str:
    """A workflow command's data: %, CR and LF percent-encoded as the runner decodes them; any other control or
    line separator (which a log viewer could break a line at) written as a visible escape."""
    text = _strip_bidi(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return one_line(text)


def _command_property(text: str) -> str:
    return _command_data(text).replace(":", "%3A").replace(",", "%2C")


def _strip_bidi(text: str) -> str:
    return re.sub("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)


def code_quality(problems: Iterable[Problem]) -> list[dict[str, object]]:
    """GitLab's Code Quality report (a JSON array of issues), so problems show in the merge request's diff.

    The fingerprint stays the same while the problem does (code, file and message, not the line), so GitLab
    can tell new problems from fixed ones between two pipelines; repeats of one problem are numbered.
    """
    seen: dict[str, int] = {}
    issues: list[dict[str, object]] = []
    for p in sorted(problems, key=Problem.sort_key):
        key = f"{p.code}\0{p.file}\0{p.message}"
        seen[key] = seen.get(key, 0) + 1
        issues.append(
            {
                "type": "issue",
                "check_name": p.code,
                "description": f"{p.code} {p.message}",
                "categories": ["Bug Risk"],
                "severity": "blocker" if p.is_error else "minor",  # an error blocks the merge; a warning does not
                "fingerprint": hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest(),
                "location": {"path": p.file, "lines": {"begin": p.line}},
            }
        )
    return issues


def format_problems(problems: Iterable[Problem], fmt: str) -> str:
    """Render problems as `text`, `json`, `github` annotation lines or a GitLab `codequality` report."""
    items = sorted(problems, key=Problem.sort_key)
    if fmt == "json":
        return json.dumps([p.as_dict() for p in items], ensure_ascii=False, indent=2)
    if fmt == "codequality":
        return json.dumps(code_quality(items), ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.as_github() for p in items)
    return "\n".join(p.as_text() for p in items)
