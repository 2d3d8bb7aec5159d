"""Every Python example in README.md and CHANGELOG.md runs, against the fake instead of a
real tenant."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

import welkin
from welkin.testing import FakeWelkin

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
CHANGELOG = (ROOT / "CHANGELOG.md").read_text()
EXAMPLES = re.findall(r"```python\n(.*?)```", README + CHANGELOG, flags=re.DOTALL)


@pytest.fixture
def fake_tenant(monkeypatch: pytest.MonkeyPatch) -> FakeWelkin:
    """``welkin.Client(...)`` and ``welkin.AsyncClient(...)`` without a base URL build clients
    of one fake (the examples' credentials are placeholders); with one, they are left alone."""
    fake = FakeWelkin()
    fake.seed(patients=5, users=3, designer=True)
    real_client, real_async_client = welkin.Client, welkin.AsyncClient
    credentials = (fake.tenant, fake.instance, fake.api_client, fake.secret)

    def client(*args: Any, **kwargs: Any) -> welkin.Client:
        if "base_url" in kwargs:
            return real_client(*args, **kwargs)
        transport = httpx.Client(transport=fake.transport)
        return real_client(*credentials, base_url=fake.base_url, http_client=transport)

    def async_client(*args: Any, **kwargs: Any) -> welkin.AsyncClient:
        transport = httpx.AsyncClient(transport=fake.transport)
        return real_async_client(*credentials, base_url=fake.base_url, http_client=transport)

    monkeypatch.setattr(welkin, "Client", client)
    monkeypatch.setattr(welkin, "AsyncClient", async_client)
    return fake


def test_the_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_readme_example_runs(code: str, fake_tenant: FakeWelkin) -> None:
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()  # examples that define a user's test run it too
    assert len(fake_tenant.requests) > 0 or any(n.startswith("test_") for n in namespace)
