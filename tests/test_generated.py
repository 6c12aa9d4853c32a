"""Generated files in the repository stay in step with the model that generates them."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxzy_gen.records.layout import FILES
from cxzy_gen.records.schema import TITLES, data_reference, file_schema

ROOT = Path(__file__).resolve().parent.parent


def test_data_reference_is_current() -> None:
    written = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert written == data_reference(), "docs/data.md is stale: run `python -m cxzy_gen.records.schema docs/data.md`"


@pytest.mark.parametrize("kind", list(FILES))
def test_committed_schema_is_current(kind: str) -> None:
    written = json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    assert written == file_schema(kind), "schemas/ is stale: run `cxzy schema --out schemas`"


def test_data_reference_names_every_field_of_every_file() -> None:
    text = data_reference()
    for model in (f.model for f in FILES.values()):
        for name in model.model_fields:
            assert f"| `{name}` |" in text


CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_PROSE = re.compile(r"[A-Za-z]{2,}[,;:.]?\s+[A-Za-z]{2,}[,;:.]?\s+[A-Za-z]{2,}")  # three English words in a row


def _texts(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description") and isinstance(value, str):
                yield f"{where}/{key}", value
            yield from _texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, f"{where}/{i}")


@pytest.mark.parametrize("kind", list(FILES))
def test_every_title_and_description_in_the_schema_is_chinese(kind: str) -> None:
    """What VS Code shows on hover: Chinese for the party-affairs worker, never a class name or a docstring."""
    schema = file_schema(kind)
    texts = list(_texts(schema))
    assert len(texts) > 10
    english = [(where, text) for where, text in texts if not CJK.search(text) or ENGLISH_PROSE.search(text)]
    assert english == [], f"{len(english)} English titles or descriptions, e.g. {english[:5]}"
    assert set(schema.get("$defs", {})) <= set(TITLES), "add the new model's Chinese name to schema.TITLES"


def test_the_prose_check_would_catch_a_docstring() -> None:
    assert ENGLISH_PROSE.search("撤回: a published record taken back; it stays on the board")
    assert not ENGLISH_PROSE.search("不写则用文件开头的 audience") and not ENGLISH_PROSE.search("如 https://dangwu.example.org/cxzy/")
