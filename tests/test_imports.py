"""The package's shape: no module imports itself back through others (anywhere in its body, type-only imports included)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cxzy_gen"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache  # read once for the three tests below, which only look at it
def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cxzy_gen"):
                found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("cxzy_gen")}
        graph[name] = {m for m in found if m in modules and m != name and not name.startswith(m + ".")} - {"cxzy_gen"}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_is_read_right() -> None:
    graph = _imports()
    assert "cxzy_gen.records.models" in graph["cxzy_gen.records.layout"]
    assert "cxzy_gen.records.rules" in graph["cxzy_gen.records.validate"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycles() -> None:
    cycle = _cycle(_imports())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_records_know_nothing_of_pages_or_git() -> None:
    graph = _imports()
    for name, imported in graph.items():
        if name.startswith("cxzy_gen.records"):
            assert not {m for m in imported if m.startswith(("cxzy_gen.site", "cxzy_gen.git"))}, name
