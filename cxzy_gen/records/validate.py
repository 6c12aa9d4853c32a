"""Data folder → `Dataset` (typed, cross-checked records) plus every `Problem` found on the way."""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cxzy_gen.cache import RecordCache
from cxzy_gen.collector import paused
from cxzy_gen.forked import Forked, can_fork
from cxzy_gen.problems import Problem
from cxzy_gen.records import layout
from cxzy_gen.records import models as m
from cxzy_gen.records.dataset import Dataset
from cxzy_gen.records.layout import Place
from cxzy_gen.records.loader import Document, read_bytes, read_document
from cxzy_gen.records.rules import check_dataset, check_document


@dataclass
class Summary:
    """What validation read, for the closing line of `cxzy validate`."""

    files: int = 0
    records: Counter[str] = field(default_factory=Counter)


def display_path(path: Path) -> str:
    """A path as the user typed it: relative to the working directory when inside it."""
    text = os.fspath(path)
    if os.path.normpath(text) == text:  # the usual cases, told apart without relpath's work (a big board has 50,000 files)
        if not os.path.isabs(text) and text != ".." and not text.startswith("../"):
            return text
        inside = os.path.join(os.getcwd(), "")
        if len(text) > len(inside) and text.startswith(inside) and not text.startswith(("..", "/"), len(inside)):
            return text[len(inside) :]
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - different drive on Windows
        return path.as_posix()
    return Path(path if rel.startswith("..") else rel).as_posix()


def discover(data_dir: Path) -> tuple[list[tuple[Path, Place]], list[Problem]]:
    """Find the data files and their places (see `layout`); misplaced files become problems."""
    found: list[tuple[Path, Place]] = []
    problems: list[Problem] = []
    site = data_dir / layout.SITE.file_name
    if site.is_file():
        found.append((site, Place(layout.SITE)))
    else:
        problems.append(Problem(display_path(site), 1, 1, "E-FILE", f"找不到站点设置文件 {layout.SITE.file_name}"))
    units_dir = data_dir / layout.UNITS_DIR
    for path in sorted(data_dir.rglob("*")):
        if path.is_symlink():
            problems.append(Problem(display_path(path), 1, 1, "E-FILE", "数据目录中不允许符号链接，请放入真实文件"))
            continue
        if path.suffix.lower() in {layout.SUFFIX, ".yml"} and path.exists() and not path.is_dir() and not path.is_file():
            problems.append(
                Problem(display_path(path), 1, 1, "E-FILE", "不是普通文件（管道、设备或套接字），未读取（提示：换成普通的 YAML 文件）")
            )
            continue
        if not path.is_file() or path.suffix.lower() not in {layout.SUFFIX, ".yml"} or path == site:
            continue
        rel = path.relative_to(data_dir).parts
        shown = display_path(path)
        if path.suffix != layout.SUFFIX:
            problems.append(Problem(shown, 1, 1, "E-FILE", f"扩展名应为 {layout.SUFFIX}（提示：改名为 {path.stem}{layout.SUFFIX}）"))
            continue
        if len(rel) >= 3 and rel[0] == layout.UNITS_DIR and not m.ID_RE.match(rel[1]):
            problems.append(Problem(shown, 1, 1, "E-ID", f"单位文件夹名「{rel[1]}」不能作编号：只用英文字母、数字、- 和 _"))
            continue
        where = layout.place("/".join(rel))
        if where is None or where.file is layout.SITE:
            hint = f"单位文件夹 {layout.UNITS_DIR}/<编号>/ 下只放 {layout.expected_files()}"
            problems.append(Problem(shown, 1, 1, "E-FILE", f"不认识这个文件，未读取（提示：{hint}）"))
        else:
            found.append((path, where))
    if units_dir.is_dir():
        unit_file = layout.UNIT_FILE.file_name
        for folder in sorted(p for p in units_dir.iterdir() if p.is_dir() and not p.is_symlink()):  # symlinks: reported above
            if m.ID_RE.match(folder.name) and not (folder / unit_file).is_file():
                problems.append(Problem(display_path(folder / unit_file), 1, 1, "E-FILE", f"单位文件夹「{folder.name}」缺少 {unit_file}"))
    return found, problems


@paused()
def load_dataset(
    data_dir: Path, cache: RecordCache | None = None, progress: Callable[[int, int], None] | None = None
) -> tuple[Dataset | None, list[Problem], Summary]:
    """Read, type-check and cross-check every data file. Returns the dataset only when it has no errors.

    With a `cache`, a file whose bytes were read clean before is taken from it instead of being parsed and
    typed again; the others are parsed on every core when there are many. `progress(done, total)` is told
    as files are read. The garbage collector is paused meanwhile: the typed records live on, and it would only walk
    them again and again."""
    ds, problems, summary = read_dataset(data_dir, cache, progress)
    if ds is None:
        return None, problems, summary
    problems.extend(check_dataset(ds))
    ok = not any(p.is_error for p in problems)
    return (ds if ok else None), problems, summary


@paused()
def read_dataset(
    data_dir: Path, cache: RecordCache | None = None, progress: Callable[[int, int], None] | None = None
) -> tuple[Dataset | None, list[Problem], Summary]:
    """Read and type-check every data file, as `load_dataset` does, without the cross-record rules (`check_dataset`,
    which the caller runs): the dataset only when its files have no errors."""
    files, problems = discover(data_dir)
    summary = Summary(files=len(files))
    site: m.Site | None = None
    parsed: list[tuple[Document, Place, BaseModel, bytes | None]] = []
    documents: dict[str, Document] = {}
    for (path, where), (readable, found, model, origin) in zip(files, _typed_files(files, cache, progress), strict=True):
        problems.extend(found)
        if not readable:
            continue
        doc = Document(display_path(path), "", None)
        doc.release(path)  # the text is read again only if a cross-record problem needs a position in it
        documents[doc.path] = doc
        if model is None:
            continue
        if isinstance(model, m.Site):
            site = model
        else:
            parsed.append((doc, where, model, origin))
    if cache is not None:
        cache.save()

    if site is None:
        return None, problems, summary
    ds = Dataset(root=data_dir, site=site, documents=documents)
    for doc, where, model, origin in parsed:
        _collect(ds, doc, where, model, problems, origin)
    for kind in layout.RECORD_KINDS.values():
        summary.records[kind.key] = len(getattr(ds, kind.plural))

    if any(p.is_error for p in problems):
        # Cross-record rules on a partial dataset would report references into the broken
        # files as missing; say everything found so far and stop here.
        return None, problems, summary
    return ds, problems, summary


# (the file could be read, its problems, its typed model, the hash of its kind and bytes: only with a cache)
Loaded = tuple[bool, list[Problem], BaseModel | None, bytes | None]
PARALLEL_FROM = 400  # files to parse; below this, starting worker processes costs more than it saves


def _typed_files(files: list[tuple[Path, Place]], cache: RecordCache | None, progress: Callable[[int, int], None] | None) -> list[Loaded]:
    """Each file read, parsed, content-checked and typed (or taken from the cache), in the order given."""
    results: list[Loaded | None] = [None] * len(files)
    todo: list[tuple[int, Path, type[BaseModel]]] = []
    keys: dict[int, bytes] = {}
    done = 0
    for i, (path, where) in enumerate(files):
        if cache is not None:
            raw, problem = read_bytes(path, display_path(path))
            if raw is None:
                results[i] = (False, [problem] if problem else [], None, None)
                continue
            keys[i] = cache.key(where.file.file_name, raw)
            model = cache.get(keys[i])
            if model is not None:
                results[i] = (True, [], model, keys[i])
                done += 1
                if progress and done % 500 == 0:
                    progress(done, len(files))
                continue
        todo.append((i, path, where.file.model))
    for i, (readable, found, blob, model) in zip((i for i, _, _ in todo), _parse_all(todo, want_blob=cache is not None), strict=True):
        if blob is not None:
            model = pickle.loads(blob)
            if cache is not None and not found:
                cache.put(keys[i], blob)
        results[i] = (readable, found, model, keys.get(i))
        done += 1
        if progress and done % 500 == 0:
            progress(done, len(files))
    if progress:
        progress(len(files), len(files))
    return [r for r in results if r is not None]


Parsed = tuple[bool, list[Problem], bytes | None, BaseModel | None]


def _parse_all(todo: list[tuple[int, Path, type[BaseModel]]], want_blob: bool) -> Iterator[Parsed]:
    work = [(path, model, want_blob) for _, path, model in todo]
    jobs = min(os.cpu_count() or 1, 8)
    if len(work) < PARALLEL_FROM or jobs < 2 or not can_fork():
        yield from map(_parse_one, work)
        return
    # Worker processes send back pickled models: that is what the cache keeps anyway.
    with Forked(jobs) as pool:
        for readable, found, blob, _ in pool.map(_parse_one, [(p, k, True) for p, k, _ in work], chunksize=32):
            yield readable, found, blob, None


def _parse_one(job: tuple[Path, type[BaseModel], bool]) -> Parsed:
    """One file: read, parse, content checks, typing. The model comes back pickled when `want_blob`."""
    path, model_type, want_blob = job
    doc, problem = read_document(path, display_path(path))
    if doc is None:
        return False, [problem] if problem else [], None, None
    found = list(check_document(doc))
    model = _typed(doc, model_type, found)
    if model is None:
        return True, found, None, None
    share_field_names(model)
    if want_blob:
        return True, found, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), None
    return True, found, None, model


def _collect(ds: Dataset, doc: Document, where: Place, model: BaseModel, problems: list[Problem], origin: bytes | None) -> None:
    """Put a typed file's records into the dataset, resolving their audience and source, and keeping their place (and
    their origin, when the file's hash is known)."""
    if isinstance(model, m.Unit):
        _place(ds, doc, model, (), where, None, origin)
        if model.id != where.unit:
            line, col = doc.locate(("id",))
            problems.append(
                Problem(doc.path, line, col, "E-FILE", f"单位编号「{model.id}」与文件夹名「{where.unit}」不一致（提示：两者必须相同）")
            )
        ds.units[model.id] = model
        return
    list_key = where.file.list_key
    assert where.file.record is not None and list_key is not None, "discover finds site.yaml, unit.yaml and record lists only"
    default = model.audience if isinstance(model, m.RecordsFile) else None
    target = getattr(ds, where.file.record.plural)
    for i, record in enumerate(getattr(model, list_key)):
        _place(ds, doc, record, (list_key, i), where, default, origin)
        if isinstance(target, dict):
            first = target.get(record.id)
            if first is not None:  # the dict keeps one of them, so ids_unique would never see this one
                problems.append(ds.duplicate_id(record, first))
                continue
            target[record.id] = record
        else:
            target.append(record)


def _place(
    ds: Dataset,
    doc: Document,
    record: m.Record,
    keys: tuple[str | int, ...],
    where: Place,
    default: m.Audience | None,
    origin: bytes | None,
) -> None:
    # (straight into pydantic's dict of private attributes: its __setattr__ cost a second at 师 scale)
    record.__pydantic_private__.update(_file=doc.path, _keys=keys, _unit=where.unit, _year=where.year)  # type: ignore[union-attr]
    if record.audience is None:  # (as pydantic's __setattr__ sets a field, with the fields-set shared: `FieldNames`)
        record.__dict__["audience"] = default or ds.site.default_audience
        fields = record.__pydantic_fields_set__
        shared = fields if isinstance(fields, FieldNames) else field_names(tuple(sorted(fields)))
        object.__setattr__(record, "__pydantic_fields_set__", _with_field(shared, "audience"))
    if origin is not None:  # everything the record's state follows from: its file's kind and bytes, and what is set here
        placed = f"{type(record).__qualname__}\0{doc.path}\0{keys!r}\0{where.unit}\0{where.year}\0{record.level.value}"
        ds.origins[id(record)] = (record, hashlib.blake2b(origin + placed.encode(), digest_size=20, person=b"cxzy-origin").digest())


class FieldNames(frozenset[str]):
    """A typed model's fields-set (pydantic's `__pydantic_fields_set__`: the fields its file gave), one object shared by
    every model with the same fields, also through the cache's pickles: a set of its own for each of the 216,000 models
    at 师 scale was 88 MB, more than a quarter of the typed records. Nothing changes a record once it is validated, so the
    shared object is never added to (a frozenset cannot be: an attempt would fail loudly); a copy of the model
    (`model_copy`, as `site/asof.py` makes) gets a set of its own."""

    __slots__ = ()

    def __copy__(self) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return field_names, (tuple(sorted(self)),)


@functools.cache
def field_names(names: tuple[str, ...]) -> FieldNames:
    """The one `FieldNames` of these fields (sorted)."""
    return FieldNames(names)


@functools.cache
def _with_field(fields: FieldNames, name: str) -> FieldNames:
    return field_names(tuple(sorted({*fields, name})))


def share_field_names(value: object) -> None:
    """Each model within `value` (a typed file: models, lists and dicts of them) given the shared `FieldNames` of its
    fields-set."""
    items: Iterable[object]
    if isinstance(value, BaseModel):
        object.__setattr__(value, "__pydantic_fields_set__", field_names(tuple(sorted(value.__pydantic_fields_set__))))
        items = value.__dict__.values()
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return
    for item in items:
        if isinstance(item, (BaseModel, list, dict)):
            share_field_names(item)


# ---------------------------------------------------------------- pydantic errors → problems


def _typed(doc: Document, model: type[BaseModel], problems: list[Problem]) -> BaseModel | None:
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(doc.path, 1, 1, "E-VALUE", "文件内容应为「字段: 值」的映射，而不是列表或单个值"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        seen: set[tuple[Any, ...]] = set()
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if (loc, err["type"]) in seen:
                continue
            seen.add((loc, err["type"]))
            problems.append(_error_problem(doc, model, err))
        return None


def _field_info(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, str]:
    """Walk a pydantic location down the models: (model owning the last field, its Chinese title)."""
    current: type[BaseModel] | None = model
    owner, title = model, ""
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        owner = current
        info = current.model_fields.get(part)
        if info is None:  # an unknown key: its owner is the model it was found in
            return owner, ""
        title = info.title or ""
        current = m.model_in(info.annotation)
    return owner, title


def _field_label(name: Any, title: str) -> str:
    return f"「{name}」（{title}）" if title else f"「{name}」"


def _error_problem(doc: Document, model: type[BaseModel], err: Any) -> Problem:
    loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
    # pydantic inserts union member tags like 'function-after[...]' into loc; drop non-data parts
    data_loc = tuple(p for p in loc if isinstance(p, int) or not p.startswith(("function-", "lax-", "json-")))
    fields = tuple(p for p in data_loc if isinstance(p, str))
    name = fields[-1] if fields else ""
    owner, title = _field_info(model, data_loc)
    label = _field_label(name, title)
    kind = err["type"]
    value = err.get("input")
    shown = _short(value) if isinstance(value, str | int | float) else None
    if kind == "missing":
        line, col = doc.locate(data_loc[:-1])
        return Problem(doc.path, line, col, "E-MISSING", f"缺少必填字段{label}")
    if kind == "extra_forbidden":
        line, col = doc.locate_key(data_loc)
        return Problem(doc.path, line, col, "E-FIELD", f"未知字段「{name}」{_suggest(owner, str(name))}")
    line, col = doc.locate(data_loc)
    ctx = err.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == m.ID_PATTERN:
        return Problem(
            doc.path, line, col, "E-ID", f"{label}「{shown}」不能作编号：只用英文字母、数字、- 和 _，以字母或数字开头，最长 64 个字符"
        )
    hint = ""
    if kind == "string_pattern_mismatch" and owner is not None and (info := owner.model_fields.get(str(name))) and info.description:
        hint = f"（提示：{info.description}）"  # what the value should look like, e.g. the site address
    return Problem(doc.path, line, col, "E-VALUE", f"{label}{_value_message(kind, ctx, shown)}{hint}")


def _short(value: str | int | float, limit: int = 60) -> str | int | float:
    """A value as a message may quote it: long text is cut (a message is one line, not the whole field)."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def _suggest(owner: type[BaseModel] | None, name: str) -> str:
    if owner is None:
        return ""
    fields = {n: (f.title or "") for n, f in owner.model_fields.items()}
    by_title = {t: n for n, t in fields.items() if t}
    if name in by_title:  # the Chinese name was used as the key
        return f"（提示：字段名用英文，「{name}」应写作「{by_title[name]}」）"
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
    if close:
        return f"（提示：是不是「{close[0]}」（{fields[close[0]]}）？）"
    allowed = "、".join(fields)
    return f"（提示：这里可用的字段有 {allowed}）"


def _value_message(kind: str, ctx: dict[str, Any], shown: Any) -> str:
    got = f"「{shown}」" if shown is not None else ""
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、").replace(", ", "、")
        return f"的值{got}不在允许的取值中：{expected}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"的值{got}不是有效日期（提示：写成 2011-03-15 这样的格式）"
    if kind.startswith("int") or kind.startswith("float"):
        return f"的值{got}应为整数"
    if kind.startswith("bool"):
        return f"的值{got}应为 true（是）或 false（否）"
    if kind == "string_type":
        return f"的值{got}应为文字（提示：纯数字或日期当作文字时请加引号）"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"太长（最多 {ctx.get('max_length')} 个字）"
    if kind == "string_pattern_mismatch":
        hint = {m.YEAR_MONTH_PATTERN: "（提示：写成 1975-03 这样的年月）", m.YEAR_OR_MONTH_PATTERN: "（提示：写年份 1998 或年月 1998-07）"}
        return f"的值{got}格式不对{hint.get(ctx.get('pattern', ''), '')}"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"的值{got}应不小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"的值{got}应不大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "list_type":
        return "应为列表（提示：每一项以「- 」开头）"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "应为「字段: 值」的映射（提示：下一行缩进后写各个字段）"
    return f"的值{got}无效"
