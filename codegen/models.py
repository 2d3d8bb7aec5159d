"""Turn each area's model schemas into pydantic v2 models with datamodel-code-generator."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .spec import Area

DATETIME_TYPE = "welkin._models.WelkinDateTime"

# datamodel-code-generator emits this for the schema document itself, which has no type.
_ROOT_MODEL = "\n\nclass Model(RootModel[Any]):\n    root: Any\n"

_OPTIONS = [
    "--input-file-type", "jsonschema",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--base-class", "welkin._models.WelkinModel",
    "--snake-case-field",
    "--use-annotated",
    "--use-standard-collections",
    "--use-union-operator",
    "--target-python-version", "3.10",
    "--enum-field-as-literal", "all",
    "--use-schema-description",
    "--disable-timestamp",
    "--field-extra-keys-without-x-prefix", "x-repr",
    "--formatters", "ruff-format",
]  # fmt: skip


def _wire_schema(schema: Any) -> Any:
    """The spec's schema as datamodel-code-generator reads it: local refs, our datetime type."""
    if isinstance(schema, list):
        return [_wire_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _wire_schema(value) for key, value in schema.items()}
    if "$ref" in out:
        out["$ref"] = f"#/$defs/{out['$ref']}"
    if out.get("format") == "date-time":
        del out["format"]
        out["customTypePath"] = DATETIME_TYPE
    return out


def render_models(area: Area, header: str) -> str:
    """The source of ``welkin/models/<area>.py``."""
    document = {"$defs": {name: _wire_schema(copy.deepcopy(s)) for name, s in area.models.items()}}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{area.name}.json"
        source.write_text(json.dumps(document, indent=1))
        result = subprocess.run(
            [
                sys.executable, "-m", "datamodel_code_generator",
                "--input", str(source),
                "--custom-file-header", header,
                *_OPTIONS,
            ],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"datamodel-code-generator failed on {area.file}:\n{result.stderr}")
    code = result.stdout
    if _ROOT_MODEL not in code:
        raise RuntimeError("datamodel-code-generator output changed shape: no root model to drop")
    return code.replace(_ROOT_MODEL, "")
