"""Client options as in the best SDKs: default_headers, per-call extra_headers, with_options
(base_url, http_client, default_headers, timeout, max_retries), the User-Agent, and the
retry count named max_retries (total is the old package's name for it)."""

from __future__ import annotations

import sys

import httpx
import pytest

import welkin
from welkin.testing import FakeWelkin

PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"


def seeded() -> tuple[FakeWelkin, str]:
    fake = FakeWelkin()
    fake.seed(patients=2)
    return fake, next(iter(fake.patients))


def last_headers(fake: FakeWelkin) -> dict[str, str]:
    return {k.lower(): v for k, v in fake.requests[-1].headers.items()}


def test_every_request_names_the_sdk_and_python() -> None:
    fake, patient_id = seeded()
    with fake.client() as client:
        client.patients.get(patient_id)
    agent = last_headers(fake)["user-agent"]
    assert agent == f"welkin-python/{welkin.__version__} {sys.implementation.name}/{PYTHON}"
    assert last_headers(fake)["accept"] == "application/json"


def test_default_and_extra_headers_are_sent_and_extra_wins() -> None:
    fake, patient_id = seeded()
    with fake.client(default_headers={"X-Team": "care", "X-Trace": "client"}) as client:
        client.patients.get(patient_id, extra_headers={"X-Trace": "call-1"})
        headers = last_headers(fake)
        assert headers["x-team"] == "care" and headers["x-trace"] == "call-1"
        assert headers["authorization"].startswith("Bearer ")
        client.patients.get(patient_id)
        assert last_headers(fake)["x-trace"] == "client"  # extra_headers were for one call
        assert client.default_headers["X-Team"] == "care"


def test_headers_on_a_pool_of_the_clients_own(tmp_path: object) -> None:
    fake, patient_id = seeded()
    with (
        fake.serve() as base_url,
        welkin.Client(
            fake.tenant,
            fake.instance,
            fake.api_client,
            fake.secret,
            base_url=base_url,
            default_headers={"X-Team": "care"},
        ) as client,
    ):
        client.patients.get(patient_id, extra_headers={"X-Call": "1"})
        headers = last_headers(fake)
        assert headers["x-team"] == "care" and headers["x-call"] == "1"
        assert headers["user-agent"].startswith("welkin-python/")
        tagged = client.with_options(default_headers={"X-Team": "billing"})
        tagged.patients.get(patient_id)
        assert last_headers(fake)["x-team"] == "billing"
        client.patients.get(patient_id)
        assert last_headers(fake)["x-team"] == "care"  # the original is unchanged


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"Authorization": "Bearer x"}, "set by the client"),
        ({"X-Bad": "a\r\nInjected: 1"}, "one line"),
        ({"Bad Name": "x"}, "not a header name"),
        ({"X-Number": 1}, "one line"),
        (["X-List"], "mapping"),
    ],
)
def test_bad_headers_are_refused_by_name_before_sending(headers: object, problem: str) -> None:
    fake, patient_id = seeded()
    with pytest.raises(welkin.InvalidArgumentError, match="default_headers") as caught:
        fake.client(default_headers=headers)
    assert problem in str(caught.value)
    with fake.client() as client:
        sent = len(fake.requests)
        with pytest.raises(welkin.InvalidArgumentError, match="extra_headers"):
            client.patients.get(patient_id, extra_headers=headers)  # type: ignore[arg-type]
        assert len(fake.requests) == sent


def test_with_options_base_url_keeps_the_pool_and_token_settings() -> None:
    fake, patient_id = seeded()
    other = FakeWelkin(tenant=fake.tenant, api_client=fake.api_client, secret=fake.secret)
    other.seed(patients=1)
    other_id = next(iter(other.patients))
    with fake.serve() as first_url, other.serve() as second_url:
        client = welkin.Client(
            fake.tenant, fake.instance, fake.api_client, fake.secret, base_url=first_url
        )
        moved = client.with_options(base_url=second_url, max_retries=1)
        assert moved.base_url == second_url and moved.max_retries == 1
        assert moved.patients.get(other_id).id is not None
        assert client.patients.get(patient_id).id is not None
        assert moved._http is client._http  # one pool, closed by its owner
        moved.close()
        assert client.patients.get(patient_id).id is not None
        client.close()


def test_with_options_http_client_is_used_as_given() -> None:
    fake, patient_id = seeded()
    with fake.client() as client:
        seen: list[str] = []

        def hook(request: httpx.Request) -> None:
            seen.append(request.url.path)

        mine = httpx.Client(transport=fake.transport, event_hooks={"request": [hook]})
        other = client.with_options(http_client=mine)
        other.patients.get(patient_id)
        assert any(path.endswith(patient_id) for path in seen)
        other.close()
        assert not mine.is_closed  # not the copy's to close
        mine.close()


def test_copy_is_with_options() -> None:
    fake, _ = seeded()
    with fake.client() as client:
        assert client.copy(timeout=3).timeout == 3


def test_max_retries_and_its_old_name() -> None:
    fake, _ = seeded()
    assert fake.client(max_retries=2).max_retries == 2
    assert fake.client(total=3).max_retries == 3
    assert fake.client().max_retries == 5
    with pytest.raises(welkin.InvalidArgumentError, match="max_retries"):
        fake.client(max_retries=1, total=2)
    with pytest.raises(welkin.InvalidArgumentError, match="max_retries"):
        fake.client(max_retries=-1)
