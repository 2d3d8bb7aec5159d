"""Every public name of the old package's modules is importable from ours, from the same
module (``from welkin.models.chat import ChatSearchResult`` keeps working)."""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path

import pytest

from .test_differential import ROOT, old_python

MODULES = [
    "welkin",
    "welkin.authentication",
    "welkin.exceptions",
    "welkin.pagination",
    "welkin.util",
    "welkin.models",
    *(
        f"welkin.models.{name}"
        for name in (
            "assessment audit base calendar care_plan cdt chat contact document email "
            "encounter export formation patient pdt program sms task user"
        ).split()
    ),
]

# Names the old modules only imported for their own use (typing helpers, requests, stdlib).
INCIDENTAL = {"annotations", "TYPE_CHECKING", "Any", "Callable", "Enum", "MappingProxyType"}
INCIDENTAL |= {"BytesIO", "HTTPError", "HTTPStatus", "JSONDecodeError", "Lock", "AuthBase"}
INCIDENTAL |= {"Path", "contextlib", "json", "logging", "logger", "shelve", "sys", "tempfile"}
INCIDENTAL |= {"date", "datetime", "timezone", "UUID", "inflection", "lru_cache", "wraps"}
INCIDENTAL |= {"to_key_val_list", "urljoin", "Retry", "HTTPAdapter", "Session", "client"}
INCIDENTAL |= {"TimeoutHTTPAdapter", "PreparedRequest", "models", "authentication"}

PROBE = """
import importlib, json, sys
names = {}
for module in sys.argv[1:]:
    loaded = importlib.import_module(module)
    names[module] = sorted(n for n in dir(loaded) if not n.startswith("_"))
print(json.dumps(names))
"""


@pytest.fixture(scope="module")
def old_names() -> dict[str, list[str]]:
    python: Path = old_python()
    result = subprocess.run(
        [str(python), "-c", PROBE, *MODULES],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    names: dict[str, list[str]] = json.loads(result.stdout)
    return names


@pytest.mark.parametrize("module", MODULES)
def test_the_old_modules_public_names_are_all_here(
    old_names: dict[str, list[str]], module: str
) -> None:
    ours = importlib.import_module(module)
    wanted = set(old_names[module]) - INCIDENTAL
    missing = sorted(name for name in wanted if not hasattr(ours, name))
    assert missing == []
