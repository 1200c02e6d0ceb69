"""The JSON Schema in data/schema is generated from the models and never drifts."""

import json
from pathlib import Path

from scripts.editor.schema import SCHEMAS, render_schema
from scripts.model.models import SCHEMA_COMMENT

DATA = Path(__file__).resolve().parents[2] / "data"


def test_schema_files_match_the_models():
    for name, model in SCHEMAS.items():
        on_disk = (DATA / "schema" / name).read_text(encoding="utf-8")
        assert on_disk == render_schema(model), f"data/schema/{name} is out of date: run `make schema`"


def test_schema_describes_plan_fields():
    schema = json.loads((DATA / "schema" / "plan.schema.json").read_text(encoding="utf-8"))
    assert {"id", "title", "actions", "period", "jurisdiction", "source"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    task = schema["$defs"]["Task"]
    assert {"id", "number", "title", "text"} <= set(task["required"])


def test_every_plan_points_at_the_schema():
    for path in (DATA / "plans").glob("*.yaml"):
        assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_COMMENT, path.name
