"""Reading data files: bytes → text → plain Python values, safely, with source positions on demand."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cxzy_gen.problems import Problem
from cxzy_gen.records.basics import MAX_FILE_BYTES

try:  # the C parser is ~10x faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40  # the longest unquoted number (digits, signs, separators) the loader turns into a number
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}

Path_ = tuple[str | int, ...]


class _Refused(Exception):
    """A construct we refuse, with where it is (1-based line and column)."""

    def __init__(self, code: str, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.column = code, message, line, column


_STR, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq", "merge"))
_SCALARS = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")}


class _Unusual(Exception):
    """A tag the quick construction leaves to PyYAML's own constructor (sets, pairs, binary, custom tags)."""


class _StrictLoader(_BaseLoader):
    """Safe loader that refuses aliases, merge keys and duplicate keys instead of guessing."""

    depth_checked = False  # the quick construction checks the nesting depth as it goes

    def construct_document(self, node: yaml.Node) -> Any:
        # PyYAML's constructor is written for every kind of document (recursive structures, generators,
        # state machines) and costs most of the time of a big build. Data files are plain maps, lists and
        # scalars: build those directly, with the same rules (aliases, merge keys, duplicate keys, depth)
        # and the same scalar constructors; anything unusual goes the long way, with the same result.
        try:
            data = self._quick(node)
        except _Unusual:
            return super().construct_document(node)
        self.depth_checked = True
        return data

    def _quick(self, root: yaml.Node) -> Any:
        seen: set[int] = set()
        constructors = self.yaml_constructors

        def build(node: yaml.Node, depth: int) -> Any:
            if depth > MAX_DEPTH:
                raise _Refused("E-DEPTH", f"嵌套层级过深（最多 {MAX_DEPTH} 层）", 1, 1)
            if id(node) in seen:
                raise _Refused("E-ALIAS", "不允许使用 YAML 锚点和别名（& 与 *）", *_pos(node))
            seen.add(id(node))
            tag, kind = node.tag, type(node)
            if kind is yaml.ScalarNode:
                if tag == _STR:
                    return node.value
                if tag not in _SCALARS:
                    raise _Unusual
                if tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:  # as construct_object: kept as text
                    return node.value
                try:
                    return constructors[tag](self, node)
                except ValueError:  # looks like a date or number but is none: keep the text (see construct_object)
                    return node.value
            if kind is yaml.MappingNode and tag == _MAP:
                mapping: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    if key_node.tag == _MERGE:
                        raise _Refused("E-ALIAS", "不允许使用 YAML 合并键（<<）", *_pos(key_node))
                    key = build(key_node, depth + 1)
                    if not isinstance(key, str | int | float | bool) and key is not None:
                        raise _Refused("E-YAML", "字段名必须是简单的文字", *_pos(key_node))
                    if key in mapping:
                        raise _Refused("E-DUPKEY", f"字段「{key}」在同一层级重复出现", *_pos(key_node))
                    mapping[key] = build(value_node, depth + 1)
                return mapping
            if kind is yaml.SequenceNode and tag == _SEQ:
                return [build(item, depth + 1) for item in node.value]
            raise _Unusual

        return build(root, 1)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Each node is constructed once; meeting one again means an alias (`*x`) points at it.
        # Refusing them blocks alias bombs and keeps every value at exactly one place.
        if node in self.constructed_objects:
            raise _Refused("E-ALIAS", "不允许使用 YAML 锚点和别名（& 与 *）", *_pos(node))
        if isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            # Python refuses to print ints of more than 4300 digits and big base-60 or hex literals cost time:
            # nothing in the data is a number that long, so its text is kept and the model names the field.
            self.constructed_objects[node] = node.value
            return node.value
        try:
            return super().construct_object(node, deep=deep)
        except ValueError:
            if not isinstance(node, yaml.ScalarNode):
                raise
            # A scalar that looks like a date or number but is none (2011-02-30, 0x_): keep its text,
            # so the model reports it against its field like any other wrong value.
            self.recursive_objects.pop(node, None)
            self.constructed_objects[node] = node.value
            return node.value

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise _Refused("E-YAML", "这里应是「字段: 值」的映射", *_pos(node))
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("E-ALIAS", "不允许使用 YAML 合并键（<<）", *_pos(key_node))
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise _Refused("E-YAML", "字段名必须是简单的文字", *_pos(key_node))
            if key in mapping:
                raise _Refused("E-DUPKEY", f"字段「{key}」在同一层级重复出现", *_pos(key_node))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@dataclass
class Document:
    """One data file: its display path, text and parsed value.

    Positions are found only when a problem needs one, by composing the text again:
    a clean build never pays for them. A document kept only for positions (`file` set, text and
    value dropped once the file is typed, or never read because the cache had it) reads its
    text again when a position is asked for.
    """

    path: str
    text: str
    data: Any
    _root: yaml.Node | None = field(default=None, repr=False)
    file: Path | None = field(default=None, repr=False)

    def release(self, file: Path) -> None:
        """Forget the text and value (memory is what a large board runs out of); re-read `file` for positions."""
        self.text, self.data, self._root, self.file = "", None, None, file

    def locate(self, keys: Path_) -> tuple[int, int]:
        """Line and column (1-based) of the value at `keys`, or of its nearest ancestor.

        A block mapping or list given as a field's value starts on the line below its key;
        the key's own line is where the reader looks for that field, so that is returned.
        """
        if self._root is None:
            if not self.text and self.file is not None:
                try:
                    self.text = decode(self.file.read_bytes(), self.path)[0] or ""
                except OSError:
                    self.text = ""
            try:
                self._root = yaml.compose(self.text, Loader=_BaseLoader)
            except yaml.YAMLError:  # the file changed on disk since it was read: no position rather than a crash
                return 1, 1
        node = self._root
        if node is None:
            return 1, 1
        key_node: yaml.Node | None = None
        for key in keys:
            entry = _entry(node, key)
            if entry is None:
                break
            key_node, node = entry
        if key_node is not None and isinstance(node, yaml.CollectionNode) and not node.flow_style:
            return _pos(key_node)
        return _pos(node)

    def locate_key(self, keys: Path_) -> tuple[int, int]:
        """Position of the key itself (for unknown or duplicated fields), else of the value."""
        if keys and isinstance(keys[-1], str):
            parent_line, parent_col = self.locate(keys[:-1])
            node = self._root
            for key in keys[:-1]:
                node = _child(node, key) if node is not None else None
            if isinstance(node, yaml.MappingNode):
                for k, _ in node.value:
                    if k.value == keys[-1]:
                        return _pos(k)
            return parent_line, parent_col
        return self.locate(keys)


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    entry = _entry(node, key)
    return entry[1] if entry else None


def _entry(node: yaml.Node, key: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """(key node or None for a list item, value node) of `key` inside `node`."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key or (isinstance(key, int) and k.value == str(key)):
                return k, v
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


_GBK_HINT = re.compile(rb"[\x81-\xfe][\x40-\xfe]")


def decode(raw: bytes, path: str) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without BOM) → text; any other encoding → a problem saying which and how to fix."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Problem(path, 1, 1, "E-ENCODING", "文件是 UTF-16 编码，请另存为 UTF-8（提示：记事本「另存为」→ 编码选「UTF-8」）")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = "不是 UTF-8"
        try:
            raw.decode("gb18030")
            if _GBK_HINT.search(raw):
                guess = "看起来是 GBK/GB18030 编码（Windows 中文版的默认编码），不是 UTF-8"
        except UnicodeDecodeError:
            pass
        msg = f"文件{guess}，第 {line} 行无法按 UTF-8 读取（提示：用记事本或 WPS「另存为」，编码选「UTF-8」）"
        return None, Problem(path, line, column, "E-ENCODING", msg)
    if "\x00" in text:
        return None, Problem(path, 1, 1, "E-ENCODING", "文件含有空字符（NUL），不是文本文件或编码有误，请另存为 UTF-8")
    return text, None


def parse(text: str, path: str) -> tuple[Any, Problem | None]:
    """YAML text → plain values; a syntax error or refused construct → a problem with its position."""
    loader = _StrictLoader(text)
    try:
        data = loader.get_single_data()
    except _Refused as exc:
        return None, Problem(path, exc.line, exc.column, exc.code, exc.message)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if _unclosed_quote(exc):  # the scanner only notices at the end of the file: point where the quote opened
            mark = exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, Problem(path, line, column, "E-YAML", _yaml_message(exc, text, line, column))
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, Problem(path, 1, 1, "E-YAML", f"YAML 无法解析：{exc}")
    except RecursionError:
        return None, Problem(path, 1, 1, "E-DEPTH", f"嵌套层级过深（最多 {MAX_DEPTH} 层）")
    finally:
        loader.dispose()
    if not loader.depth_checked and _depth(data) > MAX_DEPTH:
        return None, Problem(path, 1, 1, "E-DEPTH", f"嵌套层级过深（最多 {MAX_DEPTH} 层）")
    return data, None


def _depth(value: Any) -> int:
    # Iterative, so a hostile file cannot exhaust the Python stack here.
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return deepest


def _unclosed_quote(exc: yaml.MarkedYAMLError) -> bool:
    return exc.context_mark is not None and "quoted scalar" in (exc.context or "") and "end of stream" in (exc.problem or "")


# libyaml's problems (its scanner's and parser's words), each said in Chinese for the person who edits the file; the
# first entry whose words the problem holds is said. Any other problem gets the general sentence: never English.
_QUOTE_IT = "含这个符号的文字请整段用引号括起来"
_TEXT_AFTER = "引号或括号闭合后还有文字（提示：整段文字用一对引号括起来，文字里的引号换成中文引号）"
_YAML_PROBLEMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("mapping values are not allowed",), f"这里不能出现冒号「: 」（提示：{_QUOTE_IT}，或检查上一行的缩进）"),
    (("could not find expected ':'",), "缺少「字段: 值」中的冒号，或缩进不一致（提示：同一层级的字段要对齐）"),
    (
        ("did not find expected key", "expected <block end>", "expected '-' indicator"),
        "缩进不一致（提示：同一层级的字段要左对齐，列表项「- 」也要对齐）",
    ),
    (("did not find expected ','",), "方括号或花括号没有闭合（提示：[ 与 ]、{ 与 } 要成对，各项之间用英文逗号分隔）"),
    (("found unexpected end",), "文件在引号或括号未闭合时结束（提示：检查引号是否成对）"),
    (("exceeded maximum nesting depth",), f"嵌套层级过深（最多 {MAX_DEPTH} 层）"),
    (
        ("did not find expected node content",),
        "这里缺少内容或写法不对（提示：「- 」和「: 」后面、方括号和花括号里要写上值；[ ] 里不能再用「- 」开列表）",
    ),
    (("block sequence entries are not allowed",), "这里不能开始列表项「- 」（提示：列表项写在字段名的下一行，并且缩进）"),
    (("mapping keys are not allowed",), f"这里不能出现「? 」（提示：{_QUOTE_IT}）"),
    (("cannot start any token",), "这个符号不能写在值的开头（提示：以 @、`、%、|、> 等开头的文字请整段用引号括起来）"),
    (
        ("did not find expected whitespace or line break", "did not find expected comment or line break"),
        _TEXT_AFTER,
    ),
    (
        ("unknown escape character", "invalid Unicode character escape", "expected hexdecimal number"),
        "双引号里反斜杠「\\」的写法不对（提示：改用单引号，或把「\\」写成「\\\\」）",
    ),
    (("tag handle", "tag URI", "URI escaped octet"), f"「!」开头的标记写法不对（提示：{_QUOTE_IT}）"),
    (("expected alphabetic or numeric character",), f"「&」或「*」后面应是名称（提示：{_QUOTE_IT}）"),
    (
        ("document start", "document indicator", "another document", "incompatible YAML document", "%YAML", "%TAG", "directive"),
        "文件里有多余的「---」「...」分隔行或「%」开头的指令（提示：一个 YAML 文件只写一份内容，删去这些行，或把文字用引号括起来）",
    ),
    (
        ("special characters are not allowed", "control characters are not allowed"),
        "文件里有不可见的控制字符（提示：删去它，或重新输入这一行）",
    ),
    (
        ("leading UTF-8 octet", "trailing UTF-8 octet", "invalid length of a UTF-8", "invalid Unicode character"),
        "文件里有无效的字符编码（提示：另存为 UTF-8）",
    ),
)


def _yaml_message(exc: yaml.MarkedYAMLError, text: str, line: int, column: int = 1) -> str:
    if _unclosed_quote(exc):
        return "这里开始的引号一直没有闭合，直到文件末尾（提示：检查引号是否成对）"
    lines = text.splitlines()
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in src or "found character '\\t'" in str(exc):
        return "这一行用了 Tab 缩进，YAML 只能用空格缩进（提示：把 Tab 换成两个空格）"
    problem = f"{exc.problem or ''} {exc.context or ''}"
    if "did not find expected key" in problem and re.search(r"[\"'\]}]\s+$", src[: column - 1]):
        return _TEXT_AFTER  # 「name: "甲" 乙」: more text after a quoted or bracketed value, not an indentation problem
    tag = re.search(r"constructor for the tag '([^']*)'", problem)
    if tag:  # (!!python/… and other tags: only plain values are read)
        return f"不能使用 YAML 标记「{tag.group(1)}」（提示：{_QUOTE_IT}）"
    for words, said in _YAML_PROBLEMS:
        if any(w in problem for w in words):
            return said
    return "YAML 语法错误：这里的写法无法识别（提示：检查这一行和上一行的缩进、冒号、引号和括号）"


def read_bytes(file: Path, display: str) -> tuple[bytes | None, Problem | None]:
    """A data file's bytes, refusing one over the size limit before reading it."""
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(display, 1, 1, "E-SIZE", f"文件有 {size // 1024} KB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限")
        raw = file.read_bytes()
    except OSError as exc:
        return None, Problem(display, 1, 1, "E-FILE", f"无法读取文件：{exc.strerror}")
    if len(raw) > MAX_FILE_BYTES:  # grew between stat and read
        return None, Problem(display, 1, 1, "E-SIZE", f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限")
    return raw, None


def read_document(file: Path, display: str, raw: bytes | None = None) -> tuple[Document | None, Problem | None]:
    """Read one data file completely (or take its bytes, already read), or say why not."""
    if raw is None:
        raw, problem = read_bytes(file, display)
        if raw is None:
            return None, problem
    text, problem = decode(raw, display)
    if text is None:
        return None, problem
    data, problem = parse(text, display)
    if problem:
        return None, problem
    return Document(display, text, data), None


def walk_strings(value: Any, keys: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every text (and long bare number) in a parsed value with its key path, for content checks such as PII."""
    stack: list[tuple[Any, Path_]] = [(value, keys)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            yield path, item
        elif isinstance(item, bytes):  # !!binary: published as text if it is text, so searched as text
            yield path, item.decode("utf-8", "replace")
        elif isinstance(item, int | float) and not isinstance(item, bool) and abs(item) >= 10**10:
            yield path, _digits(item)  # an unquoted long number, e.g. a phone number typed bare (or as 138_1234_5678)
        elif isinstance(item, dict):
            stack.extend((v, (*path, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(item))


def _digits(number: int | float) -> str:
    """A long number's digits; a huge one (a 4 kB hex literal) is cut: no identifier is that long."""
    if isinstance(number, float):
        return f"{number:.0f}" if abs(number) < 1e19 else ""
    if number.bit_length() > 128:
        return ""
    return str(abs(number))
