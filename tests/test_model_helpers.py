"""Model helpers named as in the ecosystem: ``to_dict()`` is the wire dict, ``to_json()``
a string."""

from __future__ import annotations

import json

from welkin.types.patients import Patient


def test_to_dict_is_the_wire_dict_and_to_json_its_text() -> None:
    wire = {
        "id": "0d2e0c8a-6a1b-4a38-9f7e-3f7b8a1d2c4e",
        "firstName": "Ada",
        "createdAt": "2024-01-02T03:04:05.123Z",
        "someNewField": {"x": [1, None]},
    }
    patient = Patient.model_validate(wire)
    assert patient.to_dict() == wire
    text = patient.to_json()
    assert isinstance(text, str)
    assert json.loads(text) == wire
    assert "\n" in text  # indented by default
    one_line = patient.to_json(indent=None)
    assert "\n" not in one_line and json.loads(one_line) == wire


def test_to_json_keeps_non_ascii_text_as_is() -> None:
    patient = Patient.model_validate(
        {"id": "0d2e0c8a-6a1b-4a38-9f7e-3f7b8a1d2c4e", "firstName": "Zoë"}
    )
    assert "Zoë" in patient.to_json()
