"""The README's resource table and class list say what the SDK has."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import welkin
from welkin.operations import OPERATIONS
from welkin.testing import FakeWelkin

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
ROW = re.compile(r"^\| `client\.([\w.]+)` \| ([\w, ]+) \| `client\.([\w.]+)\(([\w, ]*)\)` \|$")


def table_rows() -> list[tuple[str, list[str], str, list[str]]]:
    rows = []
    for line in README.splitlines():
        found = ROW.match(line)
        if found:
            resource, methods, call, args = found.groups()
            rows.append((resource, methods.split(", "), call, [a for a in args.split(", ") if a]))
    return rows


def test_every_resource_of_the_registry_has_a_row() -> None:
    resources = {
        op.id.rsplit(".", 1)[0] for op in OPERATIONS.values() if op.id != "auth.create_token"
    }
    assert {resource for resource, *_ in table_rows()} == resources


@pytest.mark.parametrize("row", table_rows(), ids=lambda row: row[0])
def test_each_row_names_real_methods_and_a_call_that_fits_them(
    row: tuple[str, list[str], str, list[str]],
) -> None:
    resource, methods, call, args = row
    with FakeWelkin().client() as client:
        target: object = client
        for part in resource.split("."):
            target = getattr(target, part)
        for name in methods:
            assert callable(getattr(target, name)), f"{resource}.{name}"
        method = getattr(target, call.rsplit(".", 1)[1])
    required = [
        p.name
        for p in inspect.signature(method).parameters.values()
        if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty
    ]
    assert required == args


def test_the_readme_lists_every_old_package_class() -> None:
    listed = set(re.findall(r"`(\w+)`", README.split("The classes:", 1)[1].split("\n\n", 1)[0]))
    assert set(welkin.models.__all__) <= listed
    for name in welkin.models.__all__:
        assert getattr(welkin.Client, name) is getattr(welkin.models, name), name
