"""`make schema`: the JSON Schema of a plan file, of a department
registry and of a progress file, written to data/schema/ from the models (one source; a test fails
when the files drift from them)."""

from __future__ import annotations

import json
from pathlib import Path

from ..model.models import DepartmentRegistry, Plan
from ..model.progress import ProgressFile
from ..paths import DATA

SCHEMAS = {
    "plan.schema.json": Plan,
    "departments.schema.json": DepartmentRegistry,
    "progress.schema.json": ProgressFile,
}


def render_schema(model) -> str:
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schema(data_dir: Path = DATA) -> Path:
    out = data_dir / "schema"
    out.mkdir(exist_ok=True)
    for name, model in SCHEMAS.items():
        (out / name).write_text(render_schema(model), encoding="utf-8")
    return out
