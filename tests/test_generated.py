"""Generated files in the repository stay in step with the model that generates them."""

import json
from pathlib import Path

import pytest

from cxzy_gen.records.layout import FILES
from cxzy_gen.records.schema import data_reference, file_schema

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
