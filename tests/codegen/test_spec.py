"""The spec loader refuses broken specs, naming the file and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.spec import SpecError, load, snake

SPEC = Path(__file__).resolve().parents[2] / "spec"

GOOD_OPERATION = """
models:
  Thing:
    type: object
    properties:
      id: {type: [string, "null"], format: uuid}
operations:
  - id: things.get
    summary: Read a thing.
    method: GET
    path: "{tenant}/{instance}/things/{thingId}"
    path_params:
      thingId: {type: uuid}
    response: Thing
"""


def write_spec(tmp_path: Path, text: str, name: str = "things.yaml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def test_the_project_spec_loads() -> None:
    spec = load(SPEC)
    ids = [op.id for op in spec.operations]
    assert "patients.get" in ids
    assert "users.list_for_instance" in ids
    assert len(ids) == len(set(ids))


def test_a_minimal_area_loads(tmp_path: Path) -> None:
    spec = load(write_spec(tmp_path, GOOD_OPERATION))
    (op,) = spec.operations
    assert op.resource == ("things",)
    assert op.method_name == "get"
    assert [p.name for p in op.path_params] == ["thing_id"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("    response: Thing\n", "    response: Thing\n    retries: 3\n"),
            "things.yaml: operations[things.get].retries: unknown key",
        ),
        (
            ("    response: Thing\n", "    response: Widget\n"),
            "things.yaml: operations[things.get].response: unknown model 'Widget'",
        ),
        (
            (
                '"{tenant}/{instance}/things/{thingId}"',
                '"{tenant}/{instance}/things/{thingId}/{x}"',
            ),
            "things.yaml: operations[things.get].path: placeholder {x} has no entry in path_params",
        ),
        (
            (
                "      thingId: {type: uuid}\n",
                "      thingId: {type: uuid}\n      other: {type: string}\n",
            ),
            "things.yaml: operations[things.get].path_params.other: is not a placeholder",
        ),
        (
            ("      thingId: {type: uuid}\n", "      thingId: {type: guid}\n"),
            "things.yaml: operations[things.get].path_params.thingId.type: expected one of",
        ),
        (
            ("    response: Thing\n", "    response: Thing\n    pagination: PAGES\n"),
            "things.yaml: operations[things.get].pagination: expected one of",
        ),
        (
            ("{type: uuid}", '{type: uuid, description: "C:\\\\things"}'),
            "things.yaml: operations[things.get].path_params.thingId.description: a description"
            " may hold neither a backslash nor three quotes",
        ),
        (
            ("format: uuid}", 'format: uuid, description: \'Say """hi\'}'),
            "things.yaml: models.Thing.properties.id.description: a description may hold",
        ),
        (
            ("    response: Thing\n", "    body: {model: Thing, description: Things.}\n"),
            "things.yaml: operations[things.get].body.description: describes a json body",
        ),
    ],
)
def test_invalid_operations_are_refused_with_their_key_path(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in GOOD_OPERATION
    write_spec(tmp_path, GOOD_OPERATION.replace(old, new))
    with pytest.raises(SpecError) as caught:
        load(tmp_path)
    assert str(caught.value).startswith(message)


def test_unknown_model_reference_inside_a_schema(tmp_path: Path) -> None:
    text = GOOD_OPERATION.replace(
        '      id: {type: [string, "null"], format: uuid}\n',
        '      id: {type: [string, "null"], format: uuid}\n      part: {$ref: Part}\n',
    )
    write_spec(tmp_path, text)
    with pytest.raises(
        SpecError, match=r"things.yaml: models.Thing.properties.part.\$ref: unknown"
    ):
        load(tmp_path)


def test_duplicate_operation_ids_across_files(tmp_path: Path) -> None:
    write_spec(tmp_path, GOOD_OPERATION)
    write_spec(tmp_path, GOOD_OPERATION.replace("Thing", "Other"), "others.yaml")
    with pytest.raises(SpecError, match=r"things.yaml: operations\[things.get\].id: duplicate"):
        load(tmp_path)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    write_spec(tmp_path, GOOD_OPERATION + "endpoints: []\n")
    with pytest.raises(SpecError, match=r"^things.yaml.endpoints: unknown key"):
        load(tmp_path)


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("patientId", "patient_id"),
        ("addressLine1", "address_line1"),
        ("from", "from_"),
        ("icd-10", "icd_10"),
    ],
)
def test_snake_case_names(wire: str, python: str) -> None:
    assert snake(wire) == python
