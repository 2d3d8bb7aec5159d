"""The typed usage examples of tests/typed/usage.py import cleanly and run against the fake."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import welkin
from welkin.testing import FakeWelkin

USAGE = Path(__file__).parent / "typed" / "usage.py"


@pytest.fixture(scope="module")
def usage() -> ModuleType:
    spec = importlib.util.spec_from_file_location("welkin_typed_usage", USAGE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def welkin_fake() -> FakeWelkin:
    return FakeWelkin()


def test_the_usage_module_imports_without_sending_anything(usage: ModuleType) -> None:
    assert callable(usage.sync_example)
    assert callable(usage.async_example)


def test_make_client_builds_a_client_for_the_given_api_root(
    usage: ModuleType, welkin_fake: FakeWelkin
) -> None:
    client = usage.make_client(welkin_fake.base_url, welkin_fake.transport)

    assert isinstance(client, welkin.Client)
    assert (client.tenant, client.instance, client.base_url) == (
        "gh",
        "sb-demo",
        welkin_fake.base_url,
    )
    assert welkin_fake.requests == []


def test_the_sync_example_runs_against_the_fake(usage: ModuleType, welkin_fake: FakeWelkin) -> None:
    welkin_fake.add_patient(firstName="Ann", lastName="Bar")
    welkin_fake.add_patient(firstName="Cleo", lastName="Qux")
    client = usage.make_client(welkin_fake.base_url, welkin_fake.transport)

    names = usage.sync_example(client)

    assert names == ["Ann", "Baz", "Cleo"]  # sorted by first name, over two pages
    assert sorted(p["firstName"] for p in welkin_fake.patients.values()) == ["Ann", "Baz", "Cleo"]
    assert welkin_fake.users == {}  # the examples delete the users they create
    assert welkin_fake.token_requests == 1


def test_the_care_team_example_runs_against_the_fake(
    usage: ModuleType, welkin_fake: FakeWelkin
) -> None:
    welkin_fake.seed(designer=True)
    user = welkin_fake.add_user(username="nurse")
    client = usage.make_client(welkin_fake.base_url, welkin_fake.transport)

    counts = usage.care_team_example(client, user["id"])

    assert counts == {
        "full encounters": 1,
        "vitals": 2,  # one listed, plus the created record's body
        "templates": 2,
        "questions": 2,
        "events": 1,
        "bytes": 5,
        "old encounters": 1,
        "old records": 1,
    }


def test_the_error_example_sees_a_404_and_a_refused_argument(
    usage: ModuleType, welkin_fake: FakeWelkin
) -> None:
    client = usage.make_client(welkin_fake.base_url, welkin_fake.transport)

    assert usage.error_example(client) == (404, "patient_id")


async def test_the_async_example_runs_against_the_fake(
    usage: ModuleType, welkin_fake: FakeWelkin
) -> None:
    for first in ("Ann", "Bea", "Cleo"):
        welkin_fake.add_patient(firstName=first)

    names = await usage.async_example(welkin_fake.async_client())

    assert names == ["Ann", "Bea", "Cleo", "Foo"]
    assert sorted(p["firstName"] for p in welkin_fake.patients.values()) == ["Ann", "Bea", "Cleo"]
