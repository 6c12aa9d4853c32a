"""JSON Schema for each kind of data file, for editors (yaml-language-server) and independent checks."""

from __future__ import annotations

import json
from pathlib import Path

from .models import FILE_MODELS

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def file_schema(kind: str) -> dict[str, object]:
    schema = FILE_MODELS[kind].model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DRAFT, "$id": f"{kind}.schema.json", **schema}


def write_schemas(out: Path) -> list[Path]:
    """Write `<kind>.schema.json` for every kind of data file; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in FILE_MODELS:
        path = out / f"{kind}.schema.json"
        path.write_text(json.dumps(file_schema(kind), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
