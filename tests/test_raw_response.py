"""Raw and streamed responses: the generated ``...WithRawResponse`` and
``...WithStreamingResponse`` classes behind ``client.with_raw_response`` and
``client.with_streaming_response``, built here straight from a client."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import pytest

import welkin
from welkin import AsyncPage, NotFoundError, SyncPage
from welkin.resources import (
    AsyncResourcesWithRawResponse,
    AsyncResourcesWithStreamingResponse,
    SyncResourcesWithRawResponse,
    SyncResourcesWithStreamingResponse,
)
from welkin.testing import FakeWelkin
from welkin.types import Patient

RECORDING = bytes(range(256)) * 40  # 10 kB, with every byte value
MISSING = "00000000-0000-4000-8000-000000000000"
EXAMPLES = Path(__file__).parent / "typed" / "raw_responses.py"


@pytest.fixture
def patient_id(fake: FakeWelkin) -> str:
    fake.seed(patients=5)
    return next(iter(fake.patients))


@pytest.fixture
def recording(fake: FakeWelkin, patient_id: str) -> tuple[str, str]:
    """(patient id, call id) of a call whose recording the fake keeps."""
    call_id = str(uuid.uuid4())
    fake.add_file(
        f"sb-demo/patients/{patient_id}/calls/{call_id}/recording", RECORDING, "audio/mpeg"
    )
    return patient_id, call_id


# Over real HTTP: httpx.MockTransport answers with bodies already read and closed, which
# leaves nothing to stream and no elapsed time.
@pytest.fixture
def served(fake: FakeWelkin) -> Iterator[str]:
    with fake.serve() as base_url:
        yield base_url


@pytest.fixture
def served_client(fake: FakeWelkin, served: str) -> Iterator[welkin.Client]:
    with welkin.Client(
        fake.tenant, fake.instance, fake.api_client, fake.secret, base_url=served
    ) as client:
        yield client


@pytest.fixture
async def served_aclient(fake: FakeWelkin, served: str) -> AsyncIterator[welkin.AsyncClient]:
    async with welkin.AsyncClient(
        fake.tenant, fake.instance, fake.api_client, fake.secret, base_url=served
    ) as client:
        yield client


# -- raw responses ---------------------------------------------------------------------------


def test_a_raw_get_gives_the_response_and_parses_to_what_the_method_returns(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    response = SyncResourcesWithRawResponse(client).patients.get(patient_id)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.method == "GET"
    assert response.url.path == f"/gh/sb-demo/patients/{patient_id}"
    assert response.operation == "patients.get"
    assert "authorization" in fake.requests[-1].headers  # sent with the token...
    assert "authorization" not in response.http_request.headers  # ...which is not kept
    patient = response.parse()
    assert isinstance(patient, Patient)
    assert patient == client.patients.get(patient_id)
    assert response.parse() is patient


def test_a_raw_list_parses_to_a_page_that_walks_every_page(
    fake: FakeWelkin, client: welkin.Client, patient_id: str
) -> None:
    response = SyncResourcesWithRawResponse(client).patients.list(size=2)

    assert response.url.params["size"] == "2"
    page = response.parse()
    assert isinstance(page, SyncPage)
    assert len(page.items) == 2
    assert sorted(str(p.id) for p in page) == sorted(fake.patients)  # 3 pages of 2


def test_the_elapsed_time_of_a_raw_response(served_client: welkin.Client, patient_id: str) -> None:
    response = SyncResourcesWithRawResponse(served_client).patients.get(patient_id)

    assert response.elapsed.total_seconds() > 0


def test_sub_resources_are_built_once_over_the_client_s_own(client: welkin.Client) -> None:
    raw = SyncResourcesWithRawResponse(client)

    assert raw.patients is raw.patients
    assert raw.patients.encounters is raw.patients.encounters
    assert raw.patients.encounters._resource is client.patients.encounters


def test_methods_that_write_to_a_file_are_left_out(client: welkin.Client) -> None:
    calls = SyncResourcesWithRawResponse(client).patients.calls

    assert callable(calls.download_recording)
    assert not hasattr(calls, "download_recording_to")
    assert "``download_recording_to`` is left out" in (type(calls).__doc__ or "")


async def test_an_async_raw_get_and_list(
    fake: FakeWelkin, aclient: welkin.AsyncClient, patient_id: str
) -> None:
    raw = AsyncResourcesWithRawResponse(aclient)

    response = await raw.patients.get(patient_id)
    assert response.status_code == 200
    assert "authorization" not in response.http_request.headers
    patient = await response.parse()
    assert patient == await aclient.patients.get(patient_id)
    assert await response.parse() is patient

    listed = await raw.patients.list(size=2)
    page = await listed.parse()
    assert isinstance(page, AsyncPage)
    assert len(page.items) == 2
    assert sorted([str(p.id) async for p in page]) == sorted(fake.patients)


# -- streamed responses ------------------------------------------------------------------------


def test_a_streamed_download_is_read_in_chunks_then_closed(
    served_client: welkin.Client, recording: tuple[str, str]
) -> None:
    streaming = SyncResourcesWithStreamingResponse(served_client)

    with streaming.patients.calls.download_recording(*recording) as response:
        assert response.status_code == 200
        assert not response.http_response.is_stream_consumed  # nothing read yet
        chunks = list(response.iter_bytes(1000))

    assert response.is_closed
    assert len(chunks) == 11
    assert b"".join(chunks) == served_client.patients.calls.download_recording(*recording)


def test_leaving_a_streamed_response_unread_closes_it(
    served_client: welkin.Client, recording: tuple[str, str]
) -> None:
    streaming = SyncResourcesWithStreamingResponse(served_client)

    with streaming.patients.calls.download_recording(*recording) as response:
        assert not response.is_closed

    assert response.is_closed


async def test_an_async_streamed_download_is_read_in_chunks_then_closed(
    served_aclient: welkin.AsyncClient, recording: tuple[str, str]
) -> None:
    streaming = AsyncResourcesWithStreamingResponse(served_aclient)

    async with streaming.patients.calls.download_recording(*recording) as response:
        assert not response.http_response.is_stream_consumed
        chunks = [chunk async for chunk in response.iter_bytes(1000)]

    assert response.is_closed
    assert len(chunks) == 11
    assert b"".join(chunks) == await served_aclient.patients.calls.download_recording(*recording)


async def test_an_async_streamed_list_parses_to_its_first_page(
    aclient: welkin.AsyncClient, patient_id: str
) -> None:
    streaming = AsyncResourcesWithStreamingResponse(aclient)

    async with streaming.patients.list(size=2) as response:
        page = await response.parse()

    assert [str(p.id) for p in page.items] == [
        str(p.id) for p in (await aclient.patients.list(size=2)).items
    ]


# -- errors, and calls outside the wrappers ---------------------------------------------------


def test_an_error_raises_the_same_typed_exception_through_the_wrappers(
    client: welkin.Client, patient_id: str
) -> None:
    with pytest.raises(NotFoundError):
        SyncResourcesWithRawResponse(client).patients.get(MISSING)
    with (
        pytest.raises(NotFoundError),
        SyncResourcesWithStreamingResponse(client).patients.get(MISSING),
    ):
        pass

    assert isinstance(client.patients.get(patient_id), Patient)  # the mode did not stick


async def test_an_async_error_raises_the_same_typed_exception(
    aclient: welkin.AsyncClient, patient_id: str
) -> None:
    with pytest.raises(NotFoundError):
        await AsyncResourcesWithRawResponse(aclient).patients.get(MISSING)
    with pytest.raises(NotFoundError):
        async with AsyncResourcesWithStreamingResponse(aclient).patients.get(MISSING):
            pass

    assert isinstance(await aclient.patients.get(patient_id), Patient)


def test_a_call_after_a_wrapped_one_returns_its_parsed_result(
    client: welkin.Client, patient_id: str
) -> None:
    SyncResourcesWithRawResponse(client).patients.get(patient_id)
    with SyncResourcesWithStreamingResponse(client).patients.get(patient_id):
        assert isinstance(client.patients.get(patient_id), Patient)  # inside the block too

    assert isinstance(client.patients.get(patient_id), Patient)
    assert isinstance(client.patients.list(size=2), SyncPage)


async def test_an_async_call_after_a_wrapped_one_returns_its_parsed_result(
    aclient: welkin.AsyncClient, patient_id: str
) -> None:
    await AsyncResourcesWithRawResponse(aclient).patients.list(size=2)

    assert isinstance(await aclient.patients.get(patient_id), Patient)
    assert isinstance(await aclient.patients.list(size=2), AsyncPage)


# -- the typed examples ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def examples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("welkin_typed_raw_responses", EXAMPLES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_the_typed_examples_run_against_the_fake(
    examples: ModuleType, fake: FakeWelkin, client: welkin.Client, recording: tuple[str, str]
) -> None:
    patient_id, call_id = recording

    assert examples.streaming_example(client, patient_id, call_id) == RECORDING
    patient = examples.raw_example(client, patient_id)
    assert str(patient.id) == patient_id
    assert patient_id not in fake.patients  # the example deleted it


async def test_the_async_typed_examples_run_against_the_fake(
    examples: ModuleType, aclient: welkin.AsyncClient, recording: tuple[str, str]
) -> None:
    patient_id, call_id = recording

    assert await examples.async_streaming_example(aclient, patient_id, call_id) == RECORDING
    assert str((await examples.async_raw_example(aclient, patient_id)).id) == patient_id


def test_the_clients_offer_the_wrappers(client: welkin.Client, patient_id: str) -> None:
    response = client.with_raw_response.patients.get(patient_id)
    assert isinstance(response, welkin.APIResponse)
    assert response.parse() == client.patients.get(patient_id)
    assert client.with_raw_response is client.with_raw_response  # built once
    with client.with_streaming_response.patients.get(patient_id) as streamed:
        assert streamed.parse().id == response.parse().id


async def test_the_async_client_offers_the_wrappers(fake: FakeWelkin, patient_id: str) -> None:
    async with fake.async_client() as client:
        response = await client.with_raw_response.patients.get(patient_id)
        assert isinstance(response, welkin.AsyncAPIResponse)
        assert (await response.parse()).id is not None
        page = await (await client.with_raw_response.patients.list(size=2)).parse()
        assert len([p async for p in page]) == 5
        async with client.with_streaming_response.patients.get(patient_id) as streamed:
            assert (await streamed.parse()).id == (await response.parse()).id
