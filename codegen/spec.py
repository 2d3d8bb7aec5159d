"""Load and validate ``spec/*.yaml``; every error names the file and the key path."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PAGINATION_STYLES = ("PAGE", "PAGE_IN_DATA", "METAINFO", "TOKEN", "CURSOR", "LIST")
PARAM_KINDS = (
    "string", "integer", "boolean", "uuid", "datetime", "sort", "enum", "csv", "version",
)  # fmt: skip
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
AREA_KEYS = {"models", "operations"}
OPERATION_KEYS = {
    "id", "summary", "method", "path", "auth", "path_params", "query", "fixed_query", "body",
    "response", "pagination", "download",
}  # fmt: skip
PARAM_KEYS = {"type", "values", "items", "description", "name", "default", "also_sent_as"}
BODY_KEYS = {"model", "json", "param", "multipart", "files", "description"}
BUILTIN_PLACEHOLDERS = ("tenant", "instance")
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class SpecError(Exception):
    """The spec is invalid: the message names the file and the key path."""


def snake(name: str) -> str:
    """``patientId`` -> ``patient_id``; Python keywords get a trailing underscore."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).replace("-", "_").lower()
    return text + "_" if keyword.iskeyword(text) else text


@dataclass
class Param:
    wire: str
    name: str
    kind: str
    values: tuple[str, ...] = ()
    item: str = "string"
    description: str = ""
    default: str | None = None  # path parameters only: makes the argument keyword-only
    # Query parameters only: more wire names sent with the same value, for a parameter whose
    # name the sources disagree on (chat's page size is `pageSize` and `size` in QX).
    also_sent_as: tuple[str, ...] = ()


@dataclass
class Body:
    model: str | None = None  # a model of any spec file
    param: str = "body"  # the argument name of a free-form JSON body, or of the files
    files: str | None = None  # wire name of the multipart file parts, if files can be sent
    multipart_only: bool = False  # the body is nothing but file parts
    description: str = ""  # of a free-form JSON body's argument (a model's fields have their own)

    @property
    def files_param(self) -> str:
        """The Python argument that takes the files."""
        return self.param if self.multipart_only else snake(self.files or "")


@dataclass
class Operation:
    id: str
    file: str
    summary: str
    method: str
    path: str
    auth: bool
    path_params: list[Param]
    query: list[Param]
    fixed_query: dict[str, str]
    body: Body | None
    response: str | None
    pagination: str | None
    download: bool = False

    def param_by_name(self, name: str) -> Param | None:
        """The path or query parameter with this Python name."""
        return next((p for p in (*self.path_params, *self.query) if p.name == name), None)

    @property
    def resource(self) -> tuple[str, ...]:
        return tuple(self.id.split(".")[:-1])

    @property
    def method_name(self) -> str:
        return self.id.split(".")[-1]

    @property
    def constant(self) -> str:
        return self.id.replace(".", "_").upper()


@dataclass
class Area:
    name: str
    file: str
    models: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)


@dataclass
class Spec:
    areas: list[Area]

    @property
    def operations(self) -> list[Operation]:
        return [op for area in self.areas for op in area.operations]

    def model_area(self, model: str) -> Area:
        for area in self.areas:
            if model in area.models:
                return area
        raise KeyError(model)


def _fail(where: str, message: str) -> SpecError:
    return SpecError(f"{where}: {message}")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected a mapping, got {type(value).__name__}")
    return value


def _keys(value: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _fail(f"{where}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _refs(schema: Any, where: str) -> list[tuple[str, str]]:
    """Every ``$ref`` in a schema, with its key path."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref":
                found.append((value, f"{where}.$ref"))
            else:
                found.extend(_refs(value, f"{where}.{key}"))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found.extend(_refs(value, f"{where}[{index}]"))
    return found


def _descriptions(schema: Any, where: str) -> list[tuple[str, str]]:
    """Every ``description`` text in a schema, with its key path."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "description" and isinstance(value, str):
                found.append((value, f"{where}.description"))
            else:
                found.extend(_descriptions(value, f"{where}.{key}"))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found.extend(_descriptions(value, f"{where}[{index}]"))
    return found


def _check_descriptions(raw: Any, where: str) -> None:
    """Descriptions go into docstrings verbatim."""
    for text, at in _descriptions(raw, where):
        if '"""' in text or "\\" in text:
            raise _fail(at, "a description may hold neither a backslash nor three quotes")


def _param(wire: str, raw: Any, where: str) -> Param:
    raw = _mapping(raw, where)
    _keys(raw, PARAM_KEYS, where)
    _check_descriptions(raw, where)
    kind = raw.get("type")
    if kind not in PARAM_KINDS:
        raise _fail(f"{where}.type", f"expected one of {', '.join(PARAM_KINDS)}, got {kind!r}")
    values = tuple(str(v) for v in raw.get("values", ()))
    if kind == "enum" and not values:
        raise _fail(f"{where}.values", "an enum needs values")
    item = raw.get("items", "string")
    if kind == "csv" and item not in PARAM_KINDS:
        raise _fail(f"{where}.items", f"unknown item kind {item!r}")
    also = raw.get("also_sent_as", [])
    if not isinstance(also, list) or not all(isinstance(w, str) and w for w in also):
        raise _fail(f"{where}.also_sent_as", "expected a list of wire names")
    return Param(
        wire=wire,
        name=raw.get("name") or snake(wire),
        kind=kind,
        values=values,
        item=item,
        description=str(raw.get("description", "")),
        default=None if raw.get("default") is None else str(raw["default"]),
        also_sent_as=tuple(also),
    )


def _operation(raw: Any, where: str, file: str, models: dict[str, Any]) -> Operation:
    raw = _mapping(raw, where)
    if isinstance(raw.get("id"), str):
        where = f"{file}: operations[{raw['id']}]"
    _keys(raw, OPERATION_KEYS, where)
    for key in ("id", "summary", "method", "path"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise _fail(f"{where}.{key}", "is required (a non-empty string)")
    op_id = raw["id"]
    if not _ID.match(op_id):
        raise _fail(f"{where}.id", "expected dotted snake_case, e.g. patients.list")
    if raw["method"] not in METHODS:
        raise _fail(f"{where}.method", f"expected one of {', '.join(METHODS)}")
    path = raw["path"]
    if not path.startswith("{tenant}/"):
        raise _fail(f"{where}.path", "must start with {tenant}/")
    raw_path_params = _mapping(raw.get("path_params") or {}, f"{where}.path_params")
    placeholders = _PLACEHOLDER.findall(path)
    for name in placeholders:
        if name not in BUILTIN_PLACEHOLDERS and name not in raw_path_params:
            raise _fail(f"{where}.path", f"placeholder {{{name}}} has no entry in path_params")
    for name in raw_path_params:
        if name not in placeholders:
            raise _fail(f"{where}.path_params.{name}", "is not a placeholder of the path")
    path_params = [
        _param(name, raw_path_params[name], f"{where}.path_params.{name}")
        for name in placeholders
        if name not in BUILTIN_PLACEHOLDERS
    ]
    query = [
        _param(name, value, f"{where}.query.{name}")
        for name, value in _mapping(raw.get("query") or {}, f"{where}.query").items()
    ]
    for param in query:
        if param.default is not None:
            raise _fail(f"{where}.query.{param.wire}.default", "only path parameters take defaults")
    for param in path_params:
        if param.also_sent_as:
            raise _fail(f"{where}.path_params.{param.wire}.also_sent_as", "is for query parameters")
    wires = [w for param in query for w in (param.wire, *param.also_sent_as)]
    if len(set(wires)) != len(wires):
        raise _fail(f"{where}.query", "a wire name is sent twice")
    fixed = {
        str(k): str(v)
        for k, v in _mapping(raw.get("fixed_query") or {}, f"{where}.fixed_query").items()
    }
    body = _body(raw.get("body"), f"{where}.body", models)
    response = raw.get("response")
    if response is not None and response not in models:
        raise _fail(f"{where}.response", f"unknown model {response!r}")
    download = bool(raw.get("download", False))
    if download and (response is not None or raw.get("pagination") is not None):
        raise _fail(f"{where}.download", "a download has no response model or pagination")
    pagination = raw.get("pagination")
    if pagination is not None and pagination not in PAGINATION_STYLES:
        raise _fail(f"{where}.pagination", f"expected one of {', '.join(PAGINATION_STYLES)}")
    if pagination is not None and response is None:
        raise _fail(f"{where}.response", "a paginated operation needs a response model")
    names = [p.name for p in (*path_params, *query)]
    if len(set(names)) != len(names):
        raise _fail(where, "two parameters have the same Python name")
    return Operation(
        id=op_id,
        file=file,
        summary=raw["summary"],
        method=raw["method"],
        path=path,
        auth=bool(raw.get("auth", True)),
        path_params=path_params,
        query=query,
        fixed_query=fixed,
        body=body,
        response=response,
        pagination=pagination,
        download=download,
    )


def _body(raw: Any, where: str, models: dict[str, Any]) -> Body | None:
    if raw is None:
        return None
    raw = _mapping(raw, where)
    _keys(raw, BODY_KEYS, where)
    kinds = [key for key in ("model", "json", "multipart") if key in raw]
    if len(kinds) != 1:
        raise _fail(where, "give exactly one of model, json or multipart")
    if "model" in raw and raw["model"] not in models:
        raise _fail(f"{where}.model", f"unknown model {raw['model']!r}")
    if "json" in raw and raw["json"] != "object":
        raise _fail(f"{where}.json", "only 'object' is supported")
    if "files" in raw and "model" not in raw:
        raise _fail(f"{where}.files", "optional file parts go with a model body")
    description = raw.get("description", "")
    if "description" in raw and ("json" not in raw or not isinstance(description, str)):
        raise _fail(f"{where}.description", "describes a json body, in a string")
    _check_descriptions(raw, where)
    if "multipart" in raw:
        if not isinstance(raw["multipart"], str) or not raw["multipart"]:
            raise _fail(f"{where}.multipart", "name the form field of the file parts")
        return Body(param=snake(raw["multipart"]), files=raw["multipart"], multipart_only=True)
    files = raw.get("files")
    if files is not None and (not isinstance(files, str) or not files):
        raise _fail(f"{where}.files", "name the form field of the file parts")
    return Body(
        model=raw.get("model"), param=raw.get("param", "body"), files=files, description=description
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise _fail(path.name, f"not valid YAML: {exc}") from None
    raw = _mapping(raw, path.name)
    _keys(raw, AREA_KEYS, path.name)
    return raw


def _area(path: Path, raw: dict[str, Any], models: dict[str, Any]) -> Area:
    """One area file; ``models`` holds the models of every file (names are global)."""
    file = path.name
    own = _mapping(raw.get("models") or {}, f"{file}: models")
    for name, schema in own.items():
        _mapping(schema, f"{file}: models.{name}")
        _check_descriptions(schema, f"{file}: models.{name}")
        for ref, where in _refs(schema, f"{file}: models.{name}"):
            if ref not in models:
                raise _fail(where, f"unknown model {ref!r}")
    operations = raw.get("operations") or []
    if not isinstance(operations, list):
        raise _fail(f"{file}: operations", "expected a list")
    area = Area(name=path.stem, file=file, models=own)
    area.operations = [
        _operation(op, f"{file}: operations[{i}]", file, models) for i, op in enumerate(operations)
    ]
    return area


def load(spec_dir: Path) -> Spec:
    """Read every area file; raise SpecError on the first problem."""
    paths = sorted(spec_dir.glob("*.yaml"))
    raws = {path: _read(path) for path in paths}
    models: dict[str, Any] = {}
    model_files: dict[str, str] = {}
    for path, raw in raws.items():
        for model, schema in _mapping(raw.get("models") or {}, f"{path.name}: models").items():
            if model in model_files:
                raise _fail(f"{path.name}: models.{model}", f"also defined in {model_files[model]}")
            model_files[model] = path.name
            models[model] = schema
    areas = [_area(path, raw, models) for path, raw in raws.items()]
    seen: dict[str, str] = {}
    for area in areas:
        for op in area.operations:
            if op.id in seen:
                raise _fail(f"{area.file}: operations[{op.id}].id", f"duplicate of {seen[op.id]}")
            seen[op.id] = area.file
    _check_import_cycles(areas)
    return Spec(areas=areas)


def _check_import_cycles(areas: list[Area]) -> None:
    """Model modules import the modules they refer to; a cycle would fail at import time."""
    owner = {model: area.name for area in areas for model in area.models}
    graph = {
        area.name: {
            owner[ref]
            for schema in area.models.values()
            for ref, _ in _refs(schema, "")
            if owner[ref] != area.name
        }
        for area in areas
    }

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = " -> ".join([*trail[trail.index(name) :], name])
            raise _fail(f"{name}.yaml: models", f"the files refer to each other: {cycle}")
        for other in sorted(graph[name]):
            visit(other, [*trail, name])

    for name in sorted(graph):
        visit(name, [])
