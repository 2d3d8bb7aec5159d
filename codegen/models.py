"""Turn each area's model schemas into pydantic v2 models with datamodel-code-generator."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
import textwrap
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
    "--remove-special-field-name-prefix",  # _containsPHI -> contains_phi, not field_contains_phi
    "--field-extra-keys-without-x-prefix", "x-repr",
    "--no-formatters",  # the output is formatted with the project's ruff settings later
]  # fmt: skip


_HEADER = "# @@header@@"


def _wire_schema(schema: Any, area: str, owner: dict[str, str]) -> Any:
    """The spec's schema as datamodel-code-generator reads it: JSON refs, our datetime type."""
    if isinstance(schema, list):
        return [_wire_schema(item, area, owner) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _wire_schema(value, area, owner) for key, value in schema.items()}
    if "$ref" in out:
        target = out["$ref"]
        prefix = "" if owner[target] == area else f"{owner[target]}.json"
        out["$ref"] = f"{prefix}#/$defs/{target}"
    if out.get("format") == "date-time":
        del out["format"]
        out["customTypePath"] = DATETIME_TYPE
    return out


def _wrap_docstrings(models: dict[str, Any]) -> dict[str, Any]:
    """A model's description becomes its docstring: wrap it to the project's line length."""
    out = {}
    for name, schema in models.items():
        if isinstance(schema.get("description"), str):
            text = " ".join(schema["description"].split())
            schema = {**schema, "description": "\n".join(textwrap.wrap(text, 92))}
        out[name] = schema
    return out


def render_models(areas: list[Area], headers: dict[str, str]) -> dict[str, str]:
    """The source of each ``welkin/types/<area>.py``, keyed by area name.

    One run over every area, so that a model may refer to one of another file: the
    generated module imports it (``from . import common``).
    """
    owner = {model: area.name for area in areas for model in area.models}
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "spec", Path(tmp) / "models"
        source.mkdir()
        for area in areas:
            document = {
                "$defs": {
                    name: _wire_schema(copy.deepcopy(schema), area.name, owner)
                    for name, schema in _wrap_docstrings(area.models).items()
                }
            }
            (source / f"{area.name}.json").write_text(json.dumps(document, indent=1))
        result = subprocess.run(
            [
                sys.executable, "-m", "datamodel_code_generator",
                "--input", str(source),
                "--output", str(target),
                "--custom-file-header", _HEADER,
                *_OPTIONS,
            ],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"datamodel-code-generator failed:\n{result.stderr}")
        out = {}
        for area in areas:
            code = (target / f"{area.name}.py").read_text()
            if _ROOT_MODEL not in code or not code.startswith(_HEADER):
                raise RuntimeError("datamodel-code-generator output changed shape")
            out[area.name] = headers[area.name] + code[len(_HEADER) :].replace(_ROOT_MODEL, "")
    return out
