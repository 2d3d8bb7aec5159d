"""An area's models and operations load at its first call, not at ``import welkin``."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import welkin
loaded_at_import = sorted(m for m in sys.modules if m.startswith("welkin.types."))
client = welkin.Client("gh", "sb-demo", "api", "secret")
client.patients
loaded = sorted(m for m in sys.modules if m.startswith(("welkin.types.", "welkin.operations.")))
from welkin.types import Encounter
from welkin.operations import OPERATIONS
print(json.dumps([loaded_at_import, loaded, Encounter.__module__, len(OPERATIONS)]))
"""


def test_a_first_patient_call_loads_the_patients_area_only() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    at_import, after_patients, encounter_module, operations = json.loads(out)

    assert at_import == []
    assert after_patients == ["welkin.operations.patients", "welkin.types.patients"]
    assert encounter_module == "welkin.types.encounters"  # still importable from one place
    assert operations > 170
