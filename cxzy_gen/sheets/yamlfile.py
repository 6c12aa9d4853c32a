"""Round-trip YAML for the importer and the tally: comments, key order, quoting and untouched records stay as they were."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from cxzy_gen.sheets.columns import unwrap


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)  # "  - id: …", as the data files are written
    y.width = 4096
    y.preserve_quotes = True
    y.representer.ignore_aliases = lambda data: True  # the data files allow no anchors: a shared value is written twice
    return y


def load(text: str) -> Any:
    return _yaml().load(text)


def dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def new_file(schema: str, depth: int, list_key: str) -> CommentedMap:
    """An empty data file with the schema modeline the demo files carry."""
    doc = CommentedMap()
    doc[list_key] = CommentedSeq()
    doc.yaml_set_start_comment(f"yaml-language-server: $schema={'../' * depth}schemas/{schema}.schema.json")
    return doc


def plain(value: Any) -> Any:
    """A YAML value as plain Python (maps, lists, str, numbers, dates), for comparing."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.datetime):
        return value
    return value


def scalar(value: Any) -> Any:
    """A value as it should be written: Markdown with line breaks as a literal block, lists and maps block style."""
    if isinstance(value, str) and "\n" in value.strip("\n"):
        return LiteralScalarString(value.rstrip("\n") + "\n")
    if isinstance(value, CommentedMap):
        return value  # kept as read, with its comments
    if isinstance(value, list):
        seq = CommentedSeq(scalar(v) for v in value)
        return seq
    if isinstance(value, dict):
        cm = CommentedMap()
        for k, v in value.items():
            cm[k] = scalar(v)
        return cm
    return value


def _order(model: Any, path: tuple[str, ...]) -> list[str]:
    """The field names of the (nested) model at `path`, in the model's order."""
    current = model
    for key in path:
        info = current.model_fields.get(key)
        if info is None:
            return []
        current = unwrap(info.annotation)
    return list(getattr(current, "model_fields", {}))


def put(record: CommentedMap, model: Any, path: tuple[str, ...], value: Any) -> None:
    """Set (or, with None, remove) a field at `path`, creating parents; new keys go where the model has them."""
    parents: list[tuple[CommentedMap, str]] = []
    current = record
    for depth, key in enumerate(path[:-1]):
        if key not in current or not isinstance(current[key], dict):
            if value is None:
                return
            _insert(current, key, CommentedMap(), _order(model, path[:depth]))
        parents.append((current, key))
        current = current[key]
    last = path[-1]
    if value is None:
        if last in current:
            del current[last]
        for parent, key in reversed(parents):  # drop a map left empty
            if not parent[key]:
                del parent[key]
        return
    if last in current:
        current[last] = scalar(value)
    else:
        _insert(current, last, scalar(value), _order(model, path[:-1]))


def _insert(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    position = len(mapping)
    for i, existing in enumerate(mapping):
        if rank.get(existing, len(order)) > mine:
            position = i
            break
    if position == len(mapping) and mapping:
        # The blank line after a record hangs on its last value: it would end up above the new key.
        # Dropped here; the writer puts the file's blank lines between records back.
        _drop_trailing_blank(mapping)
    mapping.insert(position, key, value)


def _drop_trailing_blank(node: Any) -> None:
    """Remove a blank-lines-only comment after the last value inside `node` (a map or a list, however deep)."""
    if isinstance(node, CommentedMap) and node:
        last: Any = list(node)[-1]
        where = 2
    elif isinstance(node, CommentedSeq) and node:
        last, where = len(node) - 1, 0
    else:
        return
    tokens = node.ca.items.get(last)
    if tokens and tokens[where] is not None and not str(tokens[where].value).strip():
        tokens[where] = None
    _drop_trailing_blank(node[last])


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` whole: a reader never sees half a file, and a failure leaves the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
